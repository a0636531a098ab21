/**
 * Squeezing out of a pocket that bump marks seal.
 *
 * A low obstacle the LIDAR cannot see (a shoe lying across a hallway) leaves gaps beside it that the robot
 * drove through before it knew the obstacle was there. Once bumped, the obstacle is known only by marks: a
 * bump tells the side that touched, not the point, so a mark sits a few centimetres off the true outline,
 * and the marks' inflation closes gaps the robot does fit through. Behind them it is boxed in.
 *
 * The way out plans over the costmap without the marks (what the LIDAR sees keeps its full inflation: those
 * walls are where the map says), each cell worth the room it leaves beyond the robot's radius from the walls
 * and beyond a smaller radius from the marks. The path leaves the most room any path out can (a maximin
 * path), so it keeps as far from the marks as the walls allow: through the middle of the gap. Where even
 * that is not enough, the marks shrink, down to a few centimetres. Two marks closer than the robot is wide
 * are one obstacle (most often a shoe's two ends): the path never goes between them, however small they
 * are taken (it did, and bumped the shoe in its middle). The
 * path is meant to be followed slowly, behind the safety gate alone; a bump on the way marks the obstacle
 * again, closer to where it is.
 *
 * Pure: costmaps and marks in, a path out.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import type { PathPose } from '../control/path-follower.ts';
import { cellToWorld, inGrid, worldToCell } from '../../shared/occupancy-grid.ts';
import { INSCRIBED, LETHAL, sameGeometry, type Costmap } from '../mapping/layers/costmap.ts';
import { pocketAt } from './escape.ts';
import { floodFill } from './footprint.ts';
import { nearestPassable, planTransit } from './transit.ts';

export interface SqueezeOptions {
  /** m: the radius a mark stands for where the room allows; default 0.12 */
  markRadius?: number;
  /** m: the smallest radius a mark is shrunk to; default 0.05 */
  minMarkRadius?: number;
  /** 1/m: decay of a mark's cost beyond the robot's radius, as the costmap's inflation; default 3 */
  costScaling?: number;
  /** m: marks further than this from the robot are left as they are; default 1.5 */
  reach?: number;
  /**
   * m: two marks closer than this stand for one obstacle (a shoe's two ends), and the segment between them
   * counts as a mark: the robot (this is its diameter) cannot pass between them. Default 0.34
   */
  joinDistance?: number;
}

export interface Squeeze {
  /** from the robot to the first cell outside the pocket */
  path: PathPose[];
  /** m: the radius the marks were taken as (the room the path leaves them) */
  markRadius: number;
  /** how many marks the path was planned around */
  marks: number;
}

/** m: the steps in which the room left to walls and marks is lowered until a path gets out */
const SLACK_STEP = 0.005;
/** m: more room than this beyond the radii is not sought */
const MAX_SLACK = 0.1;
/** m beyond a mark's radius that its distance is worked out */
const MARK_EXTENT = 0.4;

/**
 * The way out of the pocket of `full` (the planners' costmap, marks included) the robot stands in, over
 * `unmarked` (the same costmap without the marks' layer) with `marks` shrunk; undefined when the robot is
 * not in a pocket, no mark is near, or no radius lets a path out.
 */
export function squeezeOut(
  full: Costmap,
  unmarked: Costmap,
  marks: readonly Point2D[],
  pose: Pose2D,
  options: SqueezeOptions = {},
): Squeeze | undefined {
  if (!sameGeometry(full, unmarked)) throw new Error('squeezeOut: the costmaps differ in geometry');
  const reach = options.reach ?? 1.5;
  const near = marks.filter((m) => Math.hypot(m.x - pose.x, m.y - pose.y) <= reach);
  if (near.length === 0) return undefined;
  const outside = outsideOfPocket(full, pose);
  if (!outside) return undefined;
  const costScaling = options.costScaling ?? 3;
  const markRadius = options.markRadius ?? 0.12;
  const minMarkRadius = options.minMarkRadius ?? 0.05;
  const room = roomField(unmarked, near, markRadius, costScaling, options.joinDistance ?? 0.34);
  // The most room that still lets a path out (a maximin path): through the middle of the gap.
  for (let slack = MAX_SLACK; slack >= minMarkRadius - markRadius - 1e-9; slack -= SLACK_STEP) {
    const grid = { ...unmarked, costs: unmarked.costs.map((c, i) => (room[i]! >= slack ? c : LETHAL)) };
    const goal = nearestOutside(grid, outside, pose);
    if (goal < 0) continue;
    const to = cellToWorld(grid, goal % grid.width, Math.floor(goal / grid.width));
    const points = planTransit(grid, pose, to);
    if (!points || points.length < 2) continue;
    const path = points.map((p) => ({ x: p.x, y: p.y, theta: p.theta }));
    return { path, markRadius: markRadius + Math.min(0, slack), marks: near.length };
  }
  return undefined;
}

/**
 * The cells of the largest passable region of `full` the robot's pocket is not part of, when that region is
 * larger than the pocket (else the robot is not in a pocket: undefined).
 */
function outsideOfPocket(full: Costmap, pose: Pose2D): Uint8Array | undefined {
  const { width, height } = full;
  const n = width * height;
  const { passable, pocket } = pocketAt(full, pose);
  let pocketSize = 0;
  for (let i = 0; i < n; i++) pocketSize += pocket[i]!;
  const seen = Uint8Array.from(pocket);
  let best: Uint8Array | undefined;
  let bestSize = pocketSize;
  for (let i = 0; i < n; i++) {
    if (!passable[i] || seen[i]) continue;
    const region = floodFill(width, height, passable, i);
    let size = 0;
    for (let j = 0; j < n; j++)
      if (region[j]) {
        seen[j] = 1;
        size++;
      }
    if (size > bestSize) {
      best = region;
      bestSize = size;
    }
  }
  return best;
}

/**
 * The room each cell of `unmarked` leaves (m): beyond the robot's radius from what the LIDAR sees (worked
 * back from the inflated cost), beyond `markRadius` from the nearest mark — or the nearest segment joining
 * two marks closer than `joinDistance` — whichever is less; −Infinity where the costmap forbids the centre.
 */
function roomField(
  unmarked: Costmap,
  marks: readonly Point2D[],
  markRadius: number,
  costScaling: number,
  joinDistance: number,
): Float32Array {
  const { width, height } = unmarked;
  const n = width * height;
  const room = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = unmarked.costs[i]!;
    room[i] = c >= INSCRIBED ? -Infinity : c === 0 ? Infinity : -Math.log(c / (INSCRIBED - 1)) / costScaling;
  }
  // A lone mark is a segment of length 0.
  const segments: Array<[Point2D, Point2D]> = marks.map((m) => [m, m]);
  for (let i = 0; i < marks.length; i++)
    for (let j = i + 1; j < marks.length; j++) {
      const [a, b] = [marks[i]!, marks[j]!];
      if (Math.hypot(a.x - b.x, a.y - b.y) < joinDistance) segments.push([a, b]);
    }
  const extent = markRadius + MARK_EXTENT;
  for (const [a, b] of segments) {
    const lo = worldToCell(unmarked, Math.min(a.x, b.x) - extent, Math.min(a.y, b.y) - extent);
    const hi = worldToCell(unmarked, Math.max(a.x, b.x) + extent, Math.max(a.y, b.y) + extent);
    for (let y = Math.max(0, lo.cy); y <= Math.min(height - 1, hi.cy); y++)
      for (let x = Math.max(0, lo.cx); x <= Math.min(width - 1, hi.cx); x++) {
        const i = y * width + x;
        room[i] = Math.min(room[i]!, segmentDistance(cellToWorld(unmarked, x, y), a, b) - markRadius);
      }
  }
  return room;
}

function segmentDistance(p: Point2D, a: Point2D, b: Point2D): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
}

/** Cells the goal lies beyond the pocket's edge: the robot stops clear of the gap, not in it. */
const GOAL_DEPTH = 3;

/**
 * The `outside` cell GOAL_DEPTH cells past the one nearest to the robot, over the passable cells of `grid`
 * (4-connected; the nearest when the outside is shallower), or -1.
 */
function nearestOutside(grid: Costmap, outside: Uint8Array, pose: Pose2D): number {
  const { width, height, resolution, costs } = grid;
  const { cx, cy } = worldToCell(grid, pose.x, pose.y);
  if (!inGrid(grid, cx, cy)) return -1;
  const start = nearestPassable(grid, cx, cy, Math.ceil(0.3 / resolution));
  if (start < 0) return -1;
  const depth = new Int32Array(width * height).fill(-1);
  const queue = new Int32Array(width * height);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  depth[start] = 0;
  let first = -1;
  while (head < tail) {
    const i = queue[head++]!;
    if (outside[i]) {
      if (first < 0) first = i;
      if (depth[i]! >= depth[first]! + GOAL_DEPTH) return i;
    }
    const x = i % width;
    const y = (i - x) / width;
    const next = [
      x + 1 < width ? i + 1 : -1,
      x > 0 ? i - 1 : -1,
      y + 1 < height ? i + width : -1,
      y > 0 ? i - width : -1,
    ];
    for (const j of next) {
      if (j < 0 || depth[j]! >= 0 || costs[j]! >= INSCRIBED) continue;
      // Past the pocket's edge, only outside cells lead on.
      if (first >= 0 && !outside[j]) continue;
      depth[j] = depth[i]! + 1;
      queue[tail++] = j;
    }
  }
  return first;
}
