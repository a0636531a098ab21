/**
 * Going back to floor the map now cuts off, by the way the robot once drove there.
 *
 * A person who stands in a hallway while the robot maps it leaves a blot of occupied cells in the SLAM map.
 * If the robot never passes that way again, its LIDAR never sees that floor free again, and the room behind
 * the blot stays cut off: the coverage ends with the room unswept. But the robot's centre has been on those
 * cells: the floor was passable then. The revisit path runs over cells passable now and cells the robot has
 * driven, to the nearest centre of the cut-off floor. The robot follows it slowly behind the safety gate
 * alone; its scans on the way clear the blot if the blot is gone, and the gate stops it if it is not.
 *
 * Pure: the costmap, the driven cells and the cut-off cells come in, a path goes out.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import type { PathPose } from '../control/path-follower.ts';
import { DX, DY, INSCRIBED, MinHeap, nearestCell, STEP, type CostGrid } from './transit.ts';

export interface RevisitOptions {
  /** cut-off patches of fewer cells are not worth the trip */
  minCells: number;
  /** m of path over cells that are not passable now: beyond this the way is not taken */
  maxBlocked: number;
  /** goals of earlier revisits: the cut-off patches within `excludeRadius` of them are not tried again */
  exclude: readonly Point2D[];
  /** m; default 0.5 */
  excludeRadius?: number;
}

export interface Revisit {
  /** from the robot to the goal, one pose per cell */
  path: PathPose[];
  /** the cut-off cell reached */
  goal: Point2D;
  /** m² of the cut-off patch the goal belongs to */
  patchArea: number;
  /** m of the path over cells not passable now */
  blocked: number;
}

/** extra cost per step over a cell the costmap forbids now: a way over such cells is taken only if short */
const BLOCKED_PENALTY = 10;
/** extra cost per step at the highest inflation cost, as transit paths have it */
const COST_WEIGHT = 4;

/** Calls `visit(j, k)` for each of cell c's 8 neighbours j inside the grid (k indexes DX, DY and STEP). */
function forEachNeighbour(
  c: number,
  width: number,
  height: number,
  visit: (j: number, k: number) => void,
): void {
  const x = c % width;
  const y = (c - x) / width;
  for (let k = 0; k < 8; k++) {
    const nx = x + DX[k]!;
    const ny = y + DY[k]!;
    if (nx >= 0 && ny >= 0 && nx < width && ny < height) visit(ny * width + nx, k);
  }
}

/**
 * The cheapest path from `pose` over passable or `driven` cells to a cell of `cutOff` (both masks in the
 * costmap's geometry), or undefined when none is within the options' limits.
 */
export function revisitPath(
  costmap: CostGrid,
  driven: Uint8Array,
  cutOff: Uint8Array,
  pose: Pose2D,
  options: RevisitOptions,
): Revisit | undefined {
  const { width, height, resolution, origin, costs } = costmap;
  const n = width * height;
  const cellOf = (p: Point2D) => {
    const cx = Math.floor((p.x - origin.x) / resolution);
    const cy = Math.floor((p.y - origin.y) / resolution);
    return cx < 0 || cy < 0 || cx >= width || cy >= height ? -1 : cy * width + cx;
  };
  // The cut-off patches worth a trip, labelled (8-connected) and sized.
  const patch = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!cutOff[i] || patch[i]! >= 0) continue;
    const label = sizes.length;
    let size = 0;
    const stack = [i];
    patch[i] = label;
    while (stack.length > 0) {
      const c = stack.pop()!;
      size++;
      forEachNeighbour(c, width, height, (j) => {
        if (cutOff[j] && patch[j]! < 0) {
          patch[j] = label;
          stack.push(j);
        }
      });
    }
    sizes.push(size);
  }
  const wanted = sizes.map((s) => s >= options.minCells);
  const excludeCells = Math.ceil((options.excludeRadius ?? 0.5) / resolution);
  for (const p of options.exclude) {
    const cx = Math.floor((p.x - origin.x) / resolution);
    const cy = Math.floor((p.y - origin.y) / resolution);
    for (let dy = -excludeCells; dy <= excludeCells; dy++)
      for (let dx = -excludeCells; dx <= excludeCells; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= width || y >= height || dx * dx + dy * dy > excludeCells ** 2) continue;
        const label = patch[y * width + x]!;
        if (label >= 0) wanted[label] = false;
      }
  }
  if (!wanted.some(Boolean)) return undefined;

  const allowed = (i: number) => costs[i]! < INSCRIBED || driven[i] === 1;
  const here = cellOf(pose);
  const start =
    here < 0
      ? -1
      : nearestCell(costmap, here % width, Math.floor(here / width), Math.ceil(0.3 / resolution), allowed);
  if (start < 0) return undefined;

  // Dijkstra: the first wanted cut-off cell settled is the cheapest to reach.
  const g = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const closed = new Uint8Array(n);
  const heap = new MinHeap();
  g[start] = 0;
  heap.push(0, start);
  let goal = -1;
  while (heap.size > 0) {
    const c = heap.pop();
    if (closed[c]) continue;
    closed[c] = 1;
    const label = patch[c]!;
    if (label >= 0 && wanted[label]) {
      goal = c;
      break;
    }
    forEachNeighbour(c, width, height, (j, k) => {
      if (closed[j] || !allowed(j)) return;
      const cost = costs[j]!;
      const weight = cost >= INSCRIBED ? BLOCKED_PENALTY : (COST_WEIGHT * cost) / 252;
      const next = g[c]! + STEP[k]! * (1 + weight);
      if (next < g[j]!) {
        g[j] = next;
        parent[j] = c;
        heap.push(next, j);
      }
    });
  }
  if (goal < 0) return undefined;

  const cells: number[] = [];
  for (let c = goal; c >= 0; c = parent[c]!) cells.push(c);
  cells.reverse();
  const centre = (c: number): Point2D => ({
    x: origin.x + ((c % width) + 0.5) * resolution,
    y: origin.y + (Math.floor(c / width) + 0.5) * resolution,
  });
  let blocked = 0;
  for (let k = 1; k < cells.length; k++) {
    if (costs[cells[k]!]! < INSCRIBED) continue;
    const a = centre(cells[k - 1]!);
    const b = centre(cells[k]!);
    blocked += Math.hypot(b.x - a.x, b.y - a.y);
  }
  if (blocked > options.maxBlocked) return undefined;
  const points = [{ x: pose.x, y: pose.y }, ...cells.slice(1).map(centre)];
  const path: PathPose[] = points.map((p, k) => {
    const to = points[Math.min(k + 1, points.length - 1)]!;
    const from = k + 1 < points.length ? p : points[Math.max(0, k - 1)]!;
    const theta = points.length > 1 ? Math.atan2(to.y - from.y, to.x - from.x) : pose.theta;
    return { x: p.x, y: p.y, theta };
  });
  return {
    path,
    goal: centre(goal),
    patchArea: sizes[patch[goal]!]! * resolution * resolution,
    blocked,
  };
}
