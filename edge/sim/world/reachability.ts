/**
 * Where a round robot's centre can go in a world: obstacles grown by the robot radius, then a flood fill
 * from the start. Free pockets that are neither reachable nor outside the building are "islands" — a
 * world with islands has cleanable floor the robot can never get to. Pure.
 */
import type { OccupancyGrid } from '../../../shared/occupancy-grid.ts';
import type { SimWorld } from './sim-world.ts';

export interface Island {
  cells: number;
  /** a cell centre inside the island, m */
  x: number;
  y: number;
}

export interface Reachability {
  /** 1 where the robot centre cannot be (an obstacle within the radius) */
  blocked: Uint8Array;
  /** 1 where the centre can get from the start */
  reachable: Uint8Array;
  reachableCells: number;
  /** enclosed free pockets the robot cannot reach */
  islands: Island[];
  grid: OccupancyGrid;
}

/** Cells whose centre lies within `radius` of an occupied (or unknown) cell's centre. */
export function inflateGrid(grid: OccupancyGrid, radius: number): Uint8Array {
  const { width, height, resolution, data } = grid;
  const k = Math.floor(radius / resolution + 1e-9);
  const offsets: number[] = [];
  for (let dy = -k; dy <= k; dy++)
    for (let dx = -k; dx <= k; dx++)
      if ((dx * dx + dy * dy) * resolution * resolution <= radius * radius) offsets.push(dx, dy);
  const blocked = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] === 0) continue;
      for (let o = 0; o < offsets.length; o += 2) {
        const nx = x + offsets[o]!;
        const ny = y + offsets[o + 1]!;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height) blocked[ny * width + nx] = 1;
      }
    }
  return blocked;
}

function flood(blocked: Uint8Array, width: number, height: number, seeds: number[], out: Uint8Array): number {
  const stack = seeds.filter((i) => !blocked[i] && !out[i]);
  for (const i of stack) out[i] = 1;
  let count = stack.length;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    const visit = (j: number): void => {
      if (!blocked[j] && !out[j]) {
        out[j] = 1;
        count++;
        stack.push(j);
      }
    };
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (y > 0) visit(i - width);
    if (y < height - 1) visit(i + width);
  }
  return count;
}

/** Reachability of a world's floor for a robot of this radius and height, on a grid of this resolution. */
export function worldReachability(
  world: SimWorld,
  resolution: number,
  robotRadius: number,
  robotHeight = world.overheadClearance,
): Reachability {
  const grid = world.obstacleGrid(resolution, robotHeight);
  const { width, height, origin } = grid;
  const blocked = inflateGrid(grid, robotRadius);
  const sx = Math.floor((world.spec.start.x - origin.x) / resolution);
  const sy = Math.floor((world.spec.start.y - origin.y) / resolution);
  const reachable = new Uint8Array(width * height);
  const reachableCells = flood(blocked, width, height, [sy * width + sx], reachable);
  // Everything connected to the grid's border is outside the building.
  const outside = new Uint8Array(width * height);
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(x, (height - 1) * width + x);
  for (let y = 0; y < height; y++) border.push(y * width, y * width + width - 1);
  flood(blocked, width, height, border, outside);
  const islands: Island[] = [];
  const seen = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    if (blocked[i] || reachable[i] || outside[i] || seen[i]) continue;
    const cells = flood(blocked, width, height, [i], seen);
    const x = i % width;
    islands.push({
      cells,
      x: origin.x + (x + 0.5) * resolution,
      y: origin.y + ((i - x) / width + 0.5) * resolution,
    });
  }
  return { blocked, reachable, reachableCells, islands, grid };
}
