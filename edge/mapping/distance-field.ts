/**
 * Exact Euclidean distance transform of a grid (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled
 * Functions", 2012): the squared distance is separable, so one 1-D lower-envelope-of-parabolas pass down every
 * column and one along every row give the exact result in O(width·height).
 */
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';

/** Larger than any squared distance inside a grid, small enough that adding squares stays finite. */
const FAR = 1e20;

/**
 * 1-D squared distance transform of `f` (length n) into `d`, using scratch arrays `v` (parabola apexes) and
 * `z` (n + 1 boundaries between parabolas).
 */
export function distanceTransform1D(
  f: Float64Array,
  d: Float64Array,
  n: number,
  v: Int32Array,
  z: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq >= FAR) continue; // parabolas from "infinitely far" samples never form the envelope
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    // z[0] = −∞, so the envelope never pops its first parabola.
    let p = v[k]!;
    let s = (fq + q * q - (f[p]! + p * p)) / (2 * (q - p));
    while (s <= z[k]!) {
      k--;
      p = v[k]!;
      s = (fq + q * q - (f[p]! + p * p)) / (2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(FAR, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

/**
 * Squared distance in CELLS from each cell centre to the nearest cell for which `isSource(index)` holds;
 * ≥ 1e20 where there is none. Exposed for callers that want to avoid the square root.
 */
export function squaredDistanceCells(
  width: number,
  height: number,
  isSource: (index: number) => boolean,
): Float64Array {
  const n = width * height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = isSource(i) ? 0 : FAR;
  const len = Math.max(width, height);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = out[y * width + x]!;
    distanceTransform1D(f, d, height, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x]!;
    distanceTransform1D(f, d, width, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x]!;
  }
  return out;
}

/**
 * Per cell, the distance in metres from its centre to the nearest obstacle cell's centre (0 on obstacles,
 * Infinity when the grid has no obstacle at all).
 */
export function distanceField(grid: OccupancyGrid, isObstacle: (value: number) => boolean): Float32Array {
  const data = grid.data;
  const sq = squaredDistanceCells(grid.width, grid.height, (i) => isObstacle(data[i]!));
  const out = new Float32Array(sq.length);
  const r = grid.resolution;
  for (let i = 0; i < sq.length; i++) {
    const s = sq[i]!;
    out[i] = s >= FAR ? Infinity : Math.sqrt(s) * r;
  }
  return out;
}
