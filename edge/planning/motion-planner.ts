/** The planning module as the daemon uses it: A* transit paths and coverage of what is left to clean. */
import type { CoveragePlan, CoverageRequest, MotionPlanner } from '../daemon/planner-port.ts';
import { planCoverage } from './coverage.ts';
import { planTransit } from './transit.ts';

export const motionPlanner: MotionPlanner = {
  pathTo: (costmap, from, goal) => planTransit(costmap, from, goal),
  coverage(request: CoverageRequest): CoveragePlan | undefined {
    const result = planCoverage(request.costmap, request.start, request.covered, {
      toolWidth: request.toolWidth,
    });
    if (result.path.length < 2 || result.plannedCells === 0) return undefined;
    const cellArea = request.costmap.resolution ** 2;
    return {
      path: result.path,
      plannedArea: result.plannedCells * cellArea,
      unreachableArea: result.unreachableCells * cellArea,
    };
  },
};
