/** `swath plan --map FILE.yaml`: plans coverage of a stored map and scores the plan. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserInputError } from '../../../shared/errors.ts';
import type { Point2D } from '../../../shared/geometry.ts';
import type { OccupancyGrid } from '../../../shared/occupancy-grid.ts';
import { readRosMap, renderMapPng, type Rgb } from '../../mapping/map-file.ts';
import { planCoverage, type PoseKind } from '../../planning/coverage.ts';
import { costmapFromGrid } from '../../planning/grid-costmap.ts';
import { scoreCoverage } from '../../planning/score.ts';
import { INSCRIBED } from '../../planning/transit.ts';
import { parseNumberFlag, parsePointFlag } from '../args.ts';

interface PlanOptions {
  map: string;
  toolWidth: string;
  robotRadius: string;
  start?: string;
  pathOut?: string;
  png?: string;
  json?: boolean;
  perimeter: boolean;
}

const KIND_COLORS: Record<PoseKind, Rgb> = {
  sweep: [30, 90, 220],
  perimeter: [20, 160, 60],
  transit: [220, 40, 40],
};

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('plan coverage of a stored ROS map (unknown cells count as obstacles) and score the plan')
    .requiredOption('--map <file.yaml>', 'ROS map_server YAML')
    .option('--tool-width <m>', 'cleaning tool width', '0.30')
    .option('--robot-radius <m>', 'robot radius', '0.17')
    .option('--start <x,y>', 'start in map metres (default: the free cell nearest the map frame origin)')
    .option('--path-out <file>', 'write the robot-centre path: one "x y" line per pose, map metres')
    .option(
      '--png <file>',
      'draw the known part of the map and the path (sweep blue, perimeter green, transit red, start orange)',
    )
    .option('--json', 'print the figures as one JSON object')
    .option('--no-perimeter', 'skip the edge-cleaning pass along walls and furniture')
    .action((opts: PlanOptions) => {
      const toolWidth = parseNumberFlag('--tool-width', opts.toolWidth, { min: 0.01 });
      const robotRadius = parseNumberFlag('--robot-radius', opts.robotRadius, { min: 0.01 });
      const grid = readRosMap(opts.map);
      const costmap = costmapFromGrid(grid, robotRadius);
      const { width, height, resolution, origin } = costmap;
      const cellOf = (p: Point2D) => ({
        cx: Math.floor((p.x - origin.x) / resolution),
        cy: Math.floor((p.y - origin.y) / resolution),
      });
      let start: Point2D;
      if (opts.start !== undefined) {
        start = parsePointFlag('--start', opts.start);
        const { cx, cy } = cellOf(start);
        if (cx < 0 || cy < 0 || cx >= width || cy >= height)
          throw new UserInputError(`--start ${opts.start}: outside the map`);
        if (costmap.costs[cy * width + cx]! >= INSCRIBED)
          throw new UserInputError(
            `--start ${opts.start}: inside an obstacle (the robot, radius ${robotRadius} m, does not fit there)`,
          );
      } else {
        const found = nearestFreeCell(costmap.costs, width, height, cellOf({ x: 0, y: 0 }));
        if (found < 0) throw new UserInputError(`${opts.map}: no free cell the robot fits in`);
        const cx = found % width;
        start = {
          x: origin.x + (cx + 0.5) * resolution,
          y: origin.y + ((found - cx) / width + 0.5) * resolution,
        };
      }

      const started = performance.now();
      const plan = planCoverage(costmap, { ...start, theta: 0 }, undefined, {
        toolWidth,
        perimeter: opts.perimeter,
      });
      const planMs = performance.now() - started;
      const score = scoreCoverage(grid, plan.path, { toolWidth, robotRadius });

      if (opts.pathOut) {
        const lines = plan.path.map((p) => `${p.x.toFixed(4)} ${p.y.toFixed(4)}`);
        writeFileSync(opts.pathOut, `${lines.join('\n')}\n`);
      }
      if (opts.png) {
        const polylines: { points: Point2D[]; color: Rgb }[] = [];
        for (let k = 1; k < plan.path.length; k++) {
          const kind = plan.path[k]!.kind;
          const last = polylines[polylines.length - 1];
          if (last && last.color === KIND_COLORS[kind]) last.points.push(plan.path[k]!);
          else polylines.push({ points: [plan.path[k - 1]!, plan.path[k]!], color: KIND_COLORS[kind] });
        }
        writeFileSync(
          opts.png,
          renderMapPng(enlarge(cropToKnown(grid, 10), 600), {
            polylines,
            points: [{ ...start, color: [250, 150, 0], size: 5 }],
          }),
        );
      }
      const summary = {
        coverage: round(score.coverage, 4),
        cleanableArea: round(score.cleanableArea, 3),
        unreachableArea: round(score.unreachableArea, 3),
        pathLength: round(score.pathLength, 2),
        lowerBound: round(score.lowerBound, 2),
        turns: score.turns,
        rotation: round(score.rotation, 2),
        overlap: round(score.overlap, 4),
        estimatedTime: round(score.estimatedTime, 1),
        speed: score.speed,
        turnRate: score.turnRate,
        planMs: round(planMs, 1),
        collisions: score.collisions,
        sweepAngleDeg: round((plan.sweepAngle * 180) / Math.PI, 1),
        cells: plan.cellCount,
        start: { x: round(start.x, 3), y: round(start.y, 3) },
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else
        for (const [key, value] of Object.entries(summary))
          process.stdout.write(
            `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`,
          );
    });
}

/** The cell the robot's centre may occupy (cost below inscribed) nearest to `from` (Euclidean), or -1. */
function nearestFreeCell(
  costs: Uint8Array,
  width: number,
  height: number,
  from: { cx: number; cy: number },
): number {
  let best = -1;
  let bestD = Infinity;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (costs[y * width + x]! >= INSCRIBED) continue;
      const d = (x - from.cx) ** 2 + (y - from.cy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = y * width + x;
      }
    }
  return best;
}

/** The part of the grid holding known cells, plus `margin` cells around (stored maps are mostly unknown). */
function cropToKnown(grid: OccupancyGrid, margin: number): OccupancyGrid {
  let x0 = grid.width;
  let y0 = grid.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < grid.height; y++)
    for (let x = 0; x < grid.width; x++)
      if (grid.data[y * grid.width + x]! >= 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return grid;
  x0 = Math.max(0, x0 - margin);
  y0 = Math.max(0, y0 - margin);
  x1 = Math.min(grid.width - 1, x1 + margin);
  y1 = Math.min(grid.height - 1, y1 + margin);
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const data = new Int8Array(width * height);
  for (let y = 0; y < height; y++)
    data.set(grid.data.subarray((y + y0) * grid.width + x0, (y + y0) * grid.width + x0 + width), y * width);
  return {
    width,
    height,
    resolution: grid.resolution,
    origin: {
      x: grid.origin.x + x0 * grid.resolution,
      y: grid.origin.y + y0 * grid.resolution,
      theta: grid.origin.theta,
    },
    data,
  };
}

/** The grid with each cell repeated so that the picture is about `size` pixels across (paths stay legible). */
function enlarge(grid: OccupancyGrid, size: number): OccupancyGrid {
  const f = Math.max(1, Math.floor(size / Math.max(grid.width, grid.height)));
  if (f === 1) return grid;
  const width = grid.width * f;
  const height = grid.height * f;
  const data = new Int8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      data[y * width + x] = grid.data[Math.floor(y / f) * grid.width + Math.floor(x / f)]!;
  return { width, height, resolution: grid.resolution / f, origin: grid.origin, data };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
