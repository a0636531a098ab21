/**
 * The planning module as the daemon uses it: A* transit paths, and coverage of what is left to clean. The
 * adapter keeps the last coverage plan so that later requests replan incrementally (the remaining runs,
 * cut by the new costmap, blocked ones retried last) instead of starting over; a request with nothing
 * covered yet, or on a map of another geometry (the SLAM map grew), starts a fresh plan.
 */
import type { GridInfo } from '../../shared/occupancy-grid.ts';
import type { CoveragePlan, CoverageRequest, MotionPlanner } from '../daemon/planner-port.ts';
import { sameGeometry } from '../mapping/layers/costmap.ts';
import { planCoverage, replanCoverage, type CoverageResult } from './coverage.ts';
import { planTransit } from './transit.ts';

export function createMotionPlanner(): MotionPlanner {
  let last: CoverageResult | undefined;
  let geometry: GridInfo | undefined;
  return {
    pathTo: (costmap, from, goal) => planTransit(costmap, from, goal),
    coverage(request: CoverageRequest): CoveragePlan | undefined {
      const params = { toolWidth: request.toolWidth };
      const started = request.covered.some((v) => v !== 0);
      const { costmap } = request;
      const sameMap = geometry !== undefined && sameGeometry(geometry, costmap);
      geometry = {
        width: costmap.width,
        height: costmap.height,
        resolution: costmap.resolution,
        origin: { ...costmap.origin },
      };
      const result =
        last && started && sameMap
          ? replanCoverage(last, request.costmap, request.start, request.covered, params)
          : planCoverage(request.costmap, request.start, request.covered, params);
      last = result;
      if (result.path.length < 2 || result.plannedCells === 0) return undefined;
      const cellArea = request.costmap.resolution ** 2;
      return {
        path: result.path,
        plannedArea: result.plannedCells * cellArea,
        unreachableArea: result.unreachableCells * cellArea,
      };
    },
  };
}

/** The daemon's planner (one per process: it remembers the last coverage plan). */
export const motionPlanner: MotionPlanner = createMotionPlanner();
