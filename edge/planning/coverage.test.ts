import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { readRosMap } from '../mapping/map-file.ts';
import { planCoverage, replanCoverage, type CoveragePose } from './coverage.ts';
import { dominantWallAngle } from './decomposition.ts';
import { sweepPolyline } from './footprint.ts';
import { costmapFromGrid } from './grid-costmap.ts';
import { naiveGridSweep } from './naive-sweep.ts';
import { scoreCoverage } from './score.ts';
import { clutteredRoom, fill, floorPlan, lRoom, raggedRoom, tableRoom, twoRooms } from './test-maps.ts';
import { costAtClearance } from './transit.ts';

const TOOL = 0.3;
const RADIUS = 0.17;
const START = { x: 0.6, y: 0.6, theta: 0 };

function planAndScore(grid: OccupancyGrid, perimeter: boolean, start = START) {
  const costmap = costmapFromGrid(grid, RADIUS);
  const plan = planCoverage(costmap, start, undefined, { toolWidth: TOOL, perimeter });
  const score = scoreCoverage(grid, plan.path, { toolWidth: TOOL, robotRadius: RADIUS });
  return { costmap, plan, score };
}

/** Maximal straight runs of consecutive 'sweep' poses, as [first, last] pose. */
function sweepRuns(path: readonly CoveragePose[]): [CoveragePose, CoveragePose][] {
  const runs: [CoveragePose, CoveragePose][] = [];
  for (let k = 1; k < path.length; k++) {
    if (path[k]!.kind !== 'sweep') continue;
    const straight = Math.abs(Math.sin(path[k]!.theta - path[k - 1]!.theta)) < 1e-6;
    if (path[k - 1]!.kind === 'sweep' && straight && runs.length > 0) runs[runs.length - 1]![1] = path[k]!;
    else runs.push([path[k - 1]!, path[k]!]);
  }
  return runs;
}

describe('coverage planner', () => {
  it('covers an empty rectangle completely with one row per lattice line and (rows − 1) U-turns', () => {
    // 6 × 3 m of floor: the rows run along the long side.
    const grid = floorPlan(6.4, 3.4, [[0.2, 0.2, 6.2, 3.2]]);
    const costmap = costmapFromGrid(grid, RADIUS);
    const plan = planCoverage(costmap, START, undefined, {
      toolWidth: TOOL,
      perimeter: false,
      minGapCells: 1,
      gapBudget: 0,
    });
    // Rows: lattice lines from the lowest to the highest cell centre with sweep clearance, evenly spaced
    // no more than 0.95 tool widths apart, both extremes included.
    const clearance = costAtClearance(0.05);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < costmap.costs.length; i++)
      if (costmap.costs[i]! <= clearance) {
        const y = (Math.floor(i / costmap.width) + 0.5) * costmap.resolution;
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
    const rows = Math.ceil((hi - lo) / (0.95 * TOOL) - 1e-9) + 1;
    assert.equal(rows, 10);
    // Row sweeps: horizontal sweep runs spanning most of the room's length (gap filling adds short spot
    // visits, none of them a row).
    const rowRuns = sweepRuns(plan.path).filter(
      ([a, b]) => Math.abs(b.x - a.x) > 3 && Math.abs(b.y - a.y) < 1e-6,
    );
    assert.equal(rowRuns.length, rows);
    assert.equal(new Set(rowRuns.map(([a]) => a.y.toFixed(3))).size, rows);
    let uTurns = 0;
    for (let k = 0; k < rowRuns.length; k++) {
      const [a, b] = rowRuns[k]!;
      if (k > 0) {
        const [pa, pb] = rowRuns[k - 1]!;
        if (Math.sign(b.x - a.x) === -Math.sign(pb.x - pa.x)) uTurns++;
      }
    }
    assert.equal(uTurns, rows - 1);
    const score = scoreCoverage(grid, plan.path, { toolWidth: TOOL, robotRadius: RADIUS });
    assert.equal(score.coverage, 1);
    assert.equal(score.collisions, 0);
  });

  it('leaves the walls to the perimeter pass: no row along them, rows stop short of its swath, no longer path', () => {
    const grid = floorPlan(6.4, 3.4, [[0.2, 0.2, 6.2, 3.2]]);
    const costmap = costmapFromGrid(grid, RADIUS);
    // Every gap filled in both (without the edge pass, the band along the walls is all slivers).
    const withEdges = planCoverage(costmap, START, undefined, { toolWidth: TOOL, gapBudget: 0 });
    const without = planCoverage(costmap, START, undefined, {
      toolWidth: TOOL,
      perimeter: false,
      gapBudget: 0,
    });
    // Extent of the sweep centres: the perimeter pass runs along it.
    const clearance = costAtClearance(0.05);
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < costmap.costs.length; i++)
      if (costmap.costs[i]! <= clearance) {
        const x = ((i % costmap.width) + 0.5) * costmap.resolution;
        const y = (Math.floor(i / costmap.width) + 0.5) * costmap.resolution;
        [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      }
    const rows = sweepRuns(withEdges.path).filter(([a, b]) => Math.abs(b.x - a.x) > 3);
    assert.ok(rows.length >= 8, `${rows.length} rows`);
    for (const [a, b] of rows) {
      assert.ok(a.y > y0 + 0.1 && a.y < y1 - 0.1, `row at y = ${a.y} runs along a wall`);
      for (const x of [a.x, b.x]) assert.ok(x > x0 + 0.1 && x < x1 - 0.1, `row end at x = ${x}`);
    }
    const score = scoreCoverage(grid, withEdges.path, { toolWidth: TOOL, robotRadius: RADIUS });
    const plain = scoreCoverage(grid, without.path, { toolWidth: TOOL, robotRadius: RADIUS });
    assert.ok(score.coverage >= 0.999, `coverage ${score.coverage}`);
    assert.ok(score.pathLength < plain.pathLength, `${score.pathLength} m vs ${plain.pathLength} m`);
  });

  const rooms: [string, () => OccupancyGrid][] = [
    ['a room with a table in the middle', tableRoom],
    ['two rooms joined by a doorway', twoRooms],
    ['an L-shaped room', lRoom],
    ['a cluttered room', () => clutteredRoom(6, 8, 3)],
  ];
  for (const [name, make] of rooms)
    for (const perimeter of [true, false])
      it(`covers ${name} (perimeter ${perimeter ? 'on' : 'off'}) ≥ 99 % with no collision`, () => {
        const { plan, score } = planAndScore(make(), perimeter);
        assert.ok(score.coverage >= 0.99, `coverage ${score.coverage}`);
        assert.equal(score.collisions, 0);
        assert.ok(plan.path.some((p) => p.kind === 'sweep'));
        assert.equal(
          plan.path.some((p) => p.kind === 'perimeter'),
          perimeter,
        );
        assert.ok(
          score.pathLength < 1.6 * score.lowerBound,
          `length ${score.pathLength} vs ${score.lowerBound}`,
        );
      });

  it('covers random furnished rooms ≥ 99 % with no collision, with and without the perimeter pass', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 3, max: 10 }),
        fc.boolean(),
        (seed, pieces, perimeter) => {
          const { score } = planAndScore(clutteredRoom(5, pieces, seed), perimeter);
          return score.coverage >= 0.99 && score.collisions === 0;
        },
      ),
      { numRuns: 6, seed: 42 },
    );
  });

  it('plans the ROS fixture maps with ≥ 99 % coverage and no collision', () => {
    for (const [file, start] of [
      ['tb3_sandbox.yaml', { x: -0.225, y: 0.225, theta: 0 }],
      ['map_circular.yaml', { x: -0.075, y: 0.325, theta: 0 }],
    ] as const) {
      const grid = readRosMap(new URL(`../../test/fixtures/maps/${file}`, import.meta.url).pathname);
      const { score } = planAndScore(grid, true, start);
      assert.ok(score.coverage >= 0.99, `${file}: coverage ${score.coverage}`);
      assert.equal(score.collisions, 0, file);
    }
  });

  it('steps round a chair leg: no cell boundary and no edge-cleaning loop at it, full coverage', () => {
    const leg: [number, number] = [2.2, 1.7];
    const grid = floorPlan(4.4, 3.4, [[0.2, 0.2, 4.2, 3.2]], [[...leg, leg[0] + 0.05, leg[1] + 0.05]]);
    const costmap = costmapFromGrid(grid, RADIUS);
    const plan = planCoverage(costmap, START, undefined, { toolWidth: TOOL });
    const score = scoreCoverage(grid, plan.path, { toolWidth: TOOL, robotRadius: RADIUS });
    assert.ok(score.coverage >= 0.99, `coverage ${score.coverage}`);
    assert.equal(score.collisions, 0);
    assert.equal(plan.cellCount, 1);
    const loop = plan.path.filter(
      (p) => p.kind === 'perimeter' && Math.hypot(p.x - leg[0], p.y - leg[1]) < 0.5,
    );
    assert.equal(loop.length, 0, 'edge cleaning loops round the leg');
    // The rows that meet the leg go round it (sweeping), not through A* transit.
    const transitNear = plan.path.filter(
      (p) => p.kind === 'transit' && Math.hypot(p.x - leg[0], p.y - leg[1]) < 0.5,
    );
    assert.equal(transitNear.length, 0);
    // Worked around as before when asked to.
    const around = planCoverage(costmap, START, undefined, { toolWidth: TOOL, smallObstacle: 0 });
    assert.ok(around.cellCount > 1);
  });

  it('leaves slivers along ragged walls unswept within the gap budget, and no more', () => {
    for (const seed of [1, 2, 3]) {
      const grid = raggedRoom(seed, 120);
      const costmap = costmapFromGrid(grid, RADIUS);
      const params = { toolWidth: TOOL, perimeter: false };
      const all = planCoverage(costmap, START, undefined, { ...params, gapBudget: 0 });
      const plan = planCoverage(costmap, START, undefined, params);
      const left = plan.unsweptCells - all.unsweptCells;
      assert.ok(left > 0, `seed ${seed}: no sliver left`);
      assert.ok(left <= 0.003 * plan.remainingCells, `seed ${seed}: ${left} of ${plan.remainingCells} left`);
      const score = scoreCoverage(grid, plan.path, { toolWidth: TOOL, robotRadius: RADIUS });
      assert.ok(score.coverage >= 0.99, `seed ${seed}: coverage ${score.coverage}`);
      assert.equal(score.collisions, 0);
    }
  });

  it('sweeps along the walls of a rotated room', () => {
    // A 5 × 3 m room turned by 30°: cells inside the rotated rectangle are free.
    const grid = floorPlan(7, 6, []);
    const angle = Math.PI / 6;
    const [cx, cy] = [3.5, 3];
    for (let y = 0; y < grid.height; y++)
      for (let x = 0; x < grid.width; x++) {
        const dx = (x + 0.5) * grid.resolution - cx;
        const dy = (y + 0.5) * grid.resolution - cy;
        const u = dx * Math.cos(angle) + dy * Math.sin(angle);
        const v = -dx * Math.sin(angle) + dy * Math.cos(angle);
        if (Math.abs(u) < 2.5 && Math.abs(v) < 1.5) grid.data[y * grid.width + x] = 0;
      }
    const obstacle = Uint8Array.from(grid.data, (v) => (v === 100 ? 1 : 0));
    const wall = dominantWallAngle(grid, obstacle)!;
    assert.ok(Math.abs(Math.sin(2 * (wall - angle))) < 0.06, `wall angle ${wall}`);
    const { plan, score } = planAndScore(grid, false, { x: cx, y: cy, theta: 0 });
    assert.ok(Math.abs(Math.sin(plan.sweepAngle - angle)) < 0.06, `sweep angle ${plan.sweepAngle}`);
    assert.ok(score.coverage >= 0.99, `coverage ${score.coverage}`);
    assert.equal(score.collisions, 0);
  });

  it('sweeps the arm of an L-shaped room in its own direction, with fewer turns than one direction', () => {
    const grid = lRoom();
    const costmap = costmapFromGrid(grid, RADIUS);
    const params = { toolWidth: TOOL, perimeter: false };
    const perRegion = planCoverage(costmap, START, undefined, params);
    const single = planCoverage(costmap, START, undefined, { ...params, sweepAngle: perRegion.sweepAngle });
    const runs = sweepRuns(perRegion.path).filter(([a, b]) => Math.hypot(b.x - a.x, b.y - a.y) > 1.5);
    const along = (dx: number, dy: number) =>
      runs.some(([a, b]) => Math.abs(b.x - a.x) * dx + Math.abs(b.y - a.y) * dy > 1.5);
    assert.ok(along(1, 0) && along(0, 1), 'rows in both directions');
    const turns = (path: readonly CoveragePose[]) =>
      scoreCoverage(grid, path, { toolWidth: TOOL, robotRadius: RADIUS }).turns;
    assert.ok(
      turns(perRegion.path) < 0.8 * turns(single.path),
      `${turns(perRegion.path)} vs ${turns(single.path)}`,
    );
  });

  it('beats a naive grid sweep, which never reaches the second of two rooms', () => {
    const grid = twoRooms();
    const costmap = costmapFromGrid(grid, RADIUS);
    const naive = scoreCoverage(grid, naiveGridSweep(costmap, START, TOOL), {
      toolWidth: TOOL,
      robotRadius: RADIUS,
    });
    const { score } = planAndScore(grid, true);
    // The second room is right of x = 4.3 m; the naive sweep gets no further into it than the door's
    // rows (y > 3 m) before it runs out of rows.
    const naivePath = naiveGridSweep(costmap, START, TOOL);
    assert.ok(naivePath.every((p) => p.x < 4.8 || p.y > 2.9));
    assert.ok(naive.coverage < 0.65, `naive coverage ${naive.coverage}`);
    assert.ok(score.coverage >= 0.99);
  });
});

describe('replanning', () => {
  /** Tool sweep of the first `fraction` of the path, in the costmap's geometry. */
  function executed(grid: OccupancyGrid, path: readonly CoveragePose[], upTo: number): Uint8Array {
    const covered = new Uint8Array(grid.width * grid.height);
    sweepPolyline(grid, covered, undefined, path.slice(0, upTo + 1), TOOL / 2);
    return covered;
  }

  it('keeps the covered part and completes the rest after an obstacle appears across the remaining sweeps', () => {
    const grid = floorPlan(6.4, 4.4, [[0.2, 0.2, 6.2, 4.2]]);
    const first = planCoverage(costmapFromGrid(grid, RADIUS), START, undefined, {
      toolWidth: TOOL,
      perimeter: false,
    });
    const stop = Math.floor(first.path.length * 0.4);
    const pose = first.path[stop]!;
    const covered = executed(grid, first.path, stop);
    // A bench across the room above the robot, 0.4 m thick, with room to pass at both ends.
    const changed: OccupancyGrid = { ...grid, data: grid.data.slice() };
    fill(changed, [[1.2, 3.0, 5.2, 3.4]], 100);
    const costmap = costmapFromGrid(changed, RADIUS);
    const replan = replanCoverage(first, costmap, pose, covered, { toolWidth: TOOL, perimeter: false });
    assert.deepEqual({ x: replan.path[0]!.x, y: replan.path[0]!.y }, { x: pose.x, y: pose.y });
    const score = scoreCoverage(changed, [...first.path.slice(0, stop + 1), ...replan.path], {
      toolWidth: TOOL,
      robotRadius: RADIUS,
    });
    assert.ok(score.coverage >= 0.99, `coverage ${score.coverage}`);
    assert.equal(scoreCoverage(changed, replan.path, { toolWidth: TOOL, robotRadius: RADIUS }).collisions, 0);
    // Only the remainder is planned: the new path is about as long as the rest of the old one.
    const rest = scoreCoverage(grid, first.path.slice(stop), {
      toolWidth: TOOL,
      robotRadius: RADIUS,
    }).pathLength;
    const again = scoreCoverage(changed, replan.path, { toolWidth: TOOL, robotRadius: RADIUS }).pathLength;
    assert.ok(again < 1.3 * rest, `replanned ${again} m vs ${rest} m left`);
    assert.ok(replan.plannedCells <= replan.remainingCells);
  });

  it('leaves specks scattered over a nearly finished floor within the gap budget of the whole floor', () => {
    const grid = floorPlan(6.4, 4.4, [[0.2, 0.2, 6.2, 4.2]]);
    const costmap = costmapFromGrid(grid, RADIUS);
    const params = { toolWidth: TOOL, perimeter: false };
    const first = planCoverage(costmap, START, undefined, params);
    // Everything swept but four specks of 2 × 2 cells far apart, 16 cells of some 9,000: each would cost
    // a trip across the room.
    const covered = new Uint8Array(grid.width * grid.height).fill(1);
    const specks = [
      [1.5, 1.2],
      [4.8, 1.1],
      [1.3, 3.4],
      [5.0, 3.3],
    ];
    for (const [x, y] of specks)
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++)
          covered[(Math.floor(y! / 0.05) + dy) * grid.width + Math.floor(x! / 0.05) + dx] = 0;
    const end = first.path[first.path.length - 1]!;
    const tail = replanCoverage(first, costmap, end, covered, params);
    assert.equal(tail.remainingCells, 16);
    assert.equal(tail.plannedCells, 0, 'specks worth less than their trips are left');
    const every = replanCoverage(first, costmap, end, covered, { ...params, gapBudget: 0 });
    assert.equal(every.plannedCells, 16, 'with no gap budget each speck is visited');
  });

  it('reports a closed-off room as unreachable and sweeps it once the door opens again', () => {
    const grid = twoRooms();
    const first = planCoverage(costmapFromGrid(grid, RADIUS), START, undefined, { toolWidth: TOOL });
    const stop = 30;
    const pose = first.path[stop]!;
    const covered = executed(grid, first.path, stop);
    const closed: OccupancyGrid = { ...grid, data: grid.data.slice() };
    fill(closed, [[4.1, 2.9, 4.5, 3.9]], 100);
    const blockedPlan = replanCoverage(first, costmapFromGrid(closed, RADIUS), pose, covered, {
      toolWidth: TOOL,
    });
    assert.ok(blockedPlan.blocked.length > 0);
    assert.ok(blockedPlan.unreachableCells * 0.05 ** 2 > 12, `unreachable ${blockedPlan.unreachableCells}`);
    assert.equal(
      blockedPlan.path.some((p) => p.x > 4.4),
      false,
    );
    // The robot cleans the first room, then the door opens.
    const afterRoom1 = blockedPlan.path[blockedPlan.path.length - 1]!;
    const covered2 = covered.slice();
    sweepPolyline(grid, covered2, undefined, blockedPlan.path, TOOL / 2);
    const reopened = replanCoverage(blockedPlan, costmapFromGrid(grid, RADIUS), afterRoom1, covered2, {
      toolWidth: TOOL,
    });
    assert.ok(reopened.path.some((p) => p.x > 4.8));
    assert.equal(reopened.unreachableCells, 0);
    const score = scoreCoverage(
      grid,
      [...first.path.slice(0, stop + 1), ...blockedPlan.path, ...reopened.path],
      { toolWidth: TOOL, robotRadius: RADIUS },
    );
    assert.ok(score.coverage >= 0.99, `coverage ${score.coverage}`);
  });
});
