/**
 * Frontier-based exploration (Yamauchi, "A Frontier-Based Approach for Autonomous Exploration", 1997): a
 * frontier cell is a known-free cell next to unknown space; 8-connected frontier cells form a frontier.
 * Frontiers too short, or with no cell the robot can reach near them, are dropped; the rest are scored by
 * path distance (Dijkstra from the robot over configuration-space free cells) against their size, and the
 * best one's nearest reachable cell is the goal.
 *
 * Configuration space: a cell is traversable when it is known free and its distance to the nearest obstacle
 * is at least the robot radius. The distance comes from a brushfire BFS over the grid that carries each
 * cell's nearest obstacle along, so it is Euclidean up to a small error at a few cells — enough for a
 * clearance test. Unknown cells are not obstacles for that test (the robot must be able to drive up to
 * the unknown), but they are never traversable.
 *
 * Pure: grid in, goal out; typed arrays throughout.
 */
import { squaredDistanceCells } from '../mapping/distance-field.ts';
import { z } from 'zod';
import type { Point2D } from '../../shared/geometry.ts';
import { cellToWorld, type OccupancyGrid } from '../../shared/occupancy-grid.ts';

export const FrontierParamsSchema = z.strictObject({
  robotRadius: z.number().positive().default(0.17).describe('m'),
  freeThreshold: z.number().int().min(0).max(100).default(25).describe('cells 0 … this are free'),
  occupiedThreshold: z.number().int().min(0).max(100).default(65).describe('cells this … 100 are obstacles'),
  minFrontierLength: z.number().nonnegative().default(0.8).describe('m: shorter frontiers are dropped'),
  goalSearchRadius: z
    .number()
    .nonnegative()
    .default(0.4)
    .describe('m (through free cells) from the frontier within which its goal must lie'),
  distanceWeight: z.number().nonnegative().default(1).describe('score per m of path'),
  sizeWeight: z.number().nonnegative().default(1).describe('score bonus per m of frontier'),
  blacklistRadius: z.number().nonnegative().default(0.3).describe('m around a failed goal not to retry'),
  startSearchRadius: z
    .number()
    .nonnegative()
    .default(0.3)
    .describe('m: if the robot cell is not traversable, start from the nearest one within this'),
});
export type FrontierParams = z.output<typeof FrontierParamsSchema>;

export interface FrontierCluster {
  /** number of frontier cells */
  size: number;
  /** m, size × resolution */
  length: number;
  centroid: Point2D;
  /** reachable goal for this frontier, undefined when none */
  goal?: Point2D;
  goalCell?: { cx: number; cy: number };
  /** m of path from the robot to the goal */
  pathDistance: number;
  /** lower is better */
  score: number;
}

export type FrontierResult =
  | {
      kind: 'goal';
      goal: Point2D;
      cell: { cx: number; cy: number };
      pathDistance: number;
      frontier: FrontierCluster;
      clusters: FrontierCluster[];
    }
  | {
      kind: 'none';
      /** explored: no frontier is left; unreachable: frontiers exist but none can be reached */
      reason: 'explored' | 'unreachable' | 'robot-outside-free-space';
      clusters: FrontierCluster[];
    };

export interface FrontierOptions {
  /** obstacle mask (1 = obstacle) to use instead of the grid's occupied cells, e.g. with marked bumps */
  obstacles?: Uint8Array;
  /** goals that failed before; frontier goals within blacklistRadius of them are skipped */
  blacklist?: readonly Point2D[];
}

const SQRT2 = Math.SQRT2;
const DX8 = [1, -1, 0, 0, 1, 1, -1, -1];
const DY8 = [0, 0, 1, -1, 1, -1, 1, -1];

/**
 * Distance in cells from every cell to the nearest cell with mask[i] = 1 (Infinity if none): the exact
 * Euclidean distance transform the costmap uses too.
 */
export function obstacleDistanceCells(width: number, height: number, mask: Uint8Array): Float64Array {
  const squared = squaredDistanceCells(width, height, (i) => mask[i] !== 0);
  const out = new Float64Array(squared.length);
  // squaredDistanceCells marks "no source" with a huge finite value; keep the documented Infinity.
  for (let i = 0; i < squared.length; i++) out[i] = squared[i]! >= 1e19 ? Infinity : Math.sqrt(squared[i]!);
  return out;
}

/** Dijkstra path distances in cells (8-connected, diagonal √2) over traversable cells from `start`. */
export function pathDistances(
  width: number,
  height: number,
  traversable: Uint8Array,
  start: number,
): Float64Array {
  const n = width * height;
  const dist = new Float64Array(n).fill(Infinity);
  // Binary heap of (distance, cell) in typed arrays; stale entries are skipped on pop.
  let heapKeys = new Float64Array(1024);
  let heapCells = new Int32Array(1024);
  let size = 0;
  const push = (key: number, cell: number) => {
    if (size === heapKeys.length) {
      const k = new Float64Array(size * 2);
      k.set(heapKeys);
      heapKeys = k;
      const c = new Int32Array(size * 2);
      c.set(heapCells);
      heapCells = c;
    }
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapKeys[parent]! <= key) break;
      heapKeys[i] = heapKeys[parent]!;
      heapCells[i] = heapCells[parent]!;
      i = parent;
    }
    heapKeys[i] = key;
    heapCells[i] = cell;
  };
  const pop = (): number => {
    const top = heapCells[0]!;
    const key = heapKeys[--size]!;
    const cell = heapCells[size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heapKeys[child + 1]! < heapKeys[child]!) child++;
      if (heapKeys[child]! >= key) break;
      heapKeys[i] = heapKeys[child]!;
      heapCells[i] = heapCells[child]!;
      i = child;
    }
    heapKeys[i] = key;
    heapCells[i] = cell;
    return top;
  };
  if (!traversable[start]) return dist;
  dist[start] = 0;
  push(0, start);
  while (size > 0) {
    const key = heapKeys[0]!;
    const i = pop();
    if (key > dist[i]!) continue;
    const cx = i % width;
    const cy = (i - cx) / width;
    for (let k = 0; k < 8; k++) {
      const nx = cx + DX8[k]!;
      const ny = cy + DY8[k]!;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (!traversable[j]) continue;
      const d = key + (k < 4 ? 1 : SQRT2);
      if (d < dist[j]!) {
        dist[j] = d;
        push(d, j);
      }
    }
  }
  return dist;
}

/**
 * Finds the best frontier to explore from the robot's map-frame position. `grid` holds ROS occupancy
 * values (0 … 100, −1 unknown).
 */
export function findFrontierGoal(
  grid: OccupancyGrid,
  robot: Point2D,
  p: FrontierParams,
  options: FrontierOptions = {},
): FrontierResult {
  const { width, height, resolution, data } = grid;
  const n = width * height;
  if (options.obstacles && options.obstacles.length !== n) {
    throw new RangeError(`obstacle mask has ${options.obstacles.length} cells, the grid ${n}`);
  }
  const free = new Uint8Array(n);
  const obstacles = options.obstacles ?? new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v >= 0 && v <= p.freeThreshold) free[i] = 1;
    if (!options.obstacles && v >= p.occupiedThreshold) obstacles[i] = 1;
  }
  const clearance = obstacleDistanceCells(width, height, obstacles);
  const radiusCells = p.robotRadius / resolution;
  const traversable = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (free[i] && !obstacles[i] && clearance[i]! >= radiusCells) traversable[i] = 1;
  }

  // Frontier cells: free, with an unknown 4-neighbour.
  const frontier = new Uint8Array(n);
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      const i = cy * width + cx;
      if (!free[i] || obstacles[i]) continue;
      if (
        (cx > 0 && data[i - 1]! < 0) ||
        (cx < width - 1 && data[i + 1]! < 0) ||
        (cy > 0 && data[i - width]! < 0) ||
        (cy < height - 1 && data[i + width]! < 0)
      ) {
        frontier[i] = 1;
      }
    }
  }

  const start = startCell(grid, robot, traversable, p);
  const dist =
    start < 0 ? new Float64Array(n).fill(Infinity) : pathDistances(width, height, traversable, start);

  const blacklist = options.blacklist ?? [];
  const blacklisted = (x: number, y: number) =>
    blacklist.some((b) => Math.hypot(b.x - x, b.y - y) <= p.blacklistRadius);
  const reach = Math.floor(p.goalSearchRadius / resolution);
  const stamp = new Int32Array(n);
  let stampId = 0;
  const minCells = p.minFrontierLength / resolution;

  const clusters: FrontierCluster[] = [];
  const label = new Uint8Array(n);
  const stack = new Int32Array(n);
  const members: number[] = [];
  for (let seed = 0; seed < n; seed++) {
    if (!frontier[seed] || label[seed]) continue;
    members.length = 0;
    let top = 0;
    stack[top++] = seed;
    label[seed] = 1;
    while (top > 0) {
      const i = stack[--top]!;
      members.push(i);
      const cx = i % width;
      const cy = (i - cx) / width;
      for (let k = 0; k < 8; k++) {
        const nx = cx + DX8[k]!;
        const ny = cy + DY8[k]!;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (frontier[j] && !label[j]) {
          label[j] = 1;
          stack[top++] = j;
        }
      }
    }
    if (members.length < minCells) continue;

    let sx = 0;
    let sy = 0;
    for (const i of members) {
      sx += i % width;
      sy += Math.floor(i / width);
    }
    const centroid = cellToWorld(grid, sx / members.length, sy / members.length);
    const goal = nearestReachable(
      members,
      width,
      height,
      free,
      obstacles,
      dist,
      reach,
      stamp,
      ++stampId,
      (j) => {
        if (blacklist.length === 0) return false;
        const w = cellToWorld(grid, j % width, Math.floor(j / width));
        return blacklisted(w.x, w.y);
      },
    );
    const goalDist = goal < 0 ? Infinity : dist[goal]!;
    const length = members.length * resolution;
    const cluster: FrontierCluster = {
      size: members.length,
      length,
      centroid,
      pathDistance: goalDist * resolution,
      score: goal < 0 ? Infinity : p.distanceWeight * goalDist * resolution - p.sizeWeight * length,
    };
    if (goal >= 0) {
      const cx = goal % width;
      const cy = (goal - cx) / width;
      cluster.goal = cellToWorld(grid, cx, cy);
      cluster.goalCell = { cx, cy };
    }
    clusters.push(cluster);
  }

  let best: FrontierCluster | undefined;
  for (const c of clusters) if (c.goal && (!best || c.score < best.score)) best = c;
  if (best) {
    return {
      kind: 'goal',
      goal: best.goal!,
      cell: best.goalCell!,
      pathDistance: best.pathDistance,
      frontier: best,
      clusters,
    };
  }
  if (clusters.length === 0) return { kind: 'none', reason: 'explored', clusters };
  return { kind: 'none', reason: start < 0 ? 'robot-outside-free-space' : 'unreachable', clusters };
}

/**
 * The goal for one frontier: a breadth-first search from its cells over known free cells (so never through
 * a wall), ring by ring up to `reach` steps; the first ring holding reachable cells wins, and within it the
 * cell with the shortest path from the robot. −1 when none is reachable.
 */
function nearestReachable(
  members: readonly number[],
  width: number,
  height: number,
  free: Uint8Array,
  obstacles: Uint8Array,
  dist: Float64Array,
  reach: number,
  stamp: Int32Array,
  stampId: number,
  excluded: (cell: number) => boolean,
): number {
  let ring = members.slice();
  for (const i of ring) stamp[i] = stampId;
  for (let depth = 0; depth <= reach && ring.length > 0; depth++) {
    let best = -1;
    for (const i of ring) {
      if (dist[i]! < Infinity && (best < 0 || dist[i]! < dist[best]!) && !excluded(i)) best = i;
    }
    if (best >= 0) return best;
    const next: number[] = [];
    for (const i of ring) {
      const cx = i % width;
      const cy = (i - cx) / width;
      for (let k = 0; k < 8; k++) {
        const nx = cx + DX8[k]!;
        const ny = cy + DY8[k]!;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (stamp[j] === stampId || !free[j] || obstacles[j]) continue;
        stamp[j] = stampId;
        next.push(j);
      }
    }
    ring = next;
  }
  return -1;
}

/** The robot's cell, or the nearest traversable cell within startSearchRadius; −1 if none. */
function startCell(grid: OccupancyGrid, robot: Point2D, traversable: Uint8Array, p: FrontierParams): number {
  const { width, height, resolution, origin } = grid;
  const rx = Math.floor((robot.x - origin.x) / resolution);
  const ry = Math.floor((robot.y - origin.y) / resolution);
  const r = Math.ceil(p.startSearchRadius / resolution);
  let best = -1;
  let best2 = Infinity;
  for (let cy = Math.max(0, ry - r); cy <= Math.min(height - 1, ry + r); cy++) {
    for (let cx = Math.max(0, rx - r); cx <= Math.min(width - 1, rx + r); cx++) {
      const i = cy * width + cx;
      const d2 = (cx - rx) ** 2 + (cy - ry) ** 2;
      if (traversable[i] && d2 < best2 && d2 <= r * r) {
        best = i;
        best2 = d2;
      }
    }
  }
  return best;
}
