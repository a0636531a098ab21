import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runSwath } from '../run-in-process.ts';

const run = runSwath;

const fixture = (name: string) => new URL(`../../../test/fixtures/maps/${name}`, import.meta.url).pathname;

describe('swath plan', () => {
  it('plans a fixture map, writes the path and picture and prints the figures', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-plan-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pathOut = join(dir, 'path.txt');
    const png = join(dir, 'plan.png');
    const r = await run([
      'plan',
      '--map',
      fixture('map_circular.yaml'),
      '--path-out',
      pathOut,
      '--png',
      png,
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const figures = JSON.parse(r.out) as Record<string, number>;
    for (const key of [
      'coverage',
      'cleanableArea',
      'unreachableArea',
      'pathLength',
      'lowerBound',
      'turns',
      'rotation',
      'overlap',
      'planMs',
      'collisions',
    ])
      assert.equal(typeof figures[key], 'number', key);
    assert.ok(figures.coverage! >= 0.99);
    assert.equal(figures.collisions, 0);
    assert.ok(figures.pathLength! >= figures.lowerBound!);
    const lines = readFileSync(pathOut, 'utf8').trim().split('\n');
    assert.ok(lines.length > 100);
    assert.match(lines[0]!, /^-?\d+\.\d+ -?\d+\.\d+$/);
    assert.ok(existsSync(png));
  });

  it('exits 2 on an invalid map file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-plan-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'image: missing.pgm\nresolution: -1\n');
    const r = await run(['plan', '--map', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.yaml/);
  });

  it('exits 2 when the start is inside an obstacle', async () => {
    // (-10, -10) is the lower-left corner of the fixture: unknown space, an obstacle to the planner.
    const r = await run(['plan', '--map', fixture('tb3_sandbox.yaml'), '--start', '-9.9,-9.9']);
    assert.equal(r.code, 2);
    assert.match(r.err, /inside an obstacle/);
  });
});
