import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runSwath } from '../run-in-process.ts';
import { readRosMap } from '../../mapping/map-file.ts';

const run = runSwath;

/** The first 40 scans of the ACES log, gzip-compressed again. */
function shortLog(dir: string): string {
  const text = readFileSync(new URL('../../../test/fixtures/carmen/aces-corrected.log.gz', import.meta.url));
  const lines = gunzipSync(text).toString('utf8').split('\n');
  const kept: string[] = [];
  let scans = 0;
  for (const l of lines) {
    if (l.startsWith('FLASER') && ++scans > 40) break;
    kept.push(l);
  }
  const file = join(dir, 'short.log.gz');
  writeFileSync(file, gzipSync(kept.join('\n')));
  return file;
}

describe('swath map --replay', () => {
  it('writes the map, picture and trajectory and prints a JSON summary', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-map-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const log = shortLog(dir);
    const prefix = join(dir, 'aces');
    const r = await run([
      'map',
      '--replay',
      log,
      '--out',
      prefix,
      '--poses-out',
      join(dir, 'poses.txt'),
      '--json',
      '--ate',
    ]);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.scans, 40);
    assert.ok(summary.msPerScanMedian > 0 && summary.msPerScanP95 >= summary.msPerScanMedian);
    assert.ok(summary.ate < 0.2, `ATE ${summary.ate}`);
    for (const ext of ['yaml', 'pgm', 'png']) assert.ok(existsSync(`${prefix}.${ext}`), ext);
    const grid = readRosMap(`${prefix}.yaml`);
    assert.ok(grid.data.includes(100) && grid.data.includes(0));
    const poses = readFileSync(join(dir, 'poses.txt'), 'utf8').trim().split('\n');
    assert.equal(poses.length, 40);
    assert.equal(poses[0]!.split(' ').length, 4);
  });

  it('exits 2 naming the line on a malformed log, and skips it with --skip-bad', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-map-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.log');
    const beams = Array(180).fill(2).join(' ');
    writeFileSync(
      file,
      `# x\nFLASER 180 ${beams} 0 0 0 0 0 0 1 h 1\nFLASER 180 1 2\nFLASER 180 ${beams} 0.1 0 0 0.1 0 0 2 h 2\n`,
    );
    const bad = await run(['map', '--replay', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /bad\.log: line 3: FLASER with 180 beams needs 188 fields/);
    const ok = await run(['map', '--replay', file, '--skip-bad', '--json']);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual([JSON.parse(ok.out).scans, JSON.parse(ok.out).skippedLines], [2, 1]);
    const missing = await run(['map', '--replay', join(dir, 'nope.log')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.log: cannot read/);
    writeFileSync(join(dir, 'empty.log'), '# nothing\n');
    assert.match((await run(['map', '--replay', join(dir, 'empty.log')])).err, /no FLASER lines/);
  });
});
