/**
 * Visiting order of the coverage cells: an open travelling-salesman tour from the robot's position over
 * path distances (breadth-first search on a coarse copy of the reachable space, so walls count), built by
 * nearest neighbour and improved by 2-opt; then each cell's entry corner is chosen by dynamic programming
 * over the order. Pure.
 */
import type { Point2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';

/** Coarse cells of about this size (m) carry the path distances between cells. */
const COARSE_CELL = 0.2;

/**
 * Path-distance matrix (m) between the points over the cells where `passable` is 1. Entry [i·n + j];
 * Infinity between points that do not connect.
 */
export function pathDistances(
  info: GridInfo,
  passable: Uint8Array,
  points: readonly Point2D[],
): Float64Array {
  const f = Math.max(1, Math.round(COARSE_CELL / info.resolution));
  const cw = Math.ceil(info.width / f);
  const ch = Math.ceil(info.height / f);
  const coarse = new Uint8Array(cw * ch);
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (passable[y * info.width + x]) coarse[Math.floor(y / f) * cw + Math.floor(x / f)] = 1;
  const coarseCell = (p: Point2D) => {
    const cx = Math.min(cw - 1, Math.max(0, Math.floor((p.x - info.origin.x) / info.resolution / f)));
    const cy = Math.min(ch - 1, Math.max(0, Math.floor((p.y - info.origin.y) / info.resolution / f)));
    return cy * cw + cx;
  };
  const n = points.length;
  const cellOf = points.map(coarseCell);
  const out = new Float64Array(n * n).fill(Infinity);
  const dist = new Float64Array(cw * ch);
  const queue = new Int32Array(cw * ch);
  const size = f * info.resolution;
  for (let a = 0; a < n; a++) {
    dist.fill(Infinity);
    const s = cellOf[a]!;
    dist[s] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    // 8-connected BFS with octile step lengths is a close, cheap stand-in for Dijkstra here.
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % cw;
      const y = (i - x) / cw;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
          const j = ny * cw + nx;
          if (!coarse[j]) continue;
          const d = dist[i]! + (dx !== 0 && dy !== 0 ? Math.SQRT2 : 1);
          if (d < dist[j]!) {
            if (dist[j] === Infinity) queue[tail++] = j;
            dist[j] = d;
          }
        }
      }
    }
    for (let b = 0; b < n; b++) {
      const d = dist[cellOf[b]!]!;
      const straight = Math.hypot(points[a]!.x - points[b]!.x, points[a]!.y - points[b]!.y);
      out[a * n + b] = d === Infinity ? Infinity : Math.max(straight, d * size);
    }
  }
  // Symmetrise (the BFS is nearly symmetric; the tour assumes it is).
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      const d = Math.min(out[a * n + b]!, out[b * n + a]!);
      out[a * n + b] = d;
      out[b * n + a] = d;
    }
  return out;
}

/** Unreachable pairs cost this much, so they go last but the tour still visits everything. */
const FAR = 1e6;

/**
 * An open tour over nodes 1…n−1 starting at node 0: nearest neighbour, then 2-opt until no reversal
 * shortens it. Returns the visiting order of nodes 1…n−1.
 */
export function openTour(n: number, dist: Float64Array): number[] {
  const d = (a: number, b: number) => Math.min(FAR, dist[a * n + b]!);
  const order = [0];
  const used = new Uint8Array(n);
  used[0] = 1;
  for (let k = 1; k < n; k++) {
    const last = order[order.length - 1]!;
    let best = -1;
    for (let j = 1; j < n; j++) if (!used[j] && (best < 0 || d(last, j) < d(last, best))) best = j;
    used[best] = 1;
    order.push(best);
  }
  // 2-opt on the open path: reversing order[i..j] changes the edges (i−1, i) and (j, j+1).
  let improved = true;
  for (let pass = 0; improved && pass < 50; pass++) {
    improved = false;
    for (let i = 1; i < order.length - 1; i++) {
      for (let j = i + 1; j < order.length; j++) {
        const a = order[i - 1]!;
        const b = order[i]!;
        const c = order[j]!;
        const e = j + 1 < order.length ? order[j + 1]! : -1;
        const before = d(a, b) + (e >= 0 ? d(c, e) : 0);
        const after = d(a, c) + (e >= 0 ? d(b, e) : 0);
        if (after < before - 1e-9) {
          for (let l = i, r = j; l < r; l++, r--) [order[l], order[r]] = [order[r]!, order[l]!];
          improved = true;
        }
      }
    }
  }
  return order.slice(1);
}

/** A way through one cell: where it enters and leaves. */
export interface CellVariant {
  entry: Point2D;
  exit: Point2D;
}

/**
 * For cells visited in order, the variant (entry corner) of each that minimises the straight-line
 * connections from `start` through all of them (Viterbi over the variants).
 */
export function chooseVariants(start: Point2D, variants: ReadonlyArray<readonly CellVariant[]>): number[] {
  const n = variants.length;
  if (n === 0) return [];
  const dist = (a: Point2D, b: Point2D) => Math.hypot(a.x - b.x, a.y - b.y);
  let cost = variants[0]!.map((v) => dist(start, v.entry));
  const back: number[][] = [];
  for (let k = 1; k < n; k++) {
    const prev = variants[k - 1]!;
    const next: number[] = [];
    const from: number[] = [];
    for (const v of variants[k]!) {
      let best = Infinity;
      let arg = 0;
      for (let p = 0; p < prev.length; p++) {
        const c = cost[p]! + dist(prev[p]!.exit, v.entry);
        if (c < best) {
          best = c;
          arg = p;
        }
      }
      next.push(best);
      from.push(arg);
    }
    cost = next;
    back.push(from);
  }
  let arg = 0;
  for (let p = 1; p < cost.length; p++) if (cost[p]! < cost[arg]!) arg = p;
  const out = new Array<number>(n);
  out[n - 1] = arg;
  for (let k = n - 1; k > 0; k--) out[k - 1] = back[k - 1]![out[k]!]!;
  return out;
}

/**
 * Improves a visiting order of cells (indices into `variants`, four variants each) by 2-opt and by moving
 * single cells, judging each change by the connection cost with the best entry corners: straight lines
 * from exit to entry plus the pair's detour. `detour(a, b)` is the extra path length between cells a and
 * b beyond the straight line (a = −1: the start).
 */
export function improveOrder(
  start: Point2D,
  initial: readonly number[],
  variants: ReadonlyArray<readonly CellVariant[]>,
  detour: (a: number, b: number) => number,
  maxPasses = 3,
): number[] {
  const n = variants.length;
  const V = 4;
  if (initial.length < 3 || variants.some((v) => v.length !== V)) return [...initial];
  // conn[(a·V + p)·n·V + b·V + v]: from cell a left by variant p to cell b entered by variant v.
  const conn = new Float64Array(n * V * n * V);
  const fromStart = new Float64Array(n * V);
  for (let b = 0; b < n; b++) {
    const extraStart = detour(-1, b);
    for (let v = 0; v < V; v++) {
      const e = variants[b]![v]!.entry;
      fromStart[b * V + v] = Math.hypot(start.x - e.x, start.y - e.y) + extraStart;
    }
    for (let a = 0; a < n; a++) {
      if (a === b) continue;
      const extra = detour(a, b);
      for (let p = 0; p < V; p++) {
        const x = variants[a]![p]!.exit;
        for (let v = 0; v < V; v++) {
          const e = variants[b]![v]!.entry;
          conn[(a * V + p) * n * V + b * V + v] = Math.hypot(x.x - e.x, x.y - e.y) + extra;
        }
      }
    }
  }
  const m = initial.length;
  // prefix[k·V + v]: best cost of the first k+1 cells of the current order, the last left by variant v.
  // Candidates share the current order's head, so their evaluation starts where they differ.
  const prefix = new Float64Array(m * V);
  const cost = new Float64Array(V);
  const next = new Float64Array(V);
  const run = (order: Int32Array, from: number, store: boolean): number => {
    if (from === 0) for (let v = 0; v < V; v++) cost[v] = fromStart[order[0]! * V + v]!;
    else for (let v = 0; v < V; v++) cost[v] = prefix[(from - 1) * V + v]!;
    if (store && from === 0) prefix.set(cost, 0);
    for (let k = Math.max(1, from); k < order.length; k++) {
      const a = order[k - 1]!;
      const b = order[k]!;
      for (let v = 0; v < V; v++) {
        let best = Infinity;
        for (let p = 0; p < V; p++) {
          const c = cost[p]! + conn[(a * V + p) * n * V + b * V + v]!;
          if (c < best) best = c;
        }
        next[v] = best;
      }
      cost.set(next);
      if (store) prefix.set(cost, k * V);
    }
    return Math.min(cost[0]!, cost[1]!, cost[2]!, cost[3]!);
  };
  let order = Int32Array.from(initial);
  const candidate = new Int32Array(m);
  let best = run(order, 0, true);
  const accept = (from: number): boolean => {
    const c = run(candidate, from, false);
    if (c < best - 1e-9) {
      order = candidate.slice();
      best = run(order, 0, true);
      return true;
    }
    return false;
  };
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let i = 0; i < m - 1; i++)
      for (let j = i + 1; j < m; j++) {
        candidate.set(order);
        for (let l = i, r = j; l < r; l++, r--) {
          candidate[l] = order[r]!;
          candidate[r] = order[l]!;
        }
        if (accept(i)) improved = true;
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        // Move the cell at i to position j.
        let w = 0;
        for (let k = 0; k < m; k++) {
          if (k === i) continue;
          if (w === j) candidate[w++] = order[i]!;
          candidate[w++] = order[k]!;
        }
        if (w === j) candidate[w] = order[i]!;
        if (accept(Math.min(i, j))) improved = true;
      }
    if (!improved) break;
  }
  return Array.from(order);
}
