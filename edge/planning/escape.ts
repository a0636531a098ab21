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
import type { PathPose } from '../control/path-follower.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';
import { floodFill } from './footprint.ts';
import { nearestPassable } from './transit.ts';

/**
 * The share of the costmap's passable cells that the robot's centre can reach from `pose` (4-connected; the
 * start snaps to a passable cell within 0.3 m as the planners' do): near 1 in the open, small in a pocket.
 */
export function reachableShare(costmap: Costmap, pose: Pose2D): number {
  const { width, height, resolution, origin, costs } = costmap;
  const passable = new Uint8Array(width * height);
  let total = 0;
  for (let i = 0; i < passable.length; i++)
    if (costs[i]! < INSCRIBED) {
      passable[i] = 1;
      total++;
    }
  const cx = Math.floor((pose.x - origin.x) / resolution);
  const cy = Math.floor((pose.y - origin.y) / resolution);
  const inside = cx >= 0 && cy >= 0 && cx < width && cy < height;
  const start = inside ? nearestPassable(costmap, cx, cy, Math.ceil(0.3 / resolution)) : -1;
  if (start < 0 || total === 0) return 0;
  const reached = floodFill(width, height, passable, start);
  let count = 0;
  for (let i = 0; i < reached.length; i++) count += reached[i]!;
  return count / total;
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
  const { width, height, resolution, origin, costs } = costmap;
  const cellOf = (p: Point2D) => {
    const cx = Math.floor((p.x - origin.x) / resolution);
    const cy = Math.floor((p.y - origin.y) / resolution);
    return cx < 0 || cy < 0 || cx >= width || cy >= height ? -1 : cy * width + cx;
  };
  const passable = (i: number) => i >= 0 && costs[i]! < INSCRIBED;
  const pocket = new Uint8Array(width * height);
  // The planners snap a start this far to a passable cell: so does the pocket.
  const here = cellOf(pose);
  const start =
    here < 0
      ? -1
      : nearestPassable(costmap, here % width, Math.floor(here / width), Math.ceil(0.3 / resolution));
  if (start >= 0) {
    const stack = [start];
    pocket[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      for (const [nx, ny] of [
        [x + 1, y],
        [x - 1, y],
        [x, y + 1],
        [x, y - 1],
      ] as const) {
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (pocket[j] || !passable(j)) continue;
        pocket[j] = 1;
        stack.push(j);
      }
    }
  }
  for (let k = trail.length - 1; k >= 0; k--) {
    const i = cellOf(trail[k]!);
    if (!passable(i) || pocket[i]) continue;
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
