/**
 * What moves in the LIDAR's view: a person or a pet walking up to the robot.
 *
 * The safety gate takes every return for a fixed point, so it stops the robot only for what its own motion
 * would reach. Someone walking at it from the side comes 7 cm closer per scan: by the time the return lies
 * in the stop zone, braking is too late (apartment seed 3: person-1 met the robot's front-right at 0.9 m/s of
 * closing speed, and the gate said "stop" 1 cm before the contact). Here each near return of a scan is
 * matched against the previous scan, both in the odom frame: its displacement from the nearest point of the
 * previous scan's outline, over the time between the scans, is its velocity. Runs of neighbouring returns
 * that moved alike (a walking leg, a cat) keep their median velocity; lone movers are noise, and so are
 * jumps too fast for anything walking (a surface that came into view from behind another).
 *
 * Pure: memory in, memory out; poses and times are arguments.
 */
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry.ts';

export const ScanMotionParamsSchema = z.strictObject({
  range: z.number().positive().default(1.5).describe('m from base_link: only returns this close are tracked'),
  maxGap: z
    .number()
    .positive()
    .default(0.1)
    .describe('m: neighbouring returns further apart are not one outline (nor one moving run)'),
  minSpeed: z
    .number()
    .positive()
    .default(0.25)
    .describe('m/s: slower apparent motion is range noise and odometry error, not a mover'),
  maxSpeed: z
    .number()
    .positive()
    .default(2.5)
    .describe('m/s: faster apparent motion is a surface newly in view, not a mover'),
  minRun: z.number().int().positive().default(3).describe('neighbouring moving returns needed for a mover'),
  maxInterval: z.number().positive().default(0.5).describe('s: a longer gap between scans starts over'),
});
export type ScanMotionParams = z.output<typeof ScanMotionParamsSchema>;

/** The previous scan's near returns, in the odom frame, in scan order. */
export interface ScanMotionMemory {
  readonly stamp: number;
  readonly points: Float32Array;
}

export interface ScanMotion {
  memory: ScanMotionMemory;
  /** per return of the scan: vx, vy in base_link (m/s); 0, 0 for what did not move */
  velocities: Float32Array;
  /** returns found moving */
  moving: number;
}

/**
 * Velocities of the returns of a scan (base_link points, seen at `stamp` with base_link at `odom`) from the
 * previous scan held in `memory`; without a usable previous scan, every return is still.
 */
export function trackScanMotion(
  memory: ScanMotionMemory | undefined,
  points: Float32Array,
  odom: Pose2D,
  stamp: number,
  p: ScanMotionParams,
): ScanMotion {
  const n = points.length >> 1;
  const c = Math.cos(odom.theta);
  const s = Math.sin(odom.theta);
  // The near returns in the odom frame (index into the scan kept), for the next scan to match against.
  const nearIndex: number[] = [];
  const near: number[] = [];
  for (let i = 0; i < n; i++) {
    const bx = points[2 * i]!;
    const by = points[2 * i + 1]!;
    if (!(Math.hypot(bx, by) <= p.range)) continue;
    nearIndex.push(i);
    near.push(odom.x + c * bx - s * by, odom.y + s * bx + c * by);
  }
  const next: ScanMotionMemory = { stamp, points: Float32Array.from(near) };
  const velocities = new Float32Array(2 * n);
  const dt = memory ? stamp - memory.stamp : Number.NaN;
  if (!memory || !(dt > 1e-3) || dt > p.maxInterval || memory.points.length === 0)
    return { memory: next, velocities, moving: 0 };

  // Each near return's displacement from the previous outline (in odom). Only what lies within maxShift
  // matters (further, the return did not move as anything walking does), so the previous returns are
  // bucketed in cells of maxShift + maxGap: a segment starting at a return passes within maxShift of q only
  // if that return lies in q's cell or a neighbouring one.
  const m = nearIndex.length;
  const dx = new Float32Array(m);
  const dy = new Float32Array(m);
  const moved = new Uint8Array(m);
  const prev = memory.points;
  const k = prev.length >> 1;
  const gap2 = p.maxGap * p.maxGap;
  const minShift = p.minSpeed * dt;
  const maxShift = p.maxSpeed * dt;
  const cell = maxShift + p.maxGap;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let a = 0; a < k; a++) {
    minX = Math.min(minX, prev[2 * a]!);
    maxX = Math.max(maxX, prev[2 * a]!);
    minY = Math.min(minY, prev[2 * a + 1]!);
    maxY = Math.max(maxY, prev[2 * a + 1]!);
  }
  const cols = Math.floor((maxX - minX) / cell) + 1;
  const rows = Math.floor((maxY - minY) / cell) + 1;
  const cellOf = (a: number) =>
    Math.floor((prev[2 * a + 1]! - minY) / cell) * cols + Math.floor((prev[2 * a]! - minX) / cell);
  const start = new Int32Array(cols * rows + 1);
  for (let a = 0; a < k; a++) start[cellOf(a) + 1]!++;
  for (let c = 0; c < cols * rows; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, cols * rows);
  const bucketed = new Int32Array(k);
  for (let a = 0; a < k; a++) bucketed[fill[cellOf(a)]!++] = a;

  for (let j = 0; j < m; j++) {
    const qx = near[2 * j]!;
    const qy = near[2 * j + 1]!;
    let best = Infinity;
    let bx = 0;
    let by = 0;
    const gx = Math.floor((qx - minX) / cell);
    const gy = Math.floor((qy - minY) / cell);
    for (let y = Math.max(0, gy - 1); y <= Math.min(rows - 1, gy + 1); y++)
      for (let x = Math.max(0, gx - 1); x <= Math.min(cols - 1, gx + 1); x++)
        for (let b = start[y * cols + x]!; b < start[y * cols + x + 1]!; b++) {
          const a = bucketed[b]!;
          const ax = prev[2 * a]!;
          const ay = prev[2 * a + 1]!;
          let cx = ax;
          let cy = ay;
          if (a + 1 < k) {
            // The segment to the next previous return, when the two are one outline.
            const ex = prev[2 * a + 2]! - ax;
            const ey = prev[2 * a + 3]! - ay;
            const len2 = ex * ex + ey * ey;
            if (len2 > 0 && len2 <= gap2) {
              const t = Math.max(0, Math.min(1, ((qx - ax) * ex + (qy - ay) * ey) / len2));
              cx = ax + t * ex;
              cy = ay + t * ey;
            }
          }
          const d2 = (qx - cx) ** 2 + (qy - cy) ** 2;
          if (d2 < best) {
            best = d2;
            bx = cx;
            by = cy;
          }
        }
    const shift = Math.sqrt(best);
    if (shift >= minShift && shift <= maxShift) {
      moved[j] = 1;
      dx[j] = qx - bx;
      dy[j] = qy - by;
    }
  }

  // Runs of neighbouring moving returns (consecutive in the scan, each within maxGap of the last) of at
  // least minRun take the run's median velocity; shorter ones are noise.
  let moving = 0;
  const run = (start: number, end: number) => {
    const len = end - start;
    if (len < p.minRun) return;
    const xs = Array.from(dx.subarray(start, end)).sort((u, v) => u - v);
    const ys = Array.from(dy.subarray(start, end)).sort((u, v) => u - v);
    const ox = xs[len >> 1]! / dt;
    const oy = ys[len >> 1]! / dt;
    // odom → base_link: rotate by −θ.
    const vx = c * ox + s * oy;
    const vy = -s * ox + c * oy;
    for (let j = start; j < end; j++) {
      const i = nearIndex[j]!;
      velocities[2 * i] = vx;
      velocities[2 * i + 1] = vy;
    }
    moving += len;
  };
  const neighbours = (j: number) =>
    nearIndex[j]! === nearIndex[j - 1]! + 1 &&
    (near[2 * j]! - near[2 * j - 2]!) ** 2 + (near[2 * j + 1]! - near[2 * j - 1]!) ** 2 <= gap2;
  for (let j = 0; j < m;) {
    if (!moved[j]) {
      j++;
      continue;
    }
    let end = j + 1;
    while (end < m && moved[end] && neighbours(end)) end++;
    run(j, end);
    j = end;
  }
  return { memory: next, velocities, moving };
}
