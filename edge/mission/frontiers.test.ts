import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createGrid, FREE, OCCUPIED, UNKNOWN, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { findFrontierGoal, FrontierParamsSchema, obstacleDistanceCells, pathDistances } from './frontiers.ts';

// The test rooms open 0.5 m gaps; the algorithm is tested at a threshold below that.
const params = FrontierParamsSchema.parse({ minFrontierLength: 0.25 });
const RES = 0.05;

function fill(grid: OccupancyGrid, x0: number, y0: number, x1: number, y1: number, value: number): void {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) grid.data[y * grid.width + x] = value;
}

/** Unknown everywhere except a walled room: free cells x 10…69, y 5…34, walls one cell thick around. */
function room(): OccupancyGrid {
  const grid = createGrid(
    { width: 80, height: 40, resolution: RES, origin: { x: 0, y: 0, theta: 0 } },
    UNKNOWN,
  );
  fill(grid, 9, 4, 70, 35, OCCUPIED);
  fill(grid, 10, 5, 69, 34, FREE);
  return grid;
}

/** Opens the left (x = 9) or right (x = 70) wall over rows 15…24 onto unknown space. */
function openWall(grid: OccupancyGrid, side: 'left' | 'right'): void {
  const x = side === 'left' ? 9 : 70;
  fill(grid, x, 15, x, 24, FREE);
}

const at = (cx: number, cy: number) => ({ x: (cx + 0.5) * RES, y: (cy + 0.5) * RES });

describe('findFrontierGoal', () => {
  it('picks the nearest reachable frontier', () => {
    const grid = room();
    openWall(grid, 'left');
    openWall(grid, 'right');
    const fromLeft = findFrontierGoal(grid, at(20, 20), params);
    const fromRight = findFrontierGoal(grid, at(60, 20), params);
    assert.equal(fromLeft.kind, 'goal');
    assert.equal(fromRight.kind, 'goal');
    if (fromLeft.kind !== 'goal' || fromRight.kind !== 'goal') return;
    assert.equal(fromLeft.clusters.length, 2);
    // the goal is a traversable frontier cell: in the opening, a robot radius from its edges
    assert.equal(fromLeft.cell.cx, 9);
    assert.ok(fromLeft.cell.cy >= 15 + 3 && fromLeft.cell.cy <= 24 - 3, `cy ${fromLeft.cell.cy}`);
    assert.equal(fromRight.cell.cx, 70);
    // path distance is about the straight-line distance in this open room
    const straight = Math.hypot(fromLeft.goal.x - at(20, 20).x, fromLeft.goal.y - at(20, 20).y);
    assert.ok(fromLeft.pathDistance >= straight - 1e-9 && fromLeft.pathDistance < straight * 1.1);
  });

  it('prefers a much longer frontier a little further away (size score)', () => {
    const grid = room();
    openWall(grid, 'left');
    fill(grid, 70, 6, 70, 33, FREE); // the whole right wall opens
    const out = findFrontierGoal(grid, at(38, 20), params);
    assert.equal(out.kind, 'goal');
    if (out.kind === 'goal') assert.ok(out.goal.x > 3, 'long right frontier wins');
  });

  it('ignores a frontier in a walled-off pocket', () => {
    const grid = room();
    openWall(grid, 'right');
    // a pocket enclosed by walls, with an unknown patch inside it, close to the robot
    fill(grid, 19, 14, 30, 25, OCCUPIED);
    fill(grid, 20, 15, 29, 24, FREE);
    fill(grid, 23, 18, 26, 21, UNKNOWN);
    const out = findFrontierGoal(grid, at(14, 10), params);
    assert.equal(out.kind, 'goal');
    if (out.kind !== 'goal') return;
    assert.ok(out.goal.x > 3.3);
    const pocket = out.clusters.find((c) => c.centroid.x > 1 && c.centroid.x < 1.5)!;
    assert.ok(pocket, 'the pocket frontier is found');
    assert.equal(pocket.goal, undefined);
    assert.equal(pocket.score, Infinity);
  });

  it('returns none (unreachable) when the only frontier is behind a corridor narrower than the robot', () => {
    const grid = room();
    // close the room's right part: free only up to x = 39, wall at x = 40
    fill(grid, 40, 4, 79, 35, UNKNOWN);
    fill(grid, 40, 4, 40, 35, OCCUPIED);
    // a corridor 5 cells (0.25 m) wide and 1 m long through the wall, ending in unknown space
    fill(grid, 40, 17, 60, 23, OCCUPIED);
    fill(grid, 40, 18, 60, 22, FREE);
    // (its end is a frontier 0.25 m long)
    const short = FrontierParamsSchema.parse({ minFrontierLength: 0.2 });
    const narrow = findFrontierGoal(grid, at(30, 20), short);
    assert.deepEqual([narrow.kind, narrow.kind === 'none' && narrow.reason], ['none', 'unreachable']);
    // a smaller robot fits through
    const small = findFrontierGoal(
      grid,
      at(30, 20),
      FrontierParamsSchema.parse({ robotRadius: 0.09, minFrontierLength: 0.2 }),
    );
    assert.equal(small.kind, 'goal');
  });

  it('returns none (explored) when no free cell borders unknown space', () => {
    const out = findFrontierGoal(room(), at(30, 20), params);
    assert.deepEqual(out, { kind: 'none', reason: 'explored', clusters: [] });
  });

  it('drops frontiers shorter than minFrontierLength', () => {
    const grid = room();
    fill(grid, 9, 20, 9, 22, FREE); // 3 cells = 0.15 m
    assert.equal(findFrontierGoal(grid, at(30, 20), params).kind, 'none');
    const lenient = FrontierParamsSchema.parse({ minFrontierLength: 0.1 });
    assert.equal(findFrontierGoal(grid, at(30, 20), lenient).kind, 'goal');
  });

  it('skips blacklisted goals and honours an injected obstacle mask', () => {
    const grid = room();
    openWall(grid, 'left');
    openWall(grid, 'right');
    const first = findFrontierGoal(grid, at(20, 20), params);
    assert.equal(first.kind, 'goal');
    if (first.kind !== 'goal') return;
    const second = findFrontierGoal(
      grid,
      at(20, 20),
      { ...params, blacklistRadius: 0.8 },
      { blacklist: [first.goal] },
    );
    assert.equal(second.kind, 'goal');
    if (second.kind === 'goal') assert.ok(second.goal.x > 3.3);
    // a virtual wall across the room cuts the robot off from the right frontier
    const obstacles = new Uint8Array(grid.width * grid.height);
    for (let i = 0; i < obstacles.length; i++) if (grid.data[i] === OCCUPIED) obstacles[i] = 1;
    for (let y = 0; y < grid.height; y++) obstacles[y * grid.width + 40] = 1;
    const cut = findFrontierGoal(grid, at(60, 20), params, { obstacles, blacklist: [first.goal] });
    assert.equal(cut.kind, 'goal');
    if (cut.kind === 'goal') assert.ok(cut.goal.x > 3.3);
    const trapped = findFrontierGoal(
      grid,
      at(20, 20),
      { ...params, blacklistRadius: 0.8 },
      { obstacles, blacklist: [first.goal] },
    );
    assert.deepEqual([trapped.kind, trapped.kind === 'none' && trapped.reason], ['none', 'unreachable']);
  });

  it('refuses an obstacle mask of the wrong size', () => {
    assert.throws(
      () => findFrontierGoal(room(), at(30, 20), params, { obstacles: new Uint8Array(10) }),
      RangeError,
    );
  });

  it('reports a robot outside free space', () => {
    const grid = room();
    openWall(grid, 'left');
    const out = findFrontierGoal(grid, at(2, 2), params);
    assert.deepEqual([out.kind, out.kind === 'none' && out.reason], ['none', 'robot-outside-free-space']);
  });

  it('explores a 20 m × 20 m map quickly', (t) => {
    const size = 400;
    const grid = createGrid(
      { width: size, height: size, resolution: RES, origin: { x: 0, y: 0, theta: 0 } },
      UNKNOWN,
    );
    fill(grid, 50, 50, 349, 349, FREE);
    for (let k = 60; k < 340; k += 40) fill(grid, k, 60, k, 300, OCCUPIED);
    const started = performance.now();
    const out = findFrontierGoal(grid, { x: 10, y: 10 }, params);
    const ms = performance.now() - started;
    t.diagnostic(`400×400 grid: ${ms.toFixed(1)} ms`);
    assert.equal(out.kind, 'goal');
    assert.ok(ms < 1000);
  });
});

describe('obstacleDistanceCells', () => {
  it('is close to the exact Euclidean distance', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(29), fc.nat(29)), { minLength: 1, maxLength: 12 }), (sources) => {
        const w = 30;
        const mask = new Uint8Array(w * w);
        for (const [x, y] of sources) mask[y * w + x] = 1;
        const d = obstacleDistanceCells(w, w, mask);
        for (let y = 0; y < w; y++) {
          for (let x = 0; x < w; x++) {
            const exact = Math.min(...sources.map(([sx, sy]) => Math.hypot(x - sx, y - sy)));
            assert.ok(d[y * w + x]! >= exact - 1e-6 && d[y * w + x]! <= exact + 0.5, `${x},${y}`);
          }
        }
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});

describe('pathDistances', () => {
  it('goes around obstacles with 8-connected steps', () => {
    const w = 10;
    const traversable = new Uint8Array(w * w).fill(1);
    for (let y = 0; y < 9; y++) traversable[y * w + 5] = 0; // wall with a gap at the top row
    const d = pathDistances(w, w, traversable, 0);
    assert.equal(d[4]!, 4);
    // (0,0) → (9,0): diagonally up to the gap at (5, 9) and back down: 2 × 4 straight-equivalent + 9 diagonal
    assert.ok(Math.abs(d[9]! - (9 + 9 * Math.SQRT2)) < 1e-9, `${d[9]}`);
    assert.equal(d[5]!, Infinity);
  });
});
