import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMotionPlanner } from './motion-planner.ts';
import { sweepPolyline } from './footprint.ts';
import { costmapFromGrid } from './grid-costmap.ts';
import { scoreCoverage } from './score.ts';
import { fill, floorPlan } from './test-maps.ts';

const PARAMS = { toolWidth: 0.3, robotRadius: 0.17 };

describe('coverage score', () => {
  // 4 × 1 m of floor; centres with 5 cm clearance beyond the robot radius span y 0.425…0.975 m.
  const corridor = () => floorPlan(4.4, 1.4, [[0.2, 0.2, 4.2, 1.2]]);

  it('measures length, turns, rotation, time and the lower bound of a there-and-back path', () => {
    const path = [
      { x: 0.5, y: 0.7 },
      { x: 3.9, y: 0.7 },
      { x: 3.9, y: 0.6 },
      { x: 0.5, y: 0.6 },
    ];
    const s = scoreCoverage(corridor(), path, { ...PARAMS, speed: 0.2, turnRate: 0.5 });
    assert.ok(Math.abs(s.pathLength - 6.9) < 1e-9);
    assert.equal(s.turns, 2);
    assert.ok(Math.abs(s.rotation - Math.PI) < 1e-9);
    assert.ok(Math.abs(s.estimatedTime - (6.9 / 0.2 + Math.PI / 0.5)) < 1e-9);
    assert.ok(Math.abs(s.lowerBound - s.cleanableArea / 0.3) < 1e-9);
    // The way back runs 10 cm beside the way out: most of what it sweeps was swept already.
    // The swaths are 0.3 m wide and 0.1 m apart: the union is 0.4 m, the shared band 0.2 m.
    assert.ok(s.overlap > 0.4 && s.overlap < 0.6, `overlap ${s.overlap}`);
    assert.equal(s.collisions, 0);
    // A band along the walls is out of the tool's reach from centres with clearance.
    assert.ok(s.unreachableArea > 0.5 && s.unreachableArea < 1.5, `unreachable ${s.unreachableArea}`);
  });

  it('counts the cleanable area reachable from the start only', () => {
    const grid = floorPlan(4.4, 1.4, [[0.2, 0.2, 4.2, 1.2]], [[2.0, 0.2, 2.4, 1.2]]);
    const left = scoreCoverage(grid, [{ x: 0.7, y: 0.7 }], PARAMS);
    const whole = scoreCoverage(corridor(), [{ x: 0.7, y: 0.7 }], PARAMS);
    assert.ok(left.cleanableArea < 0.6 * whole.cleanableArea);
    assert.ok(left.unreachableArea > 1.5);
  });

  it('counts a stretch of path through a wall as one collision', () => {
    const grid = corridor();
    fill(grid, [[2.0, 0.2, 2.2, 1.2]], 100);
    const s = scoreCoverage(
      grid,
      [
        { x: 0.5, y: 0.7 },
        { x: 3.9, y: 0.7 },
      ],
      PARAMS,
    );
    assert.equal(s.collisions, 1);
    const clear = scoreCoverage(
      corridor(),
      [
        { x: 0.5, y: 0.7 },
        { x: 3.9, y: 0.7 },
      ],
      PARAMS,
    );
    assert.equal(clear.collisions, 0);
    // One 0.3 m swath of a cleanable band 0.85 m wide.
    assert.ok(clear.coverage > 0.3 && clear.coverage < 0.4, `coverage ${clear.coverage}`);
  });
});

describe('motion planner adapter', () => {
  for (const incremental of [false, true])
    it(`plans, then ${incremental ? 'replans' : 'plans afresh'} the remainder with the covered mask, then reports nothing left`, () => {
      const grid = floorPlan(4.4, 3.4, [[0.2, 0.2, 4.2, 3.2]]);
      const costmap = costmapFromGrid(grid, 0.17);
      const planner = createMotionPlanner({ incremental });
      const request = { costmap, start: { x: 0.6, y: 0.6, theta: 0 }, toolWidth: 0.3, robotRadius: 0.17 };
      const covered = new Uint8Array(grid.width * grid.height);
      const first = planner.coverage({ ...request, covered })!;
      assert.ok(first.plannedArea > 9);
      const half = Math.floor(first.path.length / 2);
      sweepPolyline(grid, covered, undefined, first.path.slice(0, half + 1), 0.15);
      const second = planner.coverage({ ...request, start: first.path[half]!, covered })!;
      assert.ok(
        second.plannedArea < 0.7 * first.plannedArea,
        `${second.plannedArea} vs ${first.plannedArea}`,
      );
      sweepPolyline(grid, covered, undefined, second.path, 0.15);
      const last = second.path[second.path.length - 1]!;
      const none = planner.coverage({ ...request, start: last, covered })!;
      assert.deepEqual(none.path, []);
      assert.equal(none.plannedArea, 0);
      assert.ok(none.unreachableArea < 0.05, `unreachable ${none.unreachableArea}`);
      assert.ok(planner.pathTo(costmap, request.start, { x: 3.8, y: 2.8 }, 0.17)!.length > 2);
    });
});
