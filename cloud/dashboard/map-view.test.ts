import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeCoveredBits,
  encodeCoveredBits,
  encodeDeflate,
  snapshotFromGrid,
} from '../../shared/mqtt/map-codec.ts';
import { createGrid } from '../../shared/occupancy-grid.ts';
import {
  CELL_COVERED,
  CELL_FREE,
  CELL_OCCUPIED,
  CELL_UNCERTAIN,
  CELL_UNKNOWN,
  MAX_VIEW_SIDE,
  cellClass,
  decimatePath,
  mapViewFromSnapshot,
} from './map-view.ts';

function expand(runs: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < runs.length; k += 2) for (let n = 0; n < runs[k + 1]!; n++) out.push(runs[k]!);
  return out;
}

const record = { bootId: 'boot-0001', seq: 3, time: 1_700_000_000 };

test('cell classes follow map_server thresholds', () => {
  assert.deepEqual([-1, 0, 24, 25, 64, 65, 100, 101].map(cellClass), [
    CELL_UNKNOWN,
    CELL_FREE,
    CELL_FREE,
    CELL_UNCERTAIN,
    CELL_UNCERTAIN,
    CELL_OCCUPIED,
    CELL_OCCUPIED,
    CELL_UNKNOWN,
  ]);
});

test('a small map keeps every cell, its path and pose', () => {
  const grid = createGrid({ width: 4, height: 3, resolution: 0.05, origin: { x: -0.1, y: 0.2, theta: 0 } });
  grid.data.set([0, 0, 100, -1, 50, 0, 0, 0, -1, -1, 100, 100]);
  for (const encoding of ['rle', 'deflate'] as const) {
    const path = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ];
    const view = mapViewFromSnapshot(
      'r1',
      snapshotFromGrid(grid, { ...record, path, pose: { x: 1, y: 1, theta: 2 } }, encoding),
    )!;
    assert.deepEqual(
      [view.width, view.height, view.resolution, view.seq, view.robotId],
      [4, 3, 0.05, 3, 'r1'],
    );
    assert.deepEqual(view.origin, grid.origin);
    assert.deepEqual(expand(view.runs), [...grid.data].map(cellClass));
    assert.deepEqual(view.path, path);
    assert.deepEqual(view.pose, { x: 1, y: 1, theta: 2 });
  }
});

test('a large map is shrunk to MAX_VIEW_SIDE and an obstacle in a merged block stays visible', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: MAX_VIEW_SIDE + 1, max: 3 * MAX_VIEW_SIDE }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(-1, 0, 50, 100)), { maxLength: 40 }),
      (width, height, writes) => {
        const grid = createGrid({ width, height, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } });
        for (const [at, value] of writes) grid.data[at % grid.data.length] = value;
        const view = mapViewFromSnapshot('r1', snapshotFromGrid(grid, record, 'rle'))!;
        const factor = Math.ceil(width / MAX_VIEW_SIDE);
        assert.ok(view.width <= MAX_VIEW_SIDE);
        assert.equal(view.width, Math.ceil(width / factor));
        assert.equal(view.height, Math.ceil(height / factor));
        assert.equal(view.resolution, 0.05 * factor);
        const classes = expand(view.runs);
        const expected = new Array<number>(view.width * view.height).fill(CELL_UNKNOWN);
        for (let i = 0; i < grid.data.length; i++) {
          const v =
            Math.floor(Math.floor(i / width) / factor) * view.width + Math.floor((i % width) / factor);
          expected[v] = Math.max(expected[v]!, cellClass(grid.data[i]!));
        }
        assert.deepEqual(classes, expected);
      },
    ),
    { numRuns: 20 },
  );
});

test('cells that do not decode give no view', () => {
  const snapshot = snapshotFromGrid(
    createGrid({ width: 4, height: 3, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } }),
    record,
    'rle',
  );
  assert.equal(mapViewFromSnapshot('r1', { ...snapshot, cells: [0, 5] }), null);
  assert.equal(mapViewFromSnapshot('r1', { ...snapshot, encoding: 'deflate', cells: 'bm90IHpsaWI=' }), null);
});

test('a long path is decimated, keeping its first and last points', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 2, max: 300 }), (n, max) => {
      const points = Array.from({ length: n }, (_, i) => i);
      const out = decimatePath(points, max);
      assert.ok(out.length <= max);
      if (n <= max) assert.deepEqual(out, points);
      else {
        assert.equal(out[0], 0);
        assert.equal(out.at(-1), n - 1);
        assert.ok(out.every((p, i) => i === 0 || p > out[i - 1]!));
      }
    }),
  );
});

test('swept free cells come through as their own class, never hiding an obstacle', () => {
  const cells = Int8Array.from([0, 0, 100, 0, -1, 0, 0, 0, 0, 0]);
  const covered = Uint8Array.from([1, 0, 1, 1, 1, 0, 0, 0, 1, 1]);
  assert.deepEqual(decodeCoveredBits(encodeCoveredBits(covered), covered.length), covered);
  assert.equal(decodeCoveredBits(encodeCoveredBits(covered), 30), null, 'wrong length refused');
  const view = mapViewFromSnapshot('r', {
    bootId: 'boot-1',
    seq: 0,
    time: 0,
    resolution: 0.05,
    width: 10,
    height: 1,
    origin: { x: 0, y: 0, theta: 0 },
    encoding: 'deflate',
    cells: encodeDeflate(cells),
    covered: encodeCoveredBits(covered),
  })!;
  const classes: number[] = [];
  for (let k = 0; k < view.runs.length; k += 2)
    for (let n = 0; n < view.runs[k + 1]!; n++) classes.push(view.runs[k]!);
  assert.deepEqual(classes, [
    CELL_COVERED,
    CELL_FREE,
    CELL_OCCUPIED,
    CELL_COVERED,
    CELL_UNKNOWN,
    CELL_FREE,
    CELL_FREE,
    CELL_FREE,
    CELL_COVERED,
    CELL_COVERED,
  ]);
});
