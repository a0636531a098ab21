/**
 * The baseline the planner is compared with: a grid sweep in the manner of PythonRobotics'
 * grid_based_sweep_coverage_path_planner. It drives along x until the next cell is blocked, steps one row
 * up, and drives back; when it cannot step up it stops. Rows are one tool width apart. Pure.
 */
import type { Point2D } from '../../shared/geometry.ts';
import { costAtClearance, nearestPassable, type CostGrid } from './transit.ts';

export function naiveGridSweep(grid: CostGrid, start: Point2D, toolWidth: number): Point2D[] {
  const { width, height, resolution, origin } = grid;
  const maxCost = costAtClearance(0.05);
  const ok = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && grid.costs[y * width + x]! <= maxCost;
  const s = nearestPassable(
    grid,
    Math.floor((start.x - origin.x) / resolution),
    Math.floor((start.y - origin.y) / resolution),
    Math.ceil(0.3 / resolution),
  );
  if (s < 0) return [];
  let x = s % width;
  let y = (s - x) / width;
  const rowStep = Math.max(1, Math.round(toolWidth / resolution));
  const centre = (cx: number, cy: number): Point2D => ({
    x: origin.x + (cx + 0.5) * resolution,
    y: origin.y + (cy + 0.5) * resolution,
  });
  // Like the original, start at the row's low end.
  while (ok(x - 1, y)) x--;
  const path = [centre(x, y)];
  let dir = 1;
  for (;;) {
    while (ok(x + dir, y)) x += dir;
    path.push(centre(x, y));
    let stepped = 0;
    while (stepped < rowStep && ok(x, y + 1)) {
      y++;
      stepped++;
    }
    if (stepped === 0) return path;
    path.push(centre(x, y));
    dir = -dir;
  }
}
