/**
 * The light bumper as an obstacle sensor: a ring of infrared proximity beams at fixed bearings that see what
 * stands within a few centimetres of the body — shoes, toys, a pet's bowl, things below the LIDAR's plane
 * that otherwise only the bumper finds. A lit beam puts an obstacle point on its bearing, `markAt` beyond the
 * body; a point the LIDAR's world already explains (a wall, a chair leg beside it) is dropped,
 * so sweeping along a wall adds nothing.
 *
 * Pure: bits, a pose and the costmap come in, map points go out.
 */
import { z } from 'zod';
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import { cellToWorld, worldToCell } from '../../shared/occupancy-grid.ts';
import { LIGHT_BUMPER_BEARINGS } from '../drivers/light-bumper.ts';
import { LETHAL, type Costmap } from './layers/costmap.ts';

export const LightBumperParamsSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      'mark what the light bumper sees, and put bump marks on its lit beams (off: apartment seed 3 boxed itself in behind fresh marks)',
    ),
  markAt: z
    .number()
    .nonnegative()
    .default(0.05)
    .describe("m beyond the body where a lit beam's obstacle is put (the beams see 0–0.1 m on the Create 2)"),
  explainedRadius: z
    .number()
    .nonnegative()
    .default(0.1)
    .describe(
      'm: a point this close to a lethal cell of the map or the LIDAR is that obstacle, not a new one',
    ),
  markSpacing: z.number().positive().default(0.04).describe('m between marks of one obstacle'),
});
export type LightBumperParams = z.output<typeof LightBumperParamsSchema>;

/** The map points the lit beams put obstacles at, from the robot at `pose` with body radius `radius`. */
export function lightBumperPoints(
  bits: number,
  pose: Pose2D,
  radius: number,
  params: Pick<LightBumperParams, 'markAt'>,
  bearings: readonly number[] = LIGHT_BUMPER_BEARINGS,
): Point2D[] {
  const points: Point2D[] = [];
  const r = radius + params.markAt;
  for (let i = 0; i < bearings.length; i++) {
    if (!(bits & (1 << i))) continue;
    const a = pose.theta + bearings[i]!;
    points.push({ x: pose.x + r * Math.cos(a), y: pose.y + r * Math.sin(a) });
  }
  return points;
}

/**
 * The points no lethal cell of `costmap` lies within `explainedRadius` of, and no point of `marks` within
 * `markSpacing`: the obstacles the map does not hold yet.
 */
export function unexplainedPoints(
  points: readonly Point2D[],
  costmap: Costmap,
  marks: readonly Point2D[],
  params: Pick<LightBumperParams, 'explainedRadius' | 'markSpacing'>,
): Point2D[] {
  const out: Point2D[] = [];
  const marked = (p: Point2D, list: readonly Point2D[]) =>
    list.some((m) => Math.hypot(m.x - p.x, m.y - p.y) < params.markSpacing);
  for (const p of points)
    if (!marked(p, marks) && !marked(p, out) && !lethalWithin(costmap, p, params.explainedRadius))
      out.push(p);
  return out;
}

/** Whether a lethal cell's centre lies within `radius` (plus half a cell) of `p`. */
function lethalWithin(costmap: Costmap, p: Point2D, radius: number): boolean {
  const { width, height, resolution, costs } = costmap;
  const reach = Math.ceil(radius / resolution);
  const { cx, cy } = worldToCell(costmap, p.x, p.y);
  for (let y = Math.max(0, cy - reach); y <= Math.min(height - 1, cy + reach); y++)
    for (let x = Math.max(0, cx - reach); x <= Math.min(width - 1, cx + reach); x++) {
      if (costs[y * width + x] !== LETHAL) continue;
      const centre = cellToWorld(costmap, x, y);
      if (Math.hypot(centre.x - p.x, centre.y - p.y) <= radius + resolution / 2) return true;
    }
  return false;
}
