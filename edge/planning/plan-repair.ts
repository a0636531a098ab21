/**
 * Resuming an interrupted coverage plan instead of planning afresh.
 *
 * When the path ahead turns out obstructed (a chair moved, a person stands there, the map shifted by a few
 * centimetres after a loop closure) or the robot had to back off a bump, the rest of the plan is still good.
 * A fresh plan over everything left starts its tour from wherever the robot happened to stop: in the
 * simulated apartment, fresh plans after each of ~120 interruptions abandoned half-swept rows and spent most
 * of the mission in transit. Here the plan is kept: the obstructed stretch is skipped (the daemon retries it
 * at the end), and a transit path leads around it to the first pose past it from which the plan runs clear.
 *
 * Pure: the costmap and a path planner come in, a path goes out.
 */
import { z } from 'zod';
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import type { PathPose } from '../control/path-follower.ts';
import { INSCRIBED, LETHAL, NO_INFORMATION, type Costmap } from '../mapping/layers/costmap.ts';
import { pathLength } from './transit.ts';

export const PlanRepairParamsSchema = z.strictObject({
  clearRun: z
    .number()
    .positive()
    .default(0.4)
    .describe('m of plan that must run clear from the pose where the plan is resumed'),
  maxAttempts: z
    .number()
    .int()
    .positive()
    .default(6)
    .describe('resume points tried (each past one more obstruction) before giving up'),
  nearAhead: z
    .number()
    .positive()
    .default(1)
    .describe(
      'm of plan ahead in which an obstruction is what stopped the robot; later ones wait their turn',
    ),
  maxSkip: z
    .number()
    .positive()
    .default(3)
    .describe('m of plan passed over at most; past that the caller plans afresh over what is left'),
  maxDetour: z
    .number()
    .positive()
    .default(4)
    .describe('m: a way back onto the plan longer than this plus the straight distance is not taken'),
});
export type PlanRepairParams = z.output<typeof PlanRepairParamsSchema>;

export type PathPlanner = (costmap: Costmap, from: Pose2D, goal: Point2D) => PathPose[] | undefined;

export interface PlanResumption {
  /** the way back onto the plan (tagged transit), then the rest of the plan */
  path: PathPose[];
  /** index into the old plan where it is joined again */
  resumeIndex: number;
  /** the plan's poses passed over because they were obstructed (for the retry at the end) */
  skipped: PathPose[];
  /** m of the way back */
  detour: number;
}

type Tagged = PathPose & { kind?: string };

/**
 * The rest of `plan` from `fromIndex` (the follower's last index) on, rejoined from `pose`; undefined when
 * nothing of it can be rejoined, and the caller plans afresh.
 */
export function resumePlan(
  plan: readonly Tagged[],
  fromIndex: number,
  pose: Pose2D,
  costmap: Costmap,
  pathTo: PathPlanner,
  params: z.input<typeof PlanRepairParamsSchema> = {},
  /** m of plan to pass over even where it looks clear: the robot was stopped here before, by something the map does not show */
  minSkip = 0,
): PlanResumption | undefined {
  const p = PlanRepairParamsSchema.parse(params);
  const last = plan.length - 1;
  if (last < 1 || fromIndex >= last) return undefined;
  const start = Math.max(0, fromIndex);
  let obstruction = firstObstructed(plan, start, costmap);
  if (obstruction >= 0 && pathLength(plan.slice(start, obstruction + 1)) > p.nearAhead + minSkip)
    obstruction = -1;
  let candidate: number;
  if (obstruction >= 0) candidate = clearFrom(plan, obstruction + 1, costmap, p);
  else if (minSkip > 0) {
    let skipTo = start;
    for (let run = 0; skipTo < last && run < minSkip; skipTo++)
      run += Math.hypot(plan[skipTo + 1]!.x - plan[skipTo]!.x, plan[skipTo + 1]!.y - plan[skipTo]!.y);
    obstruction = skipTo - 1;
    candidate = clearFrom(plan, skipTo, costmap, p);
  } else {
    // Nothing in the way any more (a person walked on, a bump mark off the path): rejoin at the next pose.
    candidate = Math.min(start + 1, last);
  }
  for (let attempt = 0; attempt < p.maxAttempts && candidate >= 0; attempt++) {
    if (obstruction >= 0 && pathLength(plan.slice(start, candidate + 1)) > p.maxSkip + minSkip)
      return undefined;
    const target = plan[candidate]!;
    const way = pathTo(costmap, pose, target);
    const detour = way ? pathLength(way) : Infinity;
    if (way && way.length >= 1 && detour <= Math.hypot(target.x - pose.x, target.y - pose.y) + p.maxDetour) {
      const path: Tagged[] = way.map((q) => ({ x: q.x, y: q.y, theta: q.theta, kind: 'transit' }));
      const end = path[path.length - 1]!;
      if (Math.hypot(end.x - target.x, end.y - target.y) > 1e-6) path.push({ ...target, kind: 'transit' });
      for (let i = candidate + 1; i <= last; i++) path.push(plan[i]!);
      const skipped = obstruction < 0 ? [] : plan.slice(start, candidate).filter((q) => q.kind !== 'transit');
      return { path, resumeIndex: candidate, skipped, detour };
    }
    // Cannot get there: skip to past the next obstruction.
    obstruction = firstObstructed(plan, candidate, costmap);
    candidate = obstruction < 0 ? -1 : clearFrom(plan, obstruction + 1, costmap, p);
  }
  return undefined;
}

/** Index of the first segment (pose i → i + 1) from `from` on that crosses inscribed or lethal cost; −1 if none. */
function firstObstructed(plan: readonly PathPose[], from: number, costmap: Costmap): number {
  for (let i = from; i < plan.length - 1; i++) if (segmentBlocked(plan[i]!, plan[i + 1]!, costmap)) return i;
  return -1;
}

/**
 * The first pose index from `from` on that is free and from which the plan runs `clearRun` metres (or to
 * its end) without obstruction; −1 if none.
 */
function clearFrom(plan: readonly PathPose[], from: number, costmap: Costmap, p: PlanRepairParams): number {
  for (let i = from; i < plan.length; i++) {
    if (!isFree(costmap, plan[i]!)) continue;
    let run = 0;
    let j = i;
    let ok = true;
    while (j < plan.length - 1 && run < p.clearRun) {
      if (segmentBlocked(plan[j]!, plan[j + 1]!, costmap)) {
        ok = false;
        break;
      }
      run += Math.hypot(plan[j + 1]!.x - plan[j]!.x, plan[j + 1]!.y - plan[j]!.y);
      j++;
    }
    if (ok) return i;
    i = j; // the obstruction at j: look past it
  }
  return -1;
}

function segmentBlocked(a: Point2D, b: Point2D, costmap: Costmap): boolean {
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  const steps = Math.max(1, Math.ceil(length / costmap.resolution));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const c = costAt(costmap, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
    if (c === INSCRIBED || c === LETHAL) return true;
  }
  return false;
}

function isFree(costmap: Costmap, q: Point2D): boolean {
  const c = costAt(costmap, q.x, q.y);
  return c < INSCRIBED;
}

function costAt(costmap: Costmap, x: number, y: number): number {
  const cx = Math.floor((x - costmap.origin.x) / costmap.resolution);
  const cy = Math.floor((y - costmap.origin.y) / costmap.resolution);
  if (cx < 0 || cy < 0 || cx >= costmap.width || cy >= costmap.height) return NO_INFORMATION;
  return costmap.costs[cy * costmap.width + cx]!;
}
