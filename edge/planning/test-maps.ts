/**
 * Synthetic floor plans for the planner's tests and benchmark: rectangles of free floor inside walls, with
 * furniture as filled rectangles. Metres, 0.05 m cells, origin at (0, 0). Pure.
 */
import { FREE, OCCUPIED, createGrid, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { INSCRIBED, LETHAL, type Costmap } from '../mapping/layers/costmap.ts';
import { Rng } from '../sim/rng.ts';

export const RESOLUTION = 0.05;

/** [x0, y0, x1, y1] in metres. */
export type Rect = readonly [number, number, number, number];

/** A grid of `w` × `h` m, all walls, with `free` rectangles carved out and `blocks` filled back in. */
export function floorPlan(
  w: number,
  h: number,
  free: readonly Rect[],
  blocks: readonly Rect[] = [],
): OccupancyGrid {
  const width = Math.round(w / RESOLUTION);
  const height = Math.round(h / RESOLUTION);
  const grid = createGrid(
    { width, height, resolution: RESOLUTION, origin: { x: 0, y: 0, theta: 0 } },
    OCCUPIED,
  );
  fill(grid, free, FREE);
  fill(grid, blocks, OCCUPIED);
  return grid;
}

/** Sets the cells whose centres lie inside the rectangles. */
export function fill(grid: OccupancyGrid, rects: readonly Rect[], value: number): void {
  for (const [x0, y0, x1, y1] of rects)
    for (let y = 0; y < grid.height; y++) {
      const cy = (y + 0.5) * grid.resolution + grid.origin.y;
      if (cy < y0 || cy > y1) continue;
      for (let x = 0; x < grid.width; x++) {
        const cx = (x + 0.5) * grid.resolution + grid.origin.x;
        if (cx >= x0 && cx <= x1) grid.data[y * grid.width + x] = value;
      }
    }
}

/** An empty 4 × 3 m room. */
export const emptyRoom = (): OccupancyGrid => floorPlan(4.4, 3.4, [[0.2, 0.2, 4.2, 3.2]]);

/** A 5 × 4 m room with a 1.2 × 0.8 m table in the middle. */
export const tableRoom = (): OccupancyGrid =>
  floorPlan(5.4, 4.4, [[0.2, 0.2, 5.2, 4.2]], [[2.1, 1.8, 3.3, 2.6]]);

/** Two 4 × 4 m rooms side by side, joined by a 0.8 m doorway near the top of the shared wall. */
export const twoRooms = (): OccupancyGrid =>
  floorPlan(8.6, 4.4, [
    [0.2, 0.2, 4.2, 4.2],
    [4.4, 0.2, 8.4, 4.2],
    [4.1, 3.0, 4.5, 3.8],
  ]);

/** An L-shaped room: 6 × 2 m along the bottom and 2 × 4 m up the left side. */
export const lRoom = (): OccupancyGrid =>
  floorPlan(6.4, 6.4, [
    [0.2, 0.2, 6.2, 2.2],
    [0.2, 0.2, 2.2, 6.2],
  ]);

/** A `size` × `size` m room with `count` random pieces of furniture (0.3–1.2 m), seeded. */
export function clutteredRoom(size: number, count: number, seed: number): OccupancyGrid {
  const rng = new Rng(seed);
  const blocks: Rect[] = [];
  for (let k = 0; k < count; k++) {
    const w = rng.uniform(0.3, 1.2);
    const h = rng.uniform(0.3, 1.2);
    const x = rng.uniform(0.9, size - 0.5 - w);
    const y = rng.uniform(0.9, size - 0.5 - h);
    blocks.push([x, y, x + w, y + h]);
  }
  return floorPlan(size + 0.4, size + 0.4, [[0.2, 0.2, size + 0.2, size + 0.2]], blocks);
}

/**
 * A 5 × 4 m room whose walls carry `bumps` random bumps and specks (3–12 cm), as the walls of a map built
 * by SLAM do, seeded.
 */
export function raggedRoom(seed: number, bumps = 60): OccupancyGrid {
  const grid = floorPlan(5.4, 4.4, [[0.2, 0.2, 5.2, 4.2]]);
  const rng = new Rng(seed);
  for (let k = 0; k < bumps; k++) {
    const x = rng.uniform(0.2, 5.2);
    const y = rng.uniform(0.2, 4.2);
    const [bx, by] =
      rng.uniform(0, 1) < 0.5
        ? [rng.uniform(0, 1) < 0.5 ? 0.2 : 5.1, y]
        : [x, rng.uniform(0, 1) < 0.5 ? 0.2 : 4.1];
    fill(grid, [[bx, by, bx + rng.uniform(0.03, 0.12), by + rng.uniform(0.03, 0.12)]], OCCUPIED);
  }
  return grid;
}

/** A costmap of `w` × `h` m at RESOLUTION, origin (0, 0), each cell's cost given at its centre. */
export function costmapOf(w: number, h: number, costAt: (x: number, y: number) => number): Costmap {
  const width = Math.round(w / RESOLUTION);
  const height = Math.round(h / RESOLUTION);
  const costs = new Uint8Array(width * height);
  for (let cy = 0; cy < height; cy++)
    for (let cx = 0; cx < width; cx++)
      costs[cy * width + cx] = costAt((cx + 0.5) * RESOLUTION, (cy + 0.5) * RESOLUTION);
  return { width, height, resolution: RESOLUTION, origin: { x: 0, y: 0, theta: 0 }, costs };
}

/**
 * A 5 × 3 m room as a costmap: walls, and round obstacles (centre and radius, m), lethal inside and inscribed
 * out to `inflate` beyond their edge.
 */
export function roomWithPosts(
  obstacles: ReadonlyArray<{ x: number; y: number; r: number }>,
  inflate = 0.17,
): Costmap {
  return costmapOf(5, 3, (x, y) => {
    const wall = Math.min(x, y, 5 - x, 3 - y);
    let cost = wall < RESOLUTION ? LETHAL : wall < inflate ? INSCRIBED : 0;
    for (const o of obstacles) {
      const d = Math.hypot(x - o.x, y - o.y) - o.r;
      if (d <= 0) cost = LETHAL;
      else if (d < inflate && cost < INSCRIBED) cost = INSCRIBED;
    }
    return cost;
  });
}
