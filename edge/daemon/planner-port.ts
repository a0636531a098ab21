/**
 * What the daemon asks of the planning module. The daemon owns no planning logic; it hands the current
 * costmap, pose and coverage progress to these functions and follows what comes back.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import type { PathPose } from '../control/path-follower.ts';
import type { Costmap } from '../mapping/layers/costmap.ts';

export interface CoverageRequest {
  costmap: Costmap;
  start: Pose2D;
  /** 1 where the tool has already swept, in the costmap's geometry */
  covered: Uint8Array;
  toolWidth: number;
  /** fraction of the tool width neighbouring rows overlap (tracking and localization errors), 0 by default */
  overlap?: number;
  robotRadius: number;
}

export interface CoveragePlan {
  /** empty when nothing reachable is left to clean */
  path: PathPose[];
  /** m² of the reachable cleanable area left uncovered that the plan visits */
  plannedArea: number;
  /** m² of cleanable area the plan cannot reach now (retried later) */
  unreachableArea: number;
  /**
   * with unreachable area: 1 on the costmap cells (its geometry) where the robot's centre would have to be
   * to clean it — the floor on the far side of whatever cuts it off
   */
  cutOff?: Uint8Array;
}

export interface MotionPlanner {
  /** A collision-free path from `from` to `goal` on the costmap, or undefined when there is none. */
  pathTo(costmap: Costmap, from: Pose2D, goal: Point2D, robotRadius: number): PathPose[] | undefined;
  /**
   * A coverage path over what is left to clean (an empty one, with the area that cannot be reached, when
   * nothing reachable is left), or undefined when there is nothing to plan on.
   */
  coverage(request: CoverageRequest): CoveragePlan | undefined;
}
