/**
 * Edge cleaning: polylines that follow the border of the sweepable space (walls and furniture, at the sweep
 * clearance), traced by chaining border cells and simplified into straight runs that stay inside the
 * sweepable space and within half a cell of the border. Pure.
 */
import { walkGridLine } from '../../shared/grid-line.ts';
import type { Point2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';

const N8X = [1, 0, -1, 0, 1, -1, -1, 1];
const N8Y = [0, 1, 0, -1, 1, 1, -1, -1];

/** Whether the Bresenham line between cells a and b stays in `mask`. */
function maskLineOfSight(width: number, mask: Uint8Array, a: number, b: number): boolean {
  return walkGridLine(a % width, Math.floor(a / width), b % width, Math.floor(b / width), (x, y) =>
    Boolean(mask[y * width + x]),
  );
}

/** Border chains of `sweepable` (cells with a 4-neighbour outside it), each at least `minLength` m long. */
export function perimeterPaths(info: GridInfo, sweepable: Uint8Array, minLength: number): Point2D[][] {
  const { width, height, resolution, origin } = info;
  const n = width * height;
  const border = new Uint8Array(n);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!sweepable[i]) continue;
      if (
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !sweepable[i - 1] ||
        !sweepable[i + 1] ||
        !sweepable[i - width] ||
        !sweepable[i + width]
      )
        border[i] = 1;
    }
  const used = new Uint8Array(n);
  const out: Point2D[][] = [];
  const minCells = minLength / resolution;
  for (let s = 0; s < n; s++) {
    if (!border[s] || used[s]) continue;
    const chain = [s];
    used[s] = 1;
    let i = s;
    for (;;) {
      const x = i % width;
      const y = (i - x) / width;
      let next = -1;
      // 4-neighbours first keeps the chain on the border instead of jumping across corners.
      for (let k = 0; k < 8 && next < 0; k++) {
        const nx = x + N8X[k]!;
        const ny = y + N8Y[k]!;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (border[j] && !used[j]) next = j;
      }
      if (next < 0) break;
      used[next] = 1;
      chain.push(next);
      i = next;
    }
    if (chain.length < minCells) continue;
    out.push(
      simplify(width, sweepable, chain, 0.5).map((c) => {
        const x = c % width;
        const y = (c - x) / width;
        return { x: origin.x + (x + 0.5) * resolution, y: origin.y + (y + 0.5) * resolution };
      }),
    );
  }
  return out;
}

/** Longest straight runs whose skipped cells stay within half a cell of the run and inside the mask. */
function simplify(width: number, mask: Uint8Array, chain: readonly number[], tolerance: number): number[] {
  const out = [chain[0]!];
  let anchor = 0;
  const cx = Int32Array.from(chain, (i) => i % width);
  const cy = Int32Array.from(chain, (i) => Math.floor(i / width));
  const fits = (a: number, b: number) => {
    const ax = cx[a]!;
    const ay = cy[a]!;
    const bx = cx[b]!;
    const by = cy[b]!;
    const len = Math.hypot(bx - ax, by - ay);
    if (len === 0) return true;
    const limit = tolerance * len;
    for (let k = a + 1; k < b; k++)
      if (Math.abs((bx - ax) * (ay - cy[k]!) - (ax - cx[k]!) * (by - ay)) > limit) return false;
    if (!maskLineOfSight(width, mask, chain[a]!, chain[b]!)) return false;
    // Every cell the straight run passes through (sampled finer than execution samples it) is in the mask.
    const steps = Math.ceil(len * 4);
    for (let k = 1; k < steps; k++) {
      const t = k / steps;
      if (!mask[Math.floor(ay + 0.5 + (by - ay) * t) * width + Math.floor(ax + 0.5 + (bx - ax) * t)])
        return false;
    }
    return true;
  };
  for (let k = 2; k < chain.length; k++) {
    if (!fits(anchor, k)) {
      out.push(chain[k - 1]!);
      anchor = k - 1;
    }
  }
  if (chain.length > 1) out.push(chain[chain.length - 1]!);
  return out;
}

/**
 * A polyline cut into pieces of about equal length, none longer than `maxLength` m (a closed border
 * becomes open pieces that end where the next begins). Long borders are cleaned piece by piece as the tour
 * passes by, instead of all at once: the border around a whole flat would otherwise be one item of the
 * tour, swept in one go, and every room visited again afterwards.
 */
export function splitPolyline(points: readonly Point2D[], maxLength: number): Point2D[][] {
  const lengths = [0];
  for (let k = 1; k < points.length; k++)
    lengths.push(
      lengths[k - 1]! + Math.hypot(points[k]!.x - points[k - 1]!.x, points[k]!.y - points[k - 1]!.y),
    );
  const total = lengths[lengths.length - 1]!;
  const count = Math.ceil(total / maxLength - 1e-9);
  if (count <= 1) return [points.slice()];
  const pointAt = (s: number): { point: Point2D; k: number } => {
    let k = 1;
    while (k < points.length - 1 && lengths[k]! < s) k++;
    const a = points[k - 1]!;
    const b = points[k]!;
    const span = lengths[k]! - lengths[k - 1]!;
    const t = span > 0 ? (s - lengths[k - 1]!) / span : 0;
    return { point: { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, k };
  };
  const out: Point2D[][] = [];
  let from = { point: points[0]!, k: 0 };
  for (let p = 1; p <= count; p++) {
    const to =
      p === count ? { point: points[points.length - 1]!, k: points.length } : pointAt((total * p) / count);
    const piece = [from.point];
    for (let k = from.k + 1; k < to.k; k++) piece.push(points[k]!);
    const last = piece[piece.length - 1]!;
    if (p < count && Math.hypot(last.x - to.point.x, last.y - to.point.y) > 1e-9) piece.push(to.point);
    out.push(
      piece.filter((q, k) => k === 0 || Math.hypot(q.x - piece[k - 1]!.x, q.y - piece[k - 1]!.y) > 1e-9),
    );
    from = { point: to.point, k: to.k - 1 };
  }
  return out;
}
