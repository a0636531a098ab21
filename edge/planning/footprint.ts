/**
 * Disks on a grid: the cleaning tool swept along a path, and masks grown by a radius. The tool covers the
 * cells whose centres lie within its radius of the (exact, not cell-snapped) tool centre, so the planner
 * and the score agree cell for cell. Pure.
 */
import type { Point2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';
import { squaredDistanceCells } from '../mapping/distance-field.ts';

/**
 * Calls `visit(i)` for every cell whose centre is within `radius` m of (px, py). Returns early (true) when
 * `visit` returns true.
 */
export function forEachInDisk(
  info: GridInfo,
  px: number,
  py: number,
  radius: number,
  visit: (i: number) => boolean | void,
): boolean {
  const { width, height, resolution, origin } = info;
  // Continuous cell coordinates in which cell centres are the integers.
  const gx = (px - origin.x) / resolution - 0.5;
  const gy = (py - origin.y) / resolution - 0.5;
  const rc = radius / resolution;
  // Slack for cells exactly one radius away, which rounding would otherwise include or not at random.
  const r2 = rc * rc + 1e-6;
  const y0 = Math.max(0, Math.ceil(gy - rc));
  const y1 = Math.min(height - 1, Math.floor(gy + rc));
  for (let y = y0; y <= y1; y++) {
    const dy = y - gy;
    const h = Math.sqrt(Math.max(0, r2 - dy * dy));
    const x0 = Math.max(0, Math.ceil(gx - h));
    const x1 = Math.min(width - 1, Math.floor(gx + h));
    const row = y * width;
    for (let x = x0; x <= x1; x++) if (visit(row + x) === true) return true;
  }
  return false;
}

/** Marks the disk in `swept`; returns how many cells of `target` (of any cell, without one) it newly marked. */
export function stampDisk(
  info: GridInfo,
  swept: Uint8Array,
  target: Uint8Array | undefined,
  px: number,
  py: number,
  radius: number,
): number {
  // Same cells as forEachInDisk, inlined: this runs for every half-cell step of every path.
  const { width, height, resolution, origin } = info;
  const gx = (px - origin.x) / resolution - 0.5;
  const gy = (py - origin.y) / resolution - 0.5;
  const rc = radius / resolution;
  const r2 = rc * rc + 1e-6;
  const y0 = Math.max(0, Math.ceil(gy - rc));
  const y1 = Math.min(height - 1, Math.floor(gy + rc));
  let marked = 0;
  for (let y = y0; y <= y1; y++) {
    const dy = y - gy;
    const h = Math.sqrt(Math.max(0, r2 - dy * dy));
    const x0 = Math.max(0, Math.ceil(gx - h));
    const x1 = Math.min(width - 1, Math.floor(gx + h));
    const row = y * width;
    for (let i = row + x0; i <= row + x1; i++) {
      if (swept[i]) continue;
      swept[i] = 1;
      if (!target || target[i]) marked++;
    }
  }
  return marked;
}

/** Whether the disk holds a cell of `target` not yet in `swept`. */
export function diskHasUnswept(
  info: GridInfo,
  swept: Uint8Array,
  target: Uint8Array,
  px: number,
  py: number,
  radius: number,
): boolean {
  const { width, height, resolution, origin } = info;
  const gx = (px - origin.x) / resolution - 0.5;
  const gy = (py - origin.y) / resolution - 0.5;
  const rc = radius / resolution;
  const r2 = rc * rc + 1e-6;
  const y0 = Math.max(0, Math.ceil(gy - rc));
  const y1 = Math.min(height - 1, Math.floor(gy + rc));
  for (let y = y0; y <= y1; y++) {
    const dy = y - gy;
    const h = Math.sqrt(Math.max(0, r2 - dy * dy));
    const x0 = Math.max(0, Math.ceil(gx - h));
    const x1 = Math.min(width - 1, Math.floor(gx + h));
    const row = y * width;
    for (let i = row + x0; i <= row + x1; i++) if (target[i] === 1 && swept[i] === 0) return true;
  }
  return false;
}

/** Calls `visit(x, y)` at points no more than `step` m apart along the polyline, both ends included. */
export function forEachSample(
  path: readonly Point2D[],
  step: number,
  visit: (x: number, y: number, segment: number) => void,
): void {
  if (path.length === 0) return;
  visit(path[0]!.x, path[0]!.y, 0);
  for (let k = 1; k < path.length; k++) {
    const a = path[k - 1]!;
    const b = path[k]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / step));
    for (let s = 1; s <= n; s++) visit(a.x + ((b.x - a.x) * s) / n, a.y + ((b.y - a.y) * s) / n, k);
  }
}

/**
 * Sweeps the tool along a polyline (samples every half cell); returns how many `target` cells (any cells,
 * without one) it newly marked.
 */
export function sweepPolyline(
  info: GridInfo,
  swept: Uint8Array,
  target: Uint8Array | undefined,
  path: readonly Point2D[],
  radius: number,
): number {
  let marked = 0;
  forEachSample(path, info.resolution / 2, (x, y) => {
    marked += stampDisk(info, swept, target, x, y, radius);
  });
  return marked;
}

/**
 * 1 for every cell whose centre is strictly within `radius` m of the centre of a cell set in `mask`. Strictly:
 * a cell exactly one radius away is touched only by a tool passing through that one point, so counting it
 * as reachable would ask for paths through exact cell centres.
 */
export function growMask(info: GridInfo, mask: Uint8Array, radius: number): Uint8Array {
  const sq = squaredDistanceCells(info.width, info.height, (i) => mask[i] === 1);
  const limit = (radius / info.resolution) ** 2 - 1e-6;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = sq[i]! <= limit ? 1 : 0;
  return out;
}

/** Flood fill (4-connected) over cells where `allowed` is 1, from `start`. */
export function floodFill(width: number, height: number, allowed: Uint8Array, start: number): Uint8Array {
  const out = new Uint8Array(width * height);
  if (start < 0 || !allowed[start]) return out;
  const stack = new Int32Array(width * height);
  let top = 0;
  stack[top++] = start;
  out[start] = 1;
  const push = (j: number) => {
    if (allowed[j] && !out[j]) {
      out[j] = 1;
      stack[top++] = j;
    }
  };
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % width;
    if (x > 0) push(i - 1);
    if (x < width - 1) push(i + 1);
    if (i >= width) push(i - width);
    if (i + width < out.length) push(i + width);
  }
  return out;
}
