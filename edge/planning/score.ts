/**
 * Scoring a coverage path against a map (shared by the tests, `swath plan` and the simulator), after the
 * ipa coverage-planning evaluation: coverage of the reachable cleanable area, path length against the lower
 * bound, turns, rotation, overlap, estimated time and collisions. Unknown cells count as obstacles. Pure.
 */
import { normalizeAngle, type Point2D } from '../../shared/geometry.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { distanceField } from '../mapping/distance-field.ts';
import { floodFill, forEachInDisk, forEachSample, growMask } from './footprint.ts';

export interface ScoreParams {
  toolWidth: number;
  robotRadius: number;
  /**
   * m of clearance beyond the robot radius that a cleaning centre keeps (the safety gate's margin); the
   * cleanable area is what the tool reaches from such centres. Default 0.05 (0 gives the ipa definition).
   */
  clearance?: number;
  /** linear speed for the time estimate, m/s; default 0.3 */
  speed?: number;
  /** turn rate for the time estimate, rad/s; default 1.0 */
  turnRate?: number;
  /** grid values at or above this are obstacles; default 65 */
  lethalThreshold?: number;
}

export interface CoverageScore {
  /** swept cleanable cells ÷ cleanable cells (0…1) */
  coverage: number;
  /** m²: floor the tool reaches from centres reachable from the path's start */
  cleanableArea: number;
  /** m²: free floor the tool cannot reach */
  unreachableArea: number;
  /** m², transit included */
  pathLength: number;
  /** m: cleanable area ÷ tool width */
  lowerBound: number;
  /** heading changes > 0.1 rad */
  turns: number;
  /** rad, sum of absolute heading changes */
  rotation: number;
  /** fraction of swept cleanable cells swept again after the tool had left them */
  overlap: number;
  /** s: pathLength / speed + rotation / turnRate */
  estimatedTime: number;
  speed: number;
  turnRate: number;
  /** stretches of path where the robot's disk overlaps an occupied cell */
  collisions: number;
}

/** Heading changes above this count as turns (rad). */
export const TURN_THRESHOLD = 0.1;

export function scoreCoverage(
  grid: OccupancyGrid,
  path: readonly Point2D[],
  params: ScoreParams,
): CoverageScore {
  const { width, height, resolution, data } = grid;
  const n = width * height;
  const lethal = params.lethalThreshold ?? 65;
  const speed = params.speed ?? 0.3;
  const turnRate = params.turnRate ?? 1.0;
  const toolRadius = params.toolWidth / 2;
  const isObstacle = (v: number) => v < 0 || v >= lethal;
  const dist = distanceField(grid, isObstacle);
  const centreMin = params.robotRadius + (params.clearance ?? 0.05) - 1e-6;

  // Reachable centres: with clearance, connected to the start through space the robot fits in.
  const fits = new Uint8Array(n);
  for (let i = 0; i < n; i++) fits[i] = dist[i]! > params.robotRadius ? 1 : 0;
  let startCell = -1;
  if (path.length > 0) {
    // The nearest cell the robot fits in, within 0.3 m of the start (as the planner snaps it).
    const p = path[0]!;
    let bestD = Infinity;
    forEachInDisk(grid, p.x, p.y, 0.3, (i) => {
      if (!fits[i]) return;
      const x = i % width;
      const d = Math.hypot(
        grid.origin.x + (x + 0.5) * resolution - p.x,
        grid.origin.y + ((i - x) / width + 0.5) * resolution - p.y,
      );
      if (d < bestD) {
        bestD = d;
        startCell = i;
      }
    });
  }
  const reachable = floodFill(width, height, fits, startCell);
  for (let i = 0; i < n; i++) if (reachable[i] && dist[i]! < centreMin) reachable[i] = 0;
  const reach = growMask(grid, reachable, toolRadius);
  const cleanable = new Uint8Array(n);
  let cleanableCells = 0;
  let freeCells = 0;
  for (let i = 0; i < n; i++) {
    if (isObstacle(data[i]!)) continue;
    freeCells++;
    if (reach[i]) {
      cleanable[i] = 1;
      cleanableCells++;
    }
  }

  // Sweep the tool densely; a cell touched again after the tool moved on by a tool width is overlap.
  const step = resolution / 2;
  const lastTouch = new Int32Array(n).fill(-1);
  const sweeps = new Uint8Array(n);
  const leave = Math.ceil(params.toolWidth / step) + 1;
  let sample = 0;
  let collisions = 0;
  let inCollision = false;
  const collideLimit = params.robotRadius - resolution / 2;
  forEachSample(path, step, (x, y) => {
    sample++;
    forEachInDisk(grid, x, y, toolRadius, (i) => {
      if (lastTouch[i]! < 0 || sample - lastTouch[i]! > leave) sweeps[i] = Math.min(255, sweeps[i]! + 1);
      lastTouch[i] = sample;
    });
    // Occupied cell centres closer than the robot radius, less half a cell of map quantisation.
    const colliding = forEachInDisk(grid, x, y, collideLimit, (i) => isObstacle(data[i]!));
    if (colliding && !inCollision) collisions++;
    inCollision = colliding;
  });
  let swept = 0;
  let again = 0;
  for (let i = 0; i < n; i++) {
    if (!cleanable[i] || sweeps[i] === 0) continue;
    swept++;
    if (sweeps[i]! > 1) again++;
  }

  let pathLength = 0;
  let turns = 0;
  let rotation = 0;
  let heading = NaN;
  for (let k = 1; k < path.length; k++) {
    const dx = path[k]!.x - path[k - 1]!.x;
    const dy = path[k]!.y - path[k - 1]!.y;
    const len = Math.hypot(dx, dy);
    if (len < 1e-9) continue;
    pathLength += len;
    const h = Math.atan2(dy, dx);
    if (!Number.isNaN(heading)) {
      const d = Math.abs(normalizeAngle(h - heading));
      rotation += d;
      if (d > TURN_THRESHOLD) turns++;
    }
    heading = h;
  }
  const cellArea = resolution * resolution;
  const cleanableArea = cleanableCells * cellArea;
  return {
    coverage: cleanableCells === 0 ? 1 : swept / cleanableCells,
    cleanableArea,
    unreachableArea: (freeCells - cleanableCells) * cellArea,
    pathLength,
    lowerBound: cleanableArea / params.toolWidth,
    turns,
    rotation,
    overlap: swept === 0 ? 0 : again / swept,
    estimatedTime: pathLength / speed + rotation / turnRate,
    speed,
    turnRate,
    collisions,
  };
}
