import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LETHAL, type Costmap } from '../mapping/layers/costmap.ts';
import { costmapOf } from './test-maps.ts';
import { costAtClearance, planClearTransit, planTransit } from './transit.ts';

const RADIUS = 0.17;

/** A costmap with Nav2-like inflation around the given round posts (centre, radius) and the outer walls. */
function inflatedRoom(
  w: number,
  h: number,
  posts: ReadonlyArray<readonly [number, number, number]>,
): Costmap {
  return costmapOf(w, h, (x, y) => {
    let d = Math.min(x, y, w - x, h - y);
    for (const [px, py, r] of posts) d = Math.min(d, Math.hypot(x - px, y - py) - r);
    if (d <= 0.025) return LETHAL;
    if (d <= RADIUS) return 253;
    return Math.min(252, costAtClearance(d - RADIUS));
  });
}

/** The least clearance (m beyond the robot's radius) along a path, from the costmap's costs. */
function leastCost(grid: Costmap, path: ReadonlyArray<{ x: number; y: number }>): number {
  let worst = 0;
  for (const p of path) {
    const i = Math.floor(p.y / grid.resolution) * grid.width + Math.floor(p.x / grid.resolution);
    worst = Math.max(worst, grid.costs[i]!);
  }
  return worst;
}

// A 6 × 3 m room; two posts 0.45 m apart (edge to edge) across the straight line from the start to the goal.
// The robot's centre fits through the gap (0.45 > 2 × 0.17) with less than 5 cm to spare on either side.
const gapPosts = [
  [3, 1.275, 0.05],
  [3, 1.825, 0.05],
] as const;
const from = { x: 1, y: 1.55 };
const to = { x: 5, y: 1.55 };

describe('transit paths that keep clear where they can', () => {
  it('goes round a tight gap the plain A* squeezes through', () => {
    // A wall of posts with the one gap, open at both ends of the room.
    const posts = [...gapPosts, [3, 0.9, 0.3], [3, 2.2, 0.3]] as const;
    const room = inflatedRoom(
      6,
      3.1,
      posts.filter(([, y]) => y > 0.8 && y < 2.3),
    );
    const maxCost = costAtClearance(0.05);
    const plain = planTransit(room, from, to);
    assert.ok(plain);
    assert.ok(leastCost(room, plain) > maxCost, 'the plain path goes through the gap');
    const clear = planClearTransit(room, from, to, maxCost);
    assert.ok(clear);
    assert.ok(leastCost(room, clear.slice(1, -1)) <= maxCost, `worst cost ${leastCost(room, clear)}`);
  });

  it('squeezes through when nothing else leads there', () => {
    // The gap is the only way: walls of posts from the floor to the ceiling of the room.
    const wall = [...gapPosts, [3, 0.55, 0.6], [3, 2.55, 0.6]] as const;
    const room = inflatedRoom(6, 3.1, wall);
    assert.equal(planTransit(room, from, to, { maxCost: costAtClearance(0.05) }), undefined);
    const path = planClearTransit(room, from, to, costAtClearance(0.05));
    assert.ok(path);
    assert.ok(Math.abs(path[path.length - 1]!.x - to.x) < 1e-9);
  });
});
