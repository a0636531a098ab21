/**
 * What the LIDAR saw that has since come too close for it to see.
 *
 * An RPLIDAR reads nothing closer than its minimum range (0.2 m on an A2M12), and that band reaches beyond a
 * 0.17 m robot's body: a table leg the robot drives past comes within 3 cm of its side, where the safety
 * gate's stop margin lies, and vanishes from the scan. The gate would then let the robot arc into it. This
 * memory keeps the returns of the last few seconds near the robot in the odom frame and hands those that now
 * lie in the blind band back to the gate, in base_link, next to the live scan. Outside the band the live scan
 * is the truth: remembered points there are kept (the robot's motion may bring them into the band) but not
 * handed on, and returns that move are not remembered at all (a person who walked away is gone).
 *
 * Pure: memory in, memory out; times and poses are arguments.
 */
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry.ts';

export const BlindZoneParamsSchema = z.strictObject({
  blindRange: z.number().positive().default(0.2).describe('m from the LIDAR: closer returns read as nothing'),
  lidar: z
    .object({ x: z.number(), y: z.number() })
    .default({ x: 0, y: 0 })
    .describe('the LIDAR in base_link, m'),
  keepFor: z.number().positive().default(5).describe('s a return is remembered'),
  nearRange: z
    .number()
    .positive()
    .default(0.6)
    .describe(
      'm from the LIDAR: only returns this close are remembered (nothing further reaches the band soon)',
    ),
  minRadius: z
    .number()
    .nonnegative()
    .default(0.17)
    .describe('m from base_link: remembered points closer (inside the body: odometry drift) are dropped'),
});
export type BlindZoneParams = z.output<typeof BlindZoneParamsSchema>;

export interface BlindZoneMemory {
  /** x, y pairs in the odom frame */
  readonly points: Float32Array;
  /** clock time each point was seen */
  readonly stamps: Float64Array;
}

export const EMPTY_BLIND_ZONE_MEMORY: BlindZoneMemory = {
  points: new Float32Array(0),
  stamps: new Float64Array(0),
};

/**
 * Adds a scan (base_link points, seen at `stamp` with base_link at `odom`) to the memory, forgets what is too
 * old, and returns the scan's points plus the remembered ones that now lie in the blind band (base_link).
 * With `velocities` (vx, vy per point, as `trackScanMotion` gives them), points that move are not remembered:
 * where someone walking past was is no obstacle once they have walked on, and as the robot drove on, their
 * remembered side came back into the band and the gate stopped it against nothing.
 */
export function rememberBlindZone(
  memory: BlindZoneMemory,
  scan: Float32Array,
  odom: Pose2D,
  stamp: number,
  p: BlindZoneParams,
  velocities?: Float32Array,
): { memory: BlindZoneMemory; points: Float32Array } {
  const c = Math.cos(odom.theta);
  const s = Math.sin(odom.theta);
  const keptX: number[] = [];
  const keptY: number[] = [];
  const keptT: number[] = [];
  const blind: number[] = [];
  // Old points: keep the recent ones; pass on those in the band now.
  for (let i = 0; i < memory.stamps.length; i++) {
    if (stamp - memory.stamps[i]! > p.keepFor) continue;
    const ox = memory.points[2 * i]!;
    const oy = memory.points[2 * i + 1]!;
    const dx = ox - odom.x;
    const dy = oy - odom.y;
    const bx = c * dx + s * dy;
    const by = -s * dx + c * dy;
    const fromLidar = Math.hypot(bx - p.lidar.x, by - p.lidar.y);
    if (fromLidar > p.nearRange) continue;
    keptX.push(ox);
    keptY.push(oy);
    keptT.push(memory.stamps[i]!);
    if (fromLidar < p.blindRange && Math.hypot(bx, by) >= p.minRadius) blind.push(bx, by);
  }
  // New points near the robot go into the memory.
  for (let i = 0; i + 1 < scan.length; i += 2) {
    const bx = scan[i]!;
    const by = scan[i + 1]!;
    if (Math.hypot(bx - p.lidar.x, by - p.lidar.y) > p.nearRange) continue;
    if (velocities && (velocities[i] !== 0 || velocities[i + 1] !== 0)) continue;
    keptX.push(odom.x + c * bx - s * by);
    keptY.push(odom.y + s * bx + c * by);
    keptT.push(stamp);
  }
  const points = new Float32Array(scan.length + blind.length);
  points.set(scan);
  points.set(blind, scan.length);
  const stored = new Float32Array(2 * keptX.length);
  for (let i = 0; i < keptX.length; i++) {
    stored[2 * i] = keptX[i]!;
    stored[2 * i + 1] = keptY[i]!;
  }
  return { memory: { points: stored, stamps: Float64Array.from(keptT) }, points };
}
