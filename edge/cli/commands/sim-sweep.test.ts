import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runSwath } from '../run-in-process.ts';

const SWATH = new URL('../swath.mjs', import.meta.url).pathname;

/**
 * The sweep runs for seconds while its children work: run it as its own process, so that nothing the test
 * runner writes meanwhile mixes with its output.
 */
function runSwathProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { NODE_TEST_CONTEXT: _testContext, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [SWATH, ...args], { env }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

const smallRoom = new URL('../../../test/fixtures/worlds/small-room.yaml', import.meta.url).pathname;

describe('swath sim sweep', () => {
  it('runs a mission per seed in child processes and sums them up per world', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-sweep-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'runs.jsonl');
    const r = await runSwathProcess([
      'sim',
      'sweep',
      '--worlds',
      smallRoom,
      '--seeds',
      '1-2',
      '--time-limit',
      '12',
      '--json',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out) as {
      seeds: number[];
      worlds: Array<{ world: string; runs: number; aborted: Array<{ seed: number; reason: string }> }>;
    };
    assert.deepEqual(summary.seeds, [1, 2]);
    assert.equal(summary.worlds.length, 1);
    assert.equal(summary.worlds[0]!.runs, 2);
    // 12 simulated seconds are not enough for a mission: both stop at the time limit, and say so.
    assert.deepEqual(summary.worlds[0]!.aborted, [
      { seed: 1, reason: 'time limit (12 s)' },
      { seed: 2, reason: 'time limit (12 s)' },
    ]);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
  });

  it('refuses a bad seed list with exit code 2', async () => {
    const r = await runSwath(['sim', 'sweep', '--seeds', '5-1']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--seeds: "5-1": the range ends before it starts/);
  });
});
