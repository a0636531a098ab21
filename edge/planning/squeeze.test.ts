import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point2D } from '../../shared/geometry.ts';
import { createRobotCostmap } from '../mapping/layers/index.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';
import { squeezeOut } from './squeeze.ts';
import { floorPlan } from './test-maps.ts';
import { planTransit } from './transit.ts';

/**
 * A hallway 1.1 m wide (y 0.2–1.3) and 3.8 m long, closed at its west end. A shoe the LIDAR cannot see lies
 * across it at x = 1.2 (y 0.6–0.9), leaving 0.4 m on either side; the bumper marked it at `marks`, a few
 * centimetres off its outline. The robot stands west of it, in the dead end.
 */
function hallway(marks: readonly Point2D[]): { full: Costmap; unmarked: Costmap } {
  const grid = floorPlan(4, 1.5, [[0.1, 0.2, 3.9, 1.3]]);
  const layers = createRobotCostmap(grid);
  layers.static.setMap(grid);
  layers.camera.markObstacles(marks, 0);
  const full = layers.costmap.update(0);
  const camera = layers.camera;
  const unmarked = layers.costmap.view(0, (layer) => layer !== camera);
  return { full: { ...full, costs: Uint8Array.from(full.costs) }, unmarked };
}

/** Marks along the shoe, 3 cm past its ends as bumps from either side leave them: they seal both gaps. */
const shoeMarks = [0.53, 0.64, 0.75, 0.86, 0.97].map((y) => ({ x: 1.17, y }));
const pose = { x: 0.6, y: 0.75, theta: 0 };
const east = { x: 3.5, y: 0.75 };

const costAt = (map: Costmap, p: Point2D) =>
  map.costs[
    Math.floor((p.y - map.origin.y) / map.resolution) * map.width +
      Math.floor((p.x - map.origin.x) / map.resolution)
  ]!;

describe('squeezing out of a pocket the bump marks seal', () => {
  it('leads between the marks and the wall to the floor beyond', () => {
    const { full, unmarked } = hallway(shoeMarks);
    // The marks' inflation seals the hallway: no planner path leaves the dead end.
    assert.equal(planTransit(full, pose, east), undefined);
    const squeeze = squeezeOut(full, unmarked, shoeMarks, pose);
    assert.ok(squeeze);
    assert.equal(squeeze.marks, shoeMarks.length);
    const { path } = squeeze;
    assert.deepEqual({ x: path[0]!.x, y: path[0]!.y }, { x: pose.x, y: pose.y });
    const end = path[path.length - 1]!;
    // It ends past the shoe, where the planners reach the rest of the hallway again.
    assert.ok(end.x > 1.2, `ends at x = ${end.x}`);
    assert.ok(costAt(full, end) < INSCRIBED);
    assert.ok(planTransit(full, end, east), 'the rest of the hallway is reachable from the end');
    for (const q of path) {
      // The walls the LIDAR sees keep their full inflation …
      assert.ok(costAt(unmarked, q) < INSCRIBED, `(${q.x}, ${q.y}) too close to a wall`);
      // … the marks count for their shrunk radius.
      for (const m of shoeMarks) assert.ok(Math.hypot(q.x - m.x, q.y - m.y) >= squeeze.markRadius - 1e-9);
    }
  });

  it('passes the shoe as far from the marks as the wall allows', () => {
    const { full, unmarked } = hallway(shoeMarks);
    const squeeze = squeezeOut(full, unmarked, shoeMarks, pose)!;
    const nearestMark = (p: Point2D) => Math.min(...shoeMarks.map((m) => Math.hypot(p.x - m.x, p.y - m.y)));
    // Where the path crosses the line of marks, against the best spot of the same gap: the cell centre of
    // that column farthest from the marks that keeps the robot's full radius from the wall.
    const k = squeeze.path.findIndex((q) => q.x >= 1.17);
    const [a, b] = [squeeze.path[k - 1]!, squeeze.path[k]!];
    const crossing = { x: 1.17, y: a.y + ((b.y - a.y) * (1.17 - a.x)) / (b.x - a.x) };
    const lower = crossing.y < 0.75;
    let best = 0;
    for (let y = 0.025; y < 1.5; y += 0.05) {
      const spot = { x: crossing.x, y };
      if (y < 0.75 === lower && costAt(unmarked, spot) < INSCRIBED) best = Math.max(best, nearestMark(spot));
    }
    assert.ok(nearestMark(crossing) >= best - 0.05, `${nearestMark(crossing)} from the marks, best ${best}`);
  });

  it('shrinks the marks only as far as it must', () => {
    // A mark 5 cm further down: the lower gap needs the marks taken at less than 12 cm, and a mark near the
    // wall closes the upper gap.
    const marks = [...shoeMarks, { x: 1.17, y: 0.48 }, { x: 1.17, y: 1.2 }];
    const { full, unmarked } = hallway(marks);
    const squeeze = squeezeOut(full, unmarked, marks, pose);
    assert.ok(squeeze);
    assert.ok(squeeze.markRadius < 0.12, `marks taken as ${squeeze.markRadius} m`);
  });

  it('never passes between two marks closer than the robot is wide: they are one obstacle', () => {
    // Bumps marked a shoe's ends 0.26 m apart, and two more near the walls: the middle between the ends
    // leaves more room to the marks than the gaps at the walls, yet the shoe lies there.
    const marks = [0.45, 0.62, 0.88, 1.05].map((y) => ({ x: 1.17, y }));
    const { full, unmarked } = hallway(marks);
    const crossing = (path: readonly Point2D[]) => {
      const k = path.findIndex((q) => q.x >= 1.17);
      assert.ok(k > 0, 'the path crosses the line of marks');
      const [a, b] = [path[k - 1]!, path[k]!];
      return a.y + ((b.y - a.y) * (1.17 - a.x)) / (b.x - a.x);
    };
    const apart = squeezeOut(full, unmarked, marks, pose, { joinDistance: 0 });
    assert.ok(apart);
    const middle = crossing(apart.path);
    assert.ok(middle > 0.62 && middle < 0.88, `marks taken apart: crosses at y = ${middle}`);
    const joined = squeezeOut(full, unmarked, marks, pose);
    assert.ok(joined);
    const beside = crossing(joined.path);
    assert.ok(beside < 0.45 || beside > 1.05, `marks joined: crosses at y = ${beside}`);
    assert.ok(joined.markRadius < apart.markRadius);
  });

  it('gives up where no gap is left even for marks a few centimetres wide', () => {
    const wall = Array.from({ length: 23 }, (_, k) => ({ x: 1.17, y: 0.2 + k * 0.05 }));
    const { full, unmarked } = hallway(wall);
    assert.equal(squeezeOut(full, unmarked, wall, pose), undefined);
  });

  it('has nothing to do outside a pocket or with no mark near', () => {
    const { full, unmarked } = hallway(shoeMarks);
    const outside = { x: 3, y: 0.75, theta: 0 };
    assert.equal(squeezeOut(full, unmarked, shoeMarks, outside), undefined);
    const far = squeezeOut(full, unmarked, shoeMarks, pose, { reach: 0.3 });
    assert.equal(far, undefined);
  });

  it('refuses costmaps of different geometry', () => {
    const { full } = hallway(shoeMarks);
    const other = { ...full, width: full.width - 1, costs: full.costs.subarray(0, full.costs.length - 1) };
    assert.throws(() => squeezeOut(full, other, shoeMarks, pose), /differ in geometry/);
  });
});
