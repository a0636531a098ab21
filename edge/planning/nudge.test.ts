import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Point2D } from '../../shared/geometry.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';
import { nudgePath } from './nudge.ts';
import { costmapOf, roomWithPosts } from './test-maps.ts';
import { densify, pathLength } from './transit.ts';

const RES = 0.05;

type Tagged = { x: number; y: number; theta: number; kind: string };

function polyline(corners: readonly Point2D[], kind = 'sweep'): Tagged[] {
  const out: Tagged[] = [];
  for (let i = 0; i + 1 < corners.length; i++) {
    const seg = densify([corners[i]!, corners[i + 1]!], 0.2);
    const theta = Math.atan2(corners[i + 1]!.y - corners[i]!.y, corners[i + 1]!.x - corners[i]!.x);
    for (const q of i === 0 ? seg : seg.slice(1)) out.push({ x: q.x, y: q.y, theta, kind });
  }
  return out;
}

function passable(costmap: Costmap, x: number, y: number): boolean {
  const cx = Math.floor((x - costmap.origin.x) / costmap.resolution);
  const cy = Math.floor((y - costmap.origin.y) / costmap.resolution);
  return costmap.costs[cy * costmap.width + cx]! < INSCRIBED;
}

/** Every point along the path, a quarter cell apart, is free for the robot's centre. */
function runsClear(costmap: Costmap, path: readonly Point2D[]): boolean {
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1]!;
    const b = path[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / (RES / 4)));
    for (let k = 0; k <= n; k++)
      if (!passable(costmap, a.x + ((b.x - a.x) * k) / n, a.y + ((b.y - a.y) * k) / n)) return false;
  }
  return true;
}

describe('nudging a path past a small intrusion', () => {
  it('shifts a row away from a table leg that reaches a few centimetres into it, by no more than it must', () => {
    // The leg's inscribed zone reaches 4 cm over the row's line at y = 1.0.
    const costmap = roomWithPosts([{ x: 2.5, y: 0.77, r: 0.1 }]);
    const row = polyline([
      { x: 0.5, y: 1 },
      { x: 4.5, y: 1 },
    ]);
    assert.equal(runsClear(costmap, row), false);
    const from = row.findIndex((q) => q.x >= 1.8);
    const nudged = nudgePath(row, from, 0, costmap);
    assert.ok(nudged, 'nudged');
    assert.ok(runsClear(costmap, nudged), 'the nudged path runs clear');
    // Away from the leg (to the left of travel, +y), at most maxShift, and back on the row afterwards.
    const maxY = Math.max(...nudged.map((q) => q.y));
    assert.ok(maxY > 1.0 && maxY <= 1.08 + 1e-9, `max y ${maxY}`);
    assert.ok(nudged.every((q) => q.y >= 1 - 1e-9));
    const last = nudged[nudged.length - 1]!;
    assert.deepEqual({ x: last.x, y: last.y }, { x: 4.5, y: 1 });
    assert.equal(nudged[0], row[from]);
    // The rest of the row is kept as it was, tags included.
    assert.ok(nudged.every((q) => q.kind === 'sweep'));
    assert.ok(nudged.filter((q) => q.x > 3).every((q) => q.y === 1));
    assert.ok(pathLength(nudged) < 4.5 - row[from]!.x + 0.05);
  });

  it('steps round a corner of the path like a parallel curve', () => {
    // An L-shaped stretch whose corner passes 2 cm inside the inscribed zone of a post outside the turn.
    const costmap = roomWithPosts([{ x: 2.14, y: 0.86, r: 0.05 }]);
    const path = polyline([
      { x: 1, y: 1 },
      { x: 2, y: 1 },
      { x: 2, y: 2.5 },
    ]);
    assert.equal(runsClear(costmap, path), false);
    const nudged = nudgePath(path, 0, 0.5, costmap);
    assert.ok(nudged);
    assert.ok(runsClear(costmap, nudged));
    assert.ok(
      nudged.every((q) => q.x <= 2 + 1e-9 && q.y >= 1 - 1e-9),
      'moved to the inside of the turn, away from the post',
    );
  });

  it('gives up on what a sideways step cannot free: a wall across the path, a large obstacle, a path doubling back', () => {
    const row = polyline([
      { x: 0.5, y: 1 },
      { x: 4.5, y: 1 },
    ]);
    assert.equal(nudgePath(row, 0, 0, roomWithPosts([{ x: 2.5, y: 1, r: 0.3 }])), undefined);
    const wall = costmapOf(5, 3, (x) => (Math.abs(x - 2.5) < 0.2 ? INSCRIBED : 0));
    assert.equal(nudgePath(row, 0, 0, wall), undefined);
    const back = polyline([
      { x: 0.5, y: 1 },
      { x: 2.4, y: 1 },
      { x: 0.5, y: 1 },
    ]);
    assert.equal(nudgePath(back, 0, 0, roomWithPosts([{ x: 2.5, y: 0.77, r: 0.1 }])), undefined);
  });

  it('leaves alone an intrusion beyond the window and a path that runs clear', () => {
    const row = polyline([
      { x: 0.5, y: 1 },
      { x: 4.5, y: 1 },
    ]);
    const costmap = roomWithPosts([{ x: 3.5, y: 0.77, r: 0.1 }]);
    assert.equal(nudgePath(row, 0, 0, costmap), undefined, 'the leg is 3 m ahead');
    assert.equal(nudgePath(row, 0, 0, roomWithPosts([])), undefined);
    assert.ok(nudgePath(row, 0, 2.2, costmap));
  });

  it('property: a nudged path runs clear over the stretch it changed, starts at the given pose and ends where the path did', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1.2, max: 3.8, noNaN: true }),
        fc.double({ min: -0.27, max: 0.27, noNaN: true }),
        fc.double({ min: 0.03, max: 0.12, noNaN: true }),
        (ox, oy, r) => {
          const costmap = roomWithPosts([{ x: ox, y: 1 + oy, r }]);
          const row = polyline([
            { x: 0.5, y: 1 },
            { x: 4.5, y: 1 },
          ]);
          const nudged = nudgePath(row, 0, 0.3, costmap);
          if (!nudged) return;
          assert.equal(nudged[0], row[0]);
          const last = nudged[nudged.length - 1]!;
          assert.ok(Math.hypot(last.x - 4.5, last.y - 1) < 1e-9);
          assert.ok(
            runsClear(
              costmap,
              nudged.filter((q) => q.x >= 0.6),
            ),
          );
          assert.ok(nudged.every((q) => Math.abs(q.y - 1) <= 0.08 + 1e-9));
        },
      ),
      { numRuns: 200 },
    );
  });
});
