/**
 * Coverage planning on a costmap: boustrophedon sweeps over the free space the robot's centre can reach,
 * each sweep row cut into the segments the obstacles leave, segments ordered greedily so that the robot
 * mostly steps to the next row (a U-turn) and only transits (A*) when it must, then a gap-filling pass that
 * visits whatever the sweeps left unswept (along walls, around furniture). Cells already covered are not
 * planned again, so the same function replans the remainder after the map changed. Pure.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import { densify, lineOfSight, nearestPassable, passable, planTransit, type CostGrid } from './transit.ts';

export type SegmentKind = 'sweep' | 'transit' | 'gap';

export interface CoveragePose {
  x: number;
  y: number;
  theta: number;
  kind: SegmentKind;
}

export interface CoverageParams {
  toolWidth: number;
  /** fraction of the tool width that neighbouring rows overlap; default 0.1 */
  overlap?: number;
  /** ignore uncovered patches smaller than this many cells; default 2 */
  minGapCells?: number;
}

export interface CoverageResult {
  path: CoveragePose[];
  /** cells the plan sweeps that were not covered before */
  plannedCells: number;
  /** cleanable cells (within the tool's reach of a reachable centre) not yet covered before planning */
  remainingCells: number;
  /** cleanable-looking free cells the robot cannot get its tool to from here */
  unreachableCells: number;
  orientation: 'x' | 'y';
}

interface Segment {
  /** row coordinate (cell index across the sweep direction) */
  row: number;
  /** first and last cell along the sweep direction */
  a: number;
  b: number;
  done: boolean;
}

/** Flood fill of passable cells from `start`. */
export function reachableFrom(grid: CostGrid, start: number): Uint8Array {
  const { width, height } = grid;
  const out = new Uint8Array(width * height);
  if (start < 0) return out;
  const stack = [start];
  out[start] = 1;
  const visit = (j: number) => {
    if (!out[j] && passable(grid, j)) {
      out[j] = 1;
      stack.push(j);
    }
  };
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (y > 0) visit(i - width);
    if (y < height - 1) visit(i + width);
  }
  return out;
}

/** Offsets (dx, dy) of the cells whose centres lie within `radius` cells of a cell's centre. */
function diskOffsets(radiusCells: number): Int32Array {
  const r = Math.floor(radiusCells);
  const out: number[] = [];
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= radiusCells * radiusCells) out.push(dx, dy);
  return Int32Array.from(out);
}

/** Cells the tool reaches from some reachable centre, that are floor (not lethal, not unknown). */
export function cleanableCells(grid: CostGrid, reachable: Uint8Array, toolRadius: number): Uint8Array {
  const { width, height, resolution } = grid;
  const disk = diskOffsets(toolRadius / resolution);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!reachable[y * width + x]) continue;
      for (let k = 0; k < disk.length; k += 2) {
        const nx = x + disk[k]!;
        const ny = y + disk[k + 1]!;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        const c = grid.costs[j]!;
        if (c < 254) out[j] = 1;
      }
    }
  }
  return out;
}

/** Marks the tool's disk along a polyline; returns how many of `target`'s cells it newly marked. */
export function sweepPath(
  grid: CostGrid,
  swept: Uint8Array,
  target: Uint8Array,
  path: readonly Point2D[],
  toolRadius: number,
): number {
  const { width, height, resolution, origin } = grid;
  const disk = diskOffsets(toolRadius / resolution);
  let marked = 0;
  const stamp = (px: number, py: number) => {
    const cx = Math.floor((px - origin.x) / resolution);
    const cy = Math.floor((py - origin.y) / resolution);
    for (let k = 0; k < disk.length; k += 2) {
      const x = cx + disk[k]!;
      const y = cy + disk[k + 1]!;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const i = y * width + x;
      if (!swept[i]) {
        swept[i] = 1;
        if (target[i]) marked++;
      }
    }
  };
  for (let k = 0; k < path.length; k++) {
    const p = path[k]!;
    if (k === 0) {
      stamp(p.x, p.y);
      continue;
    }
    const q = path[k - 1]!;
    const n = Math.max(1, Math.ceil(Math.hypot(p.x - q.x, p.y - q.y) / (resolution / 2)));
    for (let s = 1; s <= n; s++) stamp(q.x + ((p.x - q.x) * s) / n, q.y + ((p.y - q.y) * s) / n);
  }
  return marked;
}

function buildSegments(
  grid: CostGrid,
  reachable: Uint8Array,
  remaining: Uint8Array,
  along: 'x' | 'y',
  spacingCells: number,
  toolCells: number,
): Segment[] {
  const { width, height } = grid;
  const rows = along === 'x' ? height : width;
  const cols = along === 'x' ? width : height;
  const idx =
    along === 'x' ? (c: number, r: number) => r * width + c : (c: number, r: number) => c * width + r;
  let first = -1;
  let last = -1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (reachable[idx(c, r)]) {
        if (first < 0) first = r;
        last = r;
        break;
      }
    }
  }
  if (first < 0) return [];
  const rowSet: number[] = [];
  const count = Math.max(1, Math.ceil((last - first) / spacingCells));
  for (let k = 0; k <= count; k++) rowSet.push(Math.round(first + ((last - first) * k) / count));
  const segments: Segment[] = [];
  const band = Math.floor(toolCells);
  for (const r of [...new Set(rowSet)]) {
    let c = 0;
    while (c < cols) {
      if (!reachable[idx(c, r)]) {
        c++;
        continue;
      }
      const a = c;
      while (c < cols && reachable[idx(c, r)]) c++;
      const b = c - 1;
      // Keep the segment only if its swath has something left to clean.
      let useful = false;
      for (let cc = a; cc <= b && !useful; cc++)
        for (let dr = -band; dr <= band && !useful; dr++) {
          const rr = r + dr;
          if (rr >= 0 && rr < rows && remaining[idx(cc, rr)]) useful = true;
        }
      if (useful) segments.push({ row: r, a, b, done: false });
    }
  }
  return segments;
}

/**
 * Plans coverage of the cleanable cells not in `covered`, starting at `start`. Both orientations are tried;
 * the one with fewer sweep segments (fewer turns) wins.
 */
export function planCoverage(
  grid: CostGrid,
  start: Pose2D,
  covered: Uint8Array | undefined,
  params: CoverageParams,
): CoverageResult {
  const { width, height, resolution, origin } = grid;
  const toolRadius = params.toolWidth / 2;
  const startCell = nearestPassable(
    grid,
    Math.floor((start.x - origin.x) / resolution),
    Math.floor((start.y - origin.y) / resolution),
    Math.ceil(0.3 / resolution),
  );
  const reachable = reachableFrom(grid, startCell);
  const cleanable = cleanableCells(grid, reachable, toolRadius);
  const remaining = new Uint8Array(width * height);
  let remainingCells = 0;
  for (let i = 0; i < remaining.length; i++) {
    if (cleanable[i] && !(covered && covered[i])) {
      remaining[i] = 1;
      remainingCells++;
    }
  }
  let unreachableCells = 0;
  for (let i = 0; i < grid.costs.length; i++) if (grid.costs[i]! < 253 && !cleanable[i]) unreachableCells++;
  const empty = (orientation: 'x' | 'y'): CoverageResult => ({
    path: [],
    plannedCells: 0,
    remainingCells,
    unreachableCells,
    orientation,
  });
  if (startCell < 0 || remainingCells === 0) return empty('x');

  const spacingCells = Math.max(1, (params.toolWidth * (1 - (params.overlap ?? 0.1))) / resolution);
  const toolCells = toolRadius / resolution;
  const options = (['x', 'y'] as const).map((along) => ({
    along,
    segments: buildSegments(grid, reachable, remaining, along, spacingCells, toolCells),
  }));
  options.sort((p, q) => p.segments.length - q.segments.length);
  const { along, segments } = options[0]!;

  const centre = (col: number, row: number): Point2D =>
    along === 'x'
      ? { x: origin.x + (col + 0.5) * resolution, y: origin.y + (row + 0.5) * resolution }
      : { x: origin.x + (row + 0.5) * resolution, y: origin.y + (col + 0.5) * resolution };
  const cellOf = (p: Point2D) =>
    Math.floor((p.y - origin.y) / resolution) * width + Math.floor((p.x - origin.x) / resolution);

  const path: CoveragePose[] = [];
  const append = (points: readonly { x: number; y: number; theta: number }[], kind: SegmentKind) => {
    for (const p of points) {
      const prev = path[path.length - 1];
      if (prev && Math.hypot(prev.x - p.x, prev.y - p.y) < 1e-6) continue;
      path.push({ x: p.x, y: p.y, theta: p.theta, kind });
    }
  };
  let here: Point2D = { x: start.x, y: start.y };
  path.push({ x: start.x, y: start.y, theta: start.theta, kind: 'transit' });

  /** Moves from `here` to `to`: straight when in sight, else along an A* transit path. False if unreachable. */
  const goTo = (to: Point2D, kind: SegmentKind): boolean => {
    const a = cellOf(here);
    const b = cellOf(to);
    if (a === b || (a >= 0 && b >= 0 && lineOfSight(grid, a, b))) {
      append(densify([here, to], resolution * 4), kind === 'gap' ? 'transit' : kind);
    } else {
      const transit = planTransit(grid, here, to);
      if (!transit) return false;
      append(transit, 'transit');
    }
    here = to;
    return true;
  };

  // Greedy ordering: the nearest segment end, where a segment reachable in a straight line (the next row)
  // counts its true distance and one behind an obstacle three times as much.
  let open = segments.length;
  while (open > 0) {
    let best: Segment | undefined;
    let bestFromA = true;
    let bestCost = Infinity;
    const hereCell = cellOf(here);
    for (const s of segments) {
      if (s.done) continue;
      for (const fromA of [true, false]) {
        const end = centre(fromA ? s.a : s.b, s.row);
        let cost = Math.hypot(end.x - here.x, end.y - here.y);
        if (cost > resolution * 2 && !lineOfSight(grid, hereCell, cellOf(end))) cost *= 3;
        if (cost < bestCost) {
          bestCost = cost;
          best = s;
          bestFromA = fromA;
        }
      }
    }
    const s = best!;
    s.done = true;
    open--;
    const from = centre(bestFromA ? s.a : s.b, s.row);
    const to = centre(bestFromA ? s.b : s.a, s.row);
    if (!goTo(from, 'transit')) continue;
    append(densify([from, to], resolution * 4), 'sweep');
    here = to;
  }

  // Gap filling: visit, nearest first, the closest reachable centre to each patch the sweeps missed.
  const swept = new Uint8Array(width * height);
  if (covered) for (let i = 0; i < swept.length; i++) swept[i] = covered[i]!;
  let planned = sweepPath(grid, swept, remaining, path, toolRadius);
  const nearestCentre = nearestReachableMap(grid, reachable);
  const minGap = params.minGapCells ?? 2;
  for (let guard = 0; guard < 2000; guard++) {
    // The uncovered remaining cell nearest to the robot.
    let target = -1;
    let bestD = Infinity;
    for (let i = 0; i < remaining.length; i++) {
      if (!remaining[i] || swept[i]) continue;
      const x = i % width;
      const y = (i - x) / width;
      const d =
        (origin.x + (x + 0.5) * resolution - here.x) ** 2 + (origin.y + (y + 0.5) * resolution - here.y) ** 2;
      if (d < bestD) {
        bestD = d;
        target = i;
      }
    }
    if (target < 0) break;
    const c = nearestCentre[target]!;
    const tx = c % width;
    const ty = (c - tx) / width;
    const goal = { x: origin.x + (tx + 0.5) * resolution, y: origin.y + (ty + 0.5) * resolution };
    const before = path.length;
    const newly = goTo(goal, 'gap')
      ? sweepPath(grid, swept, remaining, path.slice(Math.max(0, before - 1)), toolRadius)
      : 0;
    if (newly < minGap) {
      // Could not make progress here: give this cell up so the loop moves on.
      swept[target] = 1;
    }
    planned += newly;
  }
  return { path, plannedCells: planned, remainingCells, unreachableCells, orientation: along };
}

/** For every cell, the index of the nearest reachable cell (multi-source BFS, 8-connected). */
function nearestReachableMap(grid: CostGrid, reachable: Uint8Array): Int32Array {
  const { width, height } = grid;
  const n = width * height;
  const nearest = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (reachable[i]) {
      nearest[i] = i;
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if ((dx === 0 && dy === 0) || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (nearest[j] >= 0) continue;
        nearest[j] = nearest[i]!;
        queue[tail++] = j;
      }
    }
  }
  return nearest;
}
