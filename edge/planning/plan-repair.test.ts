import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Point2D } from '../../shared/geometry.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';
import { resumePlan, type PathPlanner } from './plan-repair.ts';
import { roomWithPosts } from './test-maps.ts';
import { densify, planTransit } from './transit.ts';

/** Three boustrophedon rows 0.3 m apart, densified like the coverage planner's output. */
function rows(): Array<{ x: number; y: number; theta: number; kind: string }> {
  const corners = [
    { x: 0.5, y: 0.8 },
    { x: 4.5, y: 0.8 },
    { x: 4.5, y: 1.1 },
    { x: 0.5, y: 1.1 },
    { x: 0.5, y: 1.4 },
    { x: 4.5, y: 1.4 },
  ];
  const out: Array<{ x: number; y: number; theta: number; kind: string }> = [];
  for (let i = 0; i + 1 < corners.length; i++) {
    const seg = densify([corners[i]!, corners[i + 1]!], 0.2);
    const theta = Math.atan2(corners[i + 1]!.y - corners[i]!.y, corners[i + 1]!.x - corners[i]!.x);
    for (const q of i === 0 ? seg : seg.slice(1)) out.push({ x: q.x, y: q.y, theta, kind: 'sweep' });
  }
  return out;
}

const transit: PathPlanner = (costmap, from, goal) => planTransit(costmap, from, goal);

function costAt(costmap: Costmap, p: Point2D): number {
  const cx = Math.floor((p.x - costmap.origin.x) / costmap.resolution);
  const cy = Math.floor((p.y - costmap.origin.y) / costmap.resolution);
  return costmap.costs[cy * costmap.width + cx]!;
}

describe('resuming an interrupted coverage plan', () => {
  const plan = rows();

  it('goes around an obstruction on the row and rejoins the plan past it, keeping the rest in order', () => {
    const costmap = roomWithPosts([{ x: 2, y: 0.8, r: 0.1 }]);
    const from = plan.findIndex((q) => q.x >= 1.5);
    const pose = { x: plan[from]!.x, y: plan[from]!.y, theta: 0 };
    const resumed = resumePlan(plan, from, pose, costmap, transit);
    assert.ok(resumed);
    const target = plan[resumed.resumeIndex]!;
    assert.equal(target.y, 0.8, 'rejoins the same row');
    assert.ok(target.x > 2.1 + 0.17 && target.x < 2.8, `rejoins just past the obstacle, at x = ${target.x}`);
    // The way back never enters inscribed cost; then the plan as it was.
    const tail = plan.slice(resumed.resumeIndex + 1);
    const way = resumed.path.slice(0, resumed.path.length - tail.length);
    for (const q of way) assert.ok(costAt(costmap, q) < INSCRIBED, `detour through (${q.x}, ${q.y})`);
    assert.deepEqual(resumed.path.slice(way.length), tail);
    assert.ok(way.every((q) => (q as { kind?: string }).kind === 'transit'));
    // What was passed over lies between the robot and the rejoin point, on the row.
    assert.ok(resumed.skipped.length > 0);
    assert.ok(resumed.skipped.every((q) => q.y === 0.8 && q.x >= pose.x - 1e-9 && q.x < target.x));
    assert.ok(resumed.detour < 2, `detour ${resumed.detour}`);
  });

  it('rejoins at the next pose when nothing is in the way any more', () => {
    const costmap = roomWithPosts([]);
    const resumed = resumePlan(plan, 5, { x: plan[5]!.x - 0.1, y: 0.75, theta: 0 }, costmap, transit);
    assert.ok(resumed);
    assert.equal(resumed.resumeIndex, 6);
    assert.deepEqual(resumed.skipped, []);
  });

  it('passes over the asked-for stretch when the robot keeps being stopped by something the map does not show', () => {
    const costmap = roomWithPosts([]);
    const resumed = resumePlan(plan, 5, plan[5]!, costmap, transit, {}, 0.6);
    assert.ok(resumed);
    assert.ok(plan[resumed.resumeIndex]!.x - plan[5]!.x >= 0.6 - 1e-9);
    assert.ok(resumed.skipped.length >= 3);
  });

  it('passes over at most maxSkip of the plan, past which the caller plans afresh', () => {
    // A post on each row, and only the last row can be reached from where the robot stands (a person in
    // the doorway): rejoining there would give up 8 m of the plan at once.
    const costmap = roomWithPosts([
      { x: 2, y: 0.8, r: 0.1 },
      { x: 3, y: 1.1, r: 0.1 },
      { x: 1, y: 1.4, r: 0.1 },
    ]);
    const lastRowOnly: PathPlanner = (map, from, goal) =>
      goal.y > 1.3 ? planTransit(map, from, goal) : undefined;
    const from = plan.findIndex((q) => q.x >= 1.5);
    const pose = { x: plan[from]!.x, y: plan[from]!.y, theta: 0 };
    assert.equal(resumePlan(plan, from, pose, costmap, lastRowOnly), undefined);
    const far = resumePlan(plan, from, pose, costmap, lastRowOnly, { maxSkip: 20 });
    assert.ok(far);
    assert.equal(plan[far.resumeIndex]!.y, 1.4);
  });

  it('leaves an obstruction further ahead for later', () => {
    const costmap = roomWithPosts([{ x: 4, y: 0.8, r: 0.1 }]);
    const resumed = resumePlan(plan, 2, plan[2]!, costmap, transit);
    assert.ok(resumed);
    assert.equal(resumed.resumeIndex, 3);
  });

  it('gives up when the rest of the plan cannot be rejoined', () => {
    // The last row is blocked to its end, and the robot stands on it.
    const last = plan.length - 1;
    const costmap = roomWithPosts([{ x: 4.4, y: 1.4, r: 0.15 }]);
    assert.equal(resumePlan(plan, last - 2, plan[last - 2]!, costmap, transit), undefined);
    // A plan already at its end has nothing to resume.
    assert.equal(resumePlan(plan, last, plan[last]!, roomWithPosts([]), transit), undefined);
  });

  it('never rejoins on an obstructed pose and never plans through inscribed cost (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 4.4, noNaN: true }),
        fc.constantFrom(0.8, 1.1, 1.4),
        fc.double({ min: 0.05, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        (ox, oy, r, from) => {
          const costmap = roomWithPosts([{ x: ox, y: oy, r }]);
          const start = plan[from]!;
          if (costAt(costmap, start) >= INSCRIBED) return;
          const resumed = resumePlan(plan, from, start, costmap, transit);
          if (!resumed) return;
          assert.ok(resumed.resumeIndex > from);
          assert.ok(costAt(costmap, plan[resumed.resumeIndex]!) < INSCRIBED);
          const tail = plan.slice(resumed.resumeIndex + 1);
          const way = resumed.path.slice(0, resumed.path.length - tail.length);
          for (const q of way) assert.ok(costAt(costmap, q) < INSCRIBED);
          assert.deepEqual(resumed.path.slice(way.length), tail);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});
