/**
 * Visiting order of the coverage items (cells, border chains): an open travelling-salesman tour from the
 * robot's position over path distances (breadth-first search on a coarse copy of the reachable space, so
 * walls count), built by nearest neighbour and improved by 2-opt and Or-opt moves costed with each item's
 * best way through (entry corner) by dynamic programming over the order, plus the price of broken
 * precedences; then the ways are chosen for the final order. Pure.
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
  // The coarse grid has a blocked frame of one cell, so neighbours need no bounds checks.
  const cw = Math.ceil(info.width / f) + 2;
  const ch = Math.ceil(info.height / f) + 2;
  const coarse = new Uint8Array(cw * ch);
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (passable[y * info.width + x]) coarse[(Math.floor(y / f) + 1) * cw + Math.floor(x / f) + 1] = 1;
  const coarseCell = (p: Point2D) => {
    const cx = Math.min(cw - 2, Math.max(1, Math.floor((p.x - info.origin.x) / info.resolution / f) + 1));
    const cy = Math.min(ch - 2, Math.max(1, Math.floor((p.y - info.origin.y) / info.resolution / f) + 1));
    return cy * cw + cx;
  };
  const n = points.length;
  const cellOf = points.map(coarseCell);
  const out = new Float64Array(n * n).fill(Infinity);
  const dist = new Float64Array(cw * ch);
  const queue = new Int32Array(cw * ch);
  const size = f * info.resolution;
  const offsets = [1, -1, cw, -cw, cw + 1, cw - 1, -cw + 1, -cw - 1];
  const steps = [1, 1, 1, 1, Math.SQRT2, Math.SQRT2, Math.SQRT2, Math.SQRT2];
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
      const di = dist[i]!;
      for (let k = 0; k < 8; k++) {
        const j = i + offsets[k]!;
        if (!coarse[j]) continue;
        const d = di + steps[k]!;
        if (d < dist[j]!) {
          if (dist[j] === Infinity) queue[tail++] = j;
          dist[j] = d;
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

/** A way through one cell: where it enters and leaves (and the headings there, rad, when known). */
export interface CellVariant {
  entry: Point2D;
  exit: Point2D;
  entryHeading?: number;
  exitHeading?: number;
}

/**
 * The cost (m) of the straight move from one item's exit to the next one's entry: its length plus, with
 * `turnCost` (m per rad) and known headings, the turns in place at both ends (a robot that turns on the
 * spot spends `speed / turnRate` metres' worth of time per radian).
 */
export function linkCost(from: CellVariant, to: CellVariant, turnCost: number): number {
  if (turnCost <= 0 || from.exitHeading === undefined || to.entryHeading === undefined)
    return Math.hypot(from.exit.x - to.entry.x, from.exit.y - to.entry.y);
  return link(
    from.exit,
    Math.cos(from.exitHeading),
    Math.sin(from.exitHeading),
    to.entry,
    Math.cos(to.entryHeading),
    Math.sin(to.entryHeading),
    turnCost,
  );
}

/** linkCost with the headings as unit vectors (the tour costs thousands of links). */
function link(
  x: Point2D,
  xc: number,
  xs: number,
  e: Point2D,
  ec: number,
  es: number,
  turnCost: number,
): number {
  const dx = e.x - x.x;
  const dy = e.y - x.y;
  const d = Math.hypot(dx, dy);
  if (turnCost <= 0) return d;
  if (d < 1e-6) return turnCost * unitAngle(xc * ec + xs * es);
  const lc = dx / d;
  const ls = dy / d;
  return d + turnCost * (unitAngle(xc * lc + xs * ls) + unitAngle(lc * ec + ls * es));
}

/** The angle between two unit vectors from their dot product. */
function unitAngle(dot: number): number {
  return Math.acos(Math.max(-1, Math.min(1, dot)));
}

/**
 * For cells visited in order, the variant (entry corner) of each that minimises the straight-line
 * connections from `start` through all of them (Viterbi over the variants).
 */
export function chooseVariants(
  start: Point2D,
  variants: ReadonlyArray<readonly CellVariant[]>,
  turnCost = 0,
): number[] {
  const n = variants.length;
  if (n === 0) return [];
  let cost = variants[0]!.map((v) => Math.hypot(start.x - v.entry.x, start.y - v.entry.y));
  const back: number[][] = [];
  for (let k = 1; k < n; k++) {
    const prev = variants[k - 1]!;
    const next: number[] = [];
    const from: number[] = [];
    for (const v of variants[k]!) {
      let best = Infinity;
      let arg = 0;
      for (let p = 0; p < prev.length; p++) {
        const c = cost[p]! + linkCost(prev[p]!, v, turnCost);
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

/** An order preference: visiting item `then` before item `first` costs `cost` (m). */
export interface Precedence {
  first: number;
  then: number;
  cost: number;
}

/**
 * Improves a visiting order of items (indices into `variants`, four variants each) by 2-opt and Or-opt
 * (moving a run of up to three items, kept in order or reversed), judging each change by the connection
 * cost with the best variants: straight lines from exit to entry plus the pair's detour. `detour(a, b)`
 * is the extra path length between items a and b beyond the straight line (a = −1: the start).
 * `precedence` adds the cost of visiting items in an unfavourable order (a cell swept before the border
 * its rows end at cannot stop them short of it). A change only touches a window of the order, so it is
 * judged from the best costs up to the window and from the window to the end, both kept for the current
 * order.
 */
export function improveOrder(
  start: Point2D,
  initial: readonly number[],
  variants: ReadonlyArray<readonly CellVariant[]>,
  detour: (a: number, b: number) => number,
  maxPasses = 3,
  precedence: readonly Precedence[] = [],
  turnCost = 0,
): number[] {
  const n = variants.length;
  const V = 4;
  if (initial.length < 2 || variants.some((v) => v.length !== V)) return [...initial];
  // conn[(a·V + p)·n·V + b·V + v]: from item a left by variant p to item b entered by variant v.
  const conn = new Float64Array(n * V * n * V);
  const fromStart = new Float64Array(n * V);
  // Exit and entry headings as unit vectors (none: no turn cost for that item).
  const turns =
    turnCost > 0 &&
    variants.every((vs) => vs.every((v) => v.entryHeading !== undefined && v.exitHeading !== undefined));
  const unit = (f: (v: CellVariant) => number) =>
    Float64Array.from(variants.flatMap((vs) => vs.map((v) => (turns ? f(v) : 0))));
  const exitC = unit((v) => Math.cos(v.exitHeading!));
  const exitS = unit((v) => Math.sin(v.exitHeading!));
  const entryC = unit((v) => Math.cos(v.entryHeading!));
  const entryS = unit((v) => Math.sin(v.entryHeading!));
  const weight = turns ? turnCost : 0;
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
        const ap = a * V + p;
        const x = variants[a]![p]!.exit;
        for (let v = 0; v < V; v++) {
          const bv = b * V + v;
          conn[ap * n * V + bv] =
            link(x, exitC[ap]!, exitS[ap]!, variants[b]![v]!.entry, entryC[bv]!, entryS[bv]!, weight) + extra;
        }
      }
    }
  }
  // Precedences per item, each listed under both of its items.
  const pairsOf: Precedence[][] = Array.from({ length: n }, () => []);
  for (const p of precedence) {
    pairsOf[p.first]!.push(p);
    pairsOf[p.then]!.push(p);
  }
  const m = initial.length;
  const order = Int32Array.from(initial);
  // prefix[k·V + v]: best cost of the first k+1 items of the current order, item k in variant v;
  // suffix[k·V + v]: best cost from item k in variant v to the end.
  const prefix = new Float64Array(m * V);
  const suffix = new Float64Array(m * V);
  const position = new Int32Array(n);
  const moved = new Int32Array(n);
  let lateCost = 0;
  let best = 0;
  const refresh = () => {
    for (let v = 0; v < V; v++) prefix[v] = fromStart[order[0]! * V + v]!;
    for (let k = 1; k < m; k++) {
      const base = order[k - 1]! * V * n * V + order[k]! * V;
      for (let v = 0; v < V; v++) {
        let b = Infinity;
        for (let p = 0; p < V; p++) b = Math.min(b, prefix[(k - 1) * V + p]! + conn[base + p * n * V + v]!);
        prefix[k * V + v] = b;
      }
    }
    for (let v = 0; v < V; v++) suffix[(m - 1) * V + v] = 0;
    for (let k = m - 2; k >= 0; k--) {
      const base = order[k]! * V * n * V + order[k + 1]! * V;
      for (let p = 0; p < V; p++) {
        let b = Infinity;
        for (let v = 0; v < V; v++) b = Math.min(b, conn[base + p * n * V + v]! + suffix[(k + 1) * V + v]!);
        suffix[k * V + p] = b;
      }
    }
    for (let k = 0; k < m; k++) position[order[k]!] = k;
    lateCost = 0;
    for (const p of precedence) if (position[p.then]! < position[p.first]!) lateCost += p.cost;
    best = Math.min(
      prefix[(m - 1) * V]!,
      prefix[(m - 1) * V + 1]!,
      prefix[(m - 1) * V + 2]!,
      prefix[(m - 1) * V + 3]!,
    );
    best += lateCost;
  };
  refresh();
  const candidate = Int32Array.from(order);
  const cost = new Float64Array(V);
  const next = new Float64Array(V);
  /** Cost of `candidate`, which differs from the order only in positions lo…hi. */
  const evaluate = (lo: number, hi: number): number => {
    if (lo === 0) for (let v = 0; v < V; v++) cost[v] = fromStart[candidate[0]! * V + v]!;
    else {
      const base = candidate[lo - 1]! * V * n * V + candidate[lo]! * V;
      for (let v = 0; v < V; v++) {
        let b = Infinity;
        for (let p = 0; p < V; p++) b = Math.min(b, prefix[(lo - 1) * V + p]! + conn[base + p * n * V + v]!);
        cost[v] = b;
      }
    }
    for (let k = lo + 1; k <= hi; k++) {
      const base = candidate[k - 1]! * V * n * V + candidate[k]! * V;
      for (let v = 0; v < V; v++) {
        let b = Infinity;
        for (let p = 0; p < V; p++) b = Math.min(b, cost[p]! + conn[base + p * n * V + v]!);
        next[v] = b;
      }
      cost.set(next);
    }
    let total = Infinity;
    if (hi === m - 1) total = Math.min(cost[0]!, cost[1]!, cost[2]!, cost[3]!);
    else {
      const base = candidate[hi]! * V * n * V + candidate[hi + 1]! * V;
      for (let p = 0; p < V; p++)
        for (let v = 0; v < V; v++)
          total = Math.min(total, cost[p]! + conn[base + p * n * V + v]! + suffix[(hi + 1) * V + v]!);
    }
    if (precedence.length === 0) return total;
    // Only pairs with both items in the window can change their relative order.
    for (let k = lo; k <= hi; k++) moved[candidate[k]!] = k + 1;
    let late = lateCost;
    for (let k = lo; k <= hi; k++)
      for (const p of pairsOf[candidate[k]!]!) {
        if (p.first !== candidate[k] || !moved[p.then]) continue;
        const before = position[p.then]! < position[p.first]!;
        const after = moved[p.then]! < moved[p.first]!;
        if (before !== after) late += after ? p.cost : -p.cost;
      }
    for (let k = lo; k <= hi; k++) moved[candidate[k]!] = 0;
    return total + late;
  };
  const accept = (lo: number, hi: number): boolean => {
    const c = evaluate(lo, hi);
    if (c < best - 1e-9) {
      order.set(candidate.subarray(lo, hi + 1), lo);
      refresh();
      return true;
    }
    candidate.set(order.subarray(lo, hi + 1), lo);
    return false;
  };
  // Each item's nearest items by connection cost, where Or-opt moves may put it.
  const near = Math.min(n - 1, 8);
  const nearest: Int32Array[] = [];
  const closeness = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let c = Infinity;
      if (b !== a)
        for (let p = 0; p < V; p++)
          for (let v = 0; v < V; v++)
            c = Math.min(c, conn[(a * V + p) * n * V + b * V + v]!, conn[(b * V + p) * n * V + a * V + v]!);
      closeness[b] = c;
    }
    const others = Array.from({ length: n }, (_, b) => b).filter((b) => b !== a);
    others.sort((x, y) => closeness[x]! - closeness[y]!);
    nearest.push(Int32Array.from(others.slice(0, near)));
  }
  const targets = new Int32Array(Math.max(m, 2 * near));
  const seen = new Int32Array(m + 1);
  let stamp = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    // 2-opt: reversing positions i…j joins order[i − 1] to order[j] and order[i] to order[j + 1]; tried
    // where one of the new neighbours is among the other's nearest (from the start: everywhere).
    for (let i = 0; i < m - 1; i++) {
      let count = 0;
      stamp++;
      const add = (j: number) => {
        if (j > i && j < m && seen[j] !== stamp) {
          seen[j] = stamp;
          targets[count++] = j;
        }
      };
      if (i === 0) for (let j = 1; j < m; j++) add(j);
      else {
        for (const q of nearest[order[i - 1]!]!) add(position[q]!);
        for (const q of nearest[order[i]!]!) add(position[q]! - 1);
      }
      for (let t = 0; t < count; t++) {
        const j = targets[t]!;
        for (let l = i, r = j; l <= j; l++, r--) candidate[l] = order[r]!;
        if (accept(i, j)) {
          improved = true;
          break;
        }
      }
    }
    // Or-opt: the run of `len` items at i moves to start at position j of the order without it, next
    // to one of the items nearest to its first or last item.
    for (let len = 1; len <= 3; len++)
      for (let i = 0; i + len <= m; i++)
        for (let reversed = 0; reversed < (len === 1 ? 1 : 2); reversed++) {
          const head = order[reversed ? i + len - 1 : i]!;
          const tail = order[reversed ? i : i + len - 1]!;
          // Insertion points: right after a neighbour of the head, right before a neighbour of the tail.
          let count = 0;
          stamp++;
          for (let side = 0; side < 2; side++)
            for (const q of nearest[side === 0 ? head : tail]!) {
              const p = position[q]!;
              if (p >= i && p < i + len) continue;
              const j = (p < i ? p : p - len) + (side === 0 ? 1 : 0);
              if (j === i || j + len > m || seen[j] === stamp) continue;
              seen[j] = stamp;
              targets[count++] = j;
            }
          for (let t = 0; t < count; t++) {
            const j = targets[t]!;
            const lo = Math.min(i, j);
            const hi = Math.max(i, j) + len - 1;
            let w = lo;
            for (let k = lo; k <= hi; k++) {
              if (w === j)
                for (let r = 0; r < len; r++) candidate[w++] = order[reversed ? i + len - 1 - r : i + r]!;
              if (k >= i && k < i + len) continue;
              candidate[w++] = order[k]!;
            }
            if (w === j)
              for (let r = 0; r < len; r++) candidate[w++] = order[reversed ? i + len - 1 - r : i + r]!;
            if (accept(lo, hi)) {
              improved = true;
              break;
            }
          }
        }
    if (!improved) break;
  }
  return Array.from(order);
}
