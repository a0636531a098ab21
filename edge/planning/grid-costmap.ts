/**
 * A stored map as the planner's costmap, built by the same costmap layers the daemon uses, with unknown
 * cells turned into obstacles (a stored map's unknown is outside the walls or unseen: never drive there).
 */
import { OCCUPIED, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { createRobotCostmap } from '../mapping/layers/index.ts';
import type { CostGrid } from './transit.ts';

export function costmapFromGrid(grid: OccupancyGrid, robotRadius: number, inflationMargin = 0.25): CostGrid {
  const known: OccupancyGrid = { ...grid, data: grid.data.map((v) => (v < 0 ? OCCUPIED : v)) };
  const costmap = createRobotCostmap(grid, { robotRadius, inflationMargin });
  costmap.static.setMap(known);
  const master = costmap.costmap.update(0);
  return { ...master, origin: { ...master.origin }, costs: master.costs.slice() };
}
