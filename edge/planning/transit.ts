/**
 * Transit paths on a costmap: A* over 8-connected cells the robot's centre may occupy (cost below
 * "inscribed"), with a step cost that grows with the inflation cost so paths keep clear of walls when they
 * can, then shortened by line-of-sight checks. Pure.
 */
import { walkGridSupercover } from '../../shared/grid-line.ts';
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';

export interface CostGrid extends GridInfo {
  costs: Uint8Array;
}

/** Nav2 costs at and above this are where the robot's centre must not be. */
export const INSCRIBED = 253;

export interface TransitOptions {
  /** extra cost per cell step at the maximum inflation cost (252), in cells; default 4 */
  costWeight?: number;
  /** treat unknown (255) cells as passable (exploration into the unknown); default false */
  allowUnknown?: boolean;
  /**
   * weight on the heuristic (weighted A*): above 1 expands far fewer cells for paths at most that factor
   * longer (the line-of-sight smoothing then straightens them); default 1 (optimal)
   */
  heuristicWeight?: number;
  /** scratch arrays reused across searches on grids of one size (a coverage plan runs hundreds) */
  workspace?: TransitWorkspace;
  /**
   * highest cost the path may pass over between its start and goal cells (default: anything short of
   * inscribed); see `planClearTransit`
   */
  maxCost?: number;
}

/**
 * Search arrays for one grid size. A generation counter marks which entries belong to the current search,
 * so nothing is cleared between searches.
 */
export class TransitWorkspace {
  readonly g: Float64Array;
  readonly parent: Int32Array;
  /** generation in which g/parent were set; `closedGen` likewise for the closed set */
  readonly seenGen: Uint32Array;
  readonly closedGen: Uint32Array;
  generation = 0;
  constructor(readonly size: number) {
    this.g = new Float64Array(size);
    this.parent = new Int32Array(size);
    this.seenGen = new Uint32Array(size);
    this.closedGen = new Uint32Array(size);
  }
}

export interface PathPoint {
  x: number;
  y: number;
  theta: number;
}

/** The 8 neighbours of a cell: x and y offsets, and the step length in cells (4 straight, then 4 diagonal). */
export const DX: readonly number[] = [1, -1, 0, 0, 1, 1, -1, -1];
export const DY: readonly number[] = [0, 0, 1, -1, 1, -1, 1, -1];
export const STEP: readonly number[] = [1, 1, 1, 1, Math.SQRT2, Math.SQRT2, Math.SQRT2, Math.SQRT2];

/** Whether the robot's centre may be in cell i (below `maxCost`, default: anything short of inscribed). */
export function passable(grid: CostGrid, i: number, allowUnknown = false, maxCost = INSCRIBED - 1): boolean {
  const c = grid.costs[i]!;
  return c <= maxCost || (allowUnknown && c === 255);
}

/**
 * The inflation cost at `clearance` metres beyond the robot's radius (Nav2's 252·e^(−k·(d − r))): planning
 * below it keeps that much air between the robot and the nearest obstacle.
 */
export function costAtClearance(clearance: number, costScaling = 3): number {
  return Math.floor(252 * Math.exp(-costScaling * clearance));
}

/** The passable cell nearest to (cx, cy) within `maxCells` (Chebyshev rings), or -1. */
export function nearestPassable(
  grid: CostGrid,
  cx: number,
  cy: number,
  maxCells: number,
  allowUnknown = false,
): number {
  return nearestCell(grid, cx, cy, maxCells, (i) => passable(grid, i, allowUnknown));
}

/** The cell nearest to (cx, cy) within `maxCells` (Chebyshev rings) that `accept`s, or -1. */
export function nearestCell(
  grid: { width: number; height: number },
  cx: number,
  cy: number,
  maxCells: number,
  accept: (i: number) => boolean,
): number {
  const { width, height } = grid;
  let best = -1;
  let bestD = Infinity;
  for (let r = 0; r <= maxCells; r++) {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const i = y * width + x;
        if (!accept(i)) continue;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
    }
    if (best >= 0) return best;
  }
  return -1;
}

/** A binary min-heap of (key, value) pairs. */
export class MinHeap {
  private keys: number[] = [];
  private vals: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, val: number): void {
    const k = this.keys;
    const v = this.vals;
    k.push(key);
    v.push(val);
    let i = k.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      k[i] = k[p]!;
      v[i] = v[p]!;
      i = p;
    }
    k[i] = key;
    v[i] = val;
  }
  pop(): number {
    const k = this.keys;
    const v = this.vals;
    const top = v[0]!;
    const lastK = k.pop()!;
    const lastV = v.pop()!;
    if (k.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= k.length) break;
        const r = l + 1;
        const m = r < k.length && k[r]! < k[l]! ? r : l;
        if (k[m]! >= lastK) break;
        k[i] = k[m]!;
        v[i] = v[m]!;
        i = m;
      }
      k[i] = lastK;
      v[i] = lastV;
    }
    return top;
  }
}

/**
 * A* from `from` to `to` (map metres). Start and goal snap to the nearest passable cell within 0.3 m.
 * Returns cell-centre waypoints (smoothed by line of sight) ending at the goal, or undefined.
 */
export function planTransit(
  grid: CostGrid,
  from: Point2D,
  to: Point2D,
  options: TransitOptions = {},
): PathPoint[] | undefined {
  const { width, height, resolution, origin } = grid;
  const allowUnknown = options.allowUnknown ?? false;
  const weight = options.costWeight ?? 4;
  const maxCost = options.maxCost ?? INSCRIBED - 1;
  const cell = (p: Point2D) => ({
    cx: Math.floor((p.x - origin.x) / resolution),
    cy: Math.floor((p.y - origin.y) / resolution),
  });
  const snap = Math.ceil(0.3 / resolution);
  const a = cell(from);
  const b = cell(to);
  const start = nearestPassable(grid, a.cx, a.cy, snap, allowUnknown);
  const goal = nearestPassable(grid, b.cx, b.cy, snap, allowUnknown);
  if (start < 0 || goal < 0) return undefined;
  const n = width * height;
  const ws = options.workspace?.size === n ? options.workspace : new TransitWorkspace(n);
  const gen = ++ws.generation;
  const { g, parent, seenGen, closedGen } = ws;
  const isClosed = (i: number) => closedGen[i] === gen;
  const gOf = (i: number) => (seenGen[i] === gen ? g[i]! : Infinity);
  const hw = options.heuristicWeight ?? 1;
  const gx = goal % width;
  const gy = (goal - gx) / width;
  const h = (i: number) => {
    const x = i % width;
    const y = (i - x) / width;
    const dx = Math.abs(x - gx);
    const dy = Math.abs(y - gy);
    return hw * (Math.max(dx, dy) + (Math.SQRT2 - 1) * Math.min(dx, dy));
  };
  const open = new MinHeap();
  g[start] = 0;
  parent[start] = -1;
  seenGen[start] = gen;
  open.push(h(start), start);
  while (open.size > 0) {
    const i = open.pop();
    if (isClosed(i)) continue;
    closedGen[i] = gen;
    if (i === goal) break;
    const x = i % width;
    const y = (i - x) / width;
    for (let k = 0; k < 8; k++) {
      const nx = x + DX[k]!;
      const ny = y + DY[k]!;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (
        isClosed(j) ||
        !(j === goal ? passable(grid, j, allowUnknown) : passable(grid, j, allowUnknown, maxCost))
      )
        continue;
      // No corner cutting between two impassable cells.
      if (
        k >= 4 &&
        (!passable(grid, y * width + nx, allowUnknown, maxCost) ||
          !passable(grid, ny * width + x, allowUnknown, maxCost))
      )
        continue;
      const c = grid.costs[j]!;
      const penalty = c === 255 ? weight : (weight * c) / 252;
      const cost = g[i]! + STEP[k]! * (1 + penalty);
      if (cost < gOf(j)) {
        g[j] = cost;
        seenGen[j] = gen;
        parent[j] = i;
        open.push(cost + h(j), j);
      }
    }
  }
  if (!isClosed(goal)) return undefined;
  const cells: number[] = [];
  for (let i = goal; i >= 0; i = parent[i]!) {
    cells.push(i);
    if (i === start) break;
  }
  cells.reverse();
  const smooth = smoothCells(grid, cells, allowUnknown);
  const points = smooth.map((i) => {
    const x = i % width;
    const y = (i - x) / width;
    return { x: origin.x + (x + 0.5) * resolution, y: origin.y + (y + 0.5) * resolution };
  });
  points[0] = { x: from.x, y: from.y };
  if (points.length === 1) points.push({ x: to.x, y: to.y });
  else
    points[points.length - 1] = passableAt(grid, to, allowUnknown)
      ? { x: to.x, y: to.y }
      : points[points.length - 1]!;
  return densify(points, resolution * 2);
}

/**
 * A transit path over cells no costlier than `maxCost` (e.g. `costAtClearance(0.05)`: 5 cm of air beyond the
 * robot's radius) where it can (between chair legs
 * or under a table a gap the centre just fits through is a trap: the next scan can close it behind the
 * robot, and its safety gate stops it at every leg), and goes closer only where nothing else leads to the
 * goal.
 */
export function planClearTransit(
  grid: CostGrid,
  from: Point2D,
  to: Point2D,
  maxCost: number,
  options: Omit<TransitOptions, 'maxCost'> = {},
): PathPoint[] | undefined {
  return planTransit(grid, from, to, { ...options, maxCost }) ?? planTransit(grid, from, to, options);
}

function passableAt(grid: CostGrid, p: Point2D, allowUnknown: boolean): boolean {
  const cx = Math.floor((p.x - grid.origin.x) / grid.resolution);
  const cy = Math.floor((p.y - grid.origin.y) / grid.resolution);
  if (cx < 0 || cy < 0 || cx >= grid.width || cy >= grid.height) return false;
  return passable(grid, cy * grid.width + cx, allowUnknown);
}

/**
 * Whether every cell the segment between two cell centres passes through is passable and no costlier than the
 * worse end. Every cell, not a Bresenham line's: the path follower samples the segment itself, and a cell a
 * thin line skips at a corner would stop it as obstructed.
 */
export function lineOfSight(grid: CostGrid, a: number, b: number, allowUnknown = false): boolean {
  const { width } = grid;
  const limit = Math.max(grid.costs[a]!, grid.costs[b]!, 128);
  return walkGridSupercover(a % width, Math.floor(a / width), b % width, Math.floor(b / width), (x, y) => {
    const i = y * width + x;
    return passable(grid, i, allowUnknown) && (grid.costs[i]! <= limit || grid.costs[i]! === 255);
  });
}

function smoothCells(grid: CostGrid, cells: number[], allowUnknown: boolean): number[] {
  if (cells.length <= 2) return cells;
  const out = [cells[0]!];
  let anchor = 0;
  for (let k = 2; k < cells.length; k++) {
    if (!lineOfSight(grid, cells[anchor]!, cells[k]!, allowUnknown)) {
      out.push(cells[k - 1]!);
      anchor = k - 1;
    }
  }
  out.push(cells[cells.length - 1]!);
  return out;
}

/** Adds intermediate points so no step is longer than `step`, with headings along the path. */
export function densify(points: readonly Point2D[], step: number): PathPoint[] {
  const out: PathPoint[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const theta = Math.atan2(b.y - a.y, b.x - a.x);
    const n = Math.max(1, Math.ceil(len / step));
    for (let s = 0; s < n; s++)
      out.push({ x: a.x + ((b.x - a.x) * s) / n, y: a.y + ((b.y - a.y) * s) / n, theta });
  }
  const last = points[points.length - 1]!;
  const prev = out[out.length - 1];
  out.push({ x: last.x, y: last.y, theta: prev?.theta ?? 0 });
  return out;
}

/** Path length in metres. */
export function pathLength(path: readonly Point2D[]): number {
  let sum = 0;
  for (let k = 1; k < path.length; k++)
    sum += Math.hypot(path[k]!.x - path[k - 1]!.x, path[k]!.y - path[k - 1]!.y);
  return sum;
}

export type { Pose2D };
