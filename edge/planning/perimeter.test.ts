import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachSample } from './footprint.ts';
import { costmapFromGrid } from './grid-costmap.ts';
import { perimeterPaths, splitPolyline } from './perimeter.ts';
import { raggedRoom } from './test-maps.ts';
import { costAtClearance } from './transit.ts';

const length = (points: readonly { x: number; y: number }[]) => {
  let l = 0;
  for (let k = 1; k < points.length; k++)
    l += Math.hypot(points[k]!.x - points[k - 1]!.x, points[k]!.y - points[k - 1]!.y);
  return l;
};

describe('perimeter', () => {
  it('keeps every point of the simplified border runs in the mask, also along ragged SLAM walls', () => {
    for (const seed of [1, 2, 3]) {
      const grid = raggedRoom(seed);
      const costmap = costmapFromGrid(grid, 0.17);
      const limit = costAtClearance(0.05);
      const mask = new Uint8Array(costmap.costs.length);
      for (let i = 0; i < mask.length; i++) mask[i] = costmap.costs[i]! <= limit ? 1 : 0;
      const chains = perimeterPaths(costmap, mask, 0.3);
      assert.ok(chains.length > 0);
      for (const chain of chains)
        forEachSample(chain, costmap.resolution / 8, (x, y) => {
          const gx = (x - costmap.origin.x) / costmap.resolution;
          const gy = (y - costmap.origin.y) / costmap.resolution;
          // A point on a cell corner only touches the cells around it (a diagonal run passes corners).
          if (Math.abs(gx - Math.round(gx)) < 1e-6 && Math.abs(gy - Math.round(gy)) < 1e-6) return;
          const cx = Math.floor(gx);
          const cy = Math.floor(gy);
          assert.equal(
            mask[cy * costmap.width + cx],
            1,
            `seed ${seed}: border run leaves the mask at (${x}, ${y})`,
          );
        });
    }
  });

  it('cuts a polyline into pieces of about equal length that join up', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 3, y: 3 },
      { x: 0, y: 3 },
      { x: 0, y: 0.05 },
    ];
    const total = length(square);
    for (const max of [0.7, 2, 4, 5.9]) {
      const pieces = splitPolyline(square, max);
      assert.equal(pieces.length, Math.ceil(total / max));
      for (const piece of pieces) assert.ok(length(piece) <= max + 1e-9, `${length(piece)} > ${max}`);
      assert.ok(Math.abs(pieces.reduce((sum, p) => sum + length(p), 0) - total) < 1e-9);
      assert.deepEqual(pieces[0]![0], square[0]);
      assert.deepEqual(pieces[pieces.length - 1]!.at(-1), square.at(-1));
      for (let k = 1; k < pieces.length; k++) assert.deepEqual(pieces[k]![0], pieces[k - 1]!.at(-1));
    }
    assert.deepEqual(splitPolyline(square, 100), [square]);
  });
});
