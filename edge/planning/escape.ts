/**
 * Getting out of a pocket of the costmap by the way the robot came in.
 *
 * A robot that drove in between chair legs under a table can find itself where the costmap, refined by the
 * scans since, leaves no passable way out: the legs' inflation now closes the gaps it came through. No
 * planner path leaves such a pocket, yet the robot's own trail does — it was driven a moment ago. The escape
 * path runs back along the trail to the first point outside the pocket; it is meant to be followed without
 * the costmap's obstruction check (the safety gate still stops the robot for anything the LIDAR sees).
 *
 * Pure: the costmap and the trail come in, a path goes out.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import { inGrid, worldToCell } from '../../shared/occupancy-grid.ts';
import type { PathPose } from '../control/path-follower.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';
import { floodFill } from './footprint.ts';
import { nearestPassable } from './transit.ts';

/**
 * The costmap's passable cells (below inscribed) and the pocket of them the robot's centre reaches from
 * `pose` (4-connected; the start snaps to a passable cell within 0.3 m as the planners' do; empty when
 * none is that near).
 */
export function pocketAt(costmap: Costmap, pose: Pose2D): { passable: Uint8Array; pocket: Uint8Array } {
  const { width, height, resolution, costs } = costmap;
  const passable = new Uint8Array(width * height);
  for (let i = 0; i < passable.length; i++) passable[i] = costs[i]! < INSCRIBED ? 1 : 0;
  const { cx, cy } = worldToCell(costmap, pose.x, pose.y);
  const start = inGrid(costmap, cx, cy) ? nearestPassable(costmap, cx, cy, Math.ceil(0.3 / resolution)) : -1;
  return { passable, pocket: floodFill(width, height, passable, start) };
}

/**
 * The share of the costmap's passable cells that the robot's centre can reach from `pose` (its pocket, as
 * `pocketAt` finds it): near 1 in the open, small in a pocket.
 */
export function reachableShare(costmap: Costmap, pose: Pose2D): number {
  const { passable, pocket } = pocketAt(costmap, pose);
  let total = 0;
  let count = 0;
  for (let i = 0; i < passable.length; i++) {
    total += passable[i]!;
    count += pocket[i]!;
  }
  return total === 0 ? 0 : count / total;
}

/**
 * The path back along `trail` (oldest first, ending where the robot is) to the latest trail point outside
 * the pocket the robot stands in, or undefined when the trail never leaves the pocket (or the robot is not
 * in one: then its cell reaches the rest of the map and the planner can lead it out).
 */
export function escapeAlongTrail(
  costmap: Costmap,
  trail: readonly Point2D[],
  pose: Pose2D,
): PathPose[] | undefined {
  const { passable, pocket } = pocketAt(costmap, pose);
  const cellOf = (p: Point2D) => {
    const { cx, cy } = worldToCell(costmap, p.x, p.y);
    return inGrid(costmap, cx, cy) ? cy * costmap.width + cx : -1;
  };
  for (let k = trail.length - 1; k >= 0; k--) {
    const i = cellOf(trail[k]!);
    if (i < 0 || !passable[i] || pocket[i]) continue;
    const back = [pose as Point2D, ...trail.slice(k).reverse()];
    const path: PathPose[] = [];
    for (let m = 0; m < back.length; m++) {
      const a = back[m]!;
      const b = back[Math.min(m + 1, back.length - 1)]!;
      const prev = path[path.length - 1];
      if (prev && Math.hypot(a.x - prev.x, a.y - prev.y) < 1e-6) continue;
      const theta = m + 1 < back.length ? Math.atan2(b.y - a.y, b.x - a.x) : (prev?.theta ?? pose.theta);
      path.push({ x: a.x, y: a.y, theta });
    }
    return path.length >= 2 ? path : undefined;
  }
  return undefined;
}
