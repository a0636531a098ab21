/**
 * How well the robot knows where it is and what the world looks like, measured against the simulator's
 * ground truth. Pure.
 */
import { composePose, transformPoint, type Pose2D } from '../../shared/geometry.ts';
import { OCCUPIED, type OccupancyGrid } from '../../shared/occupancy-grid.ts';

/** Running RMS of position errors. */
export class PoseErrorStats {
  private sumSq = 0;
  private n = 0;
  max = 0;

  add(estimate: Pose2D, truth: Pose2D): void {
    const e = Math.hypot(estimate.x - truth.x, estimate.y - truth.y);
    this.sumSq += e * e;
    this.n++;
    if (e > this.max) this.max = e;
  }

  get count(): number {
    return this.n;
  }

  get rmse(): number {
    return this.n > 0 ? Math.sqrt(this.sumSq / this.n) : 0;
  }
}

/**
 * The fraction of the map's known cells that agree with the truth: a free cell where the world is free, an
 * occupied cell within `toleranceCells` of a true obstacle. `mapToWorld` places the map frame in the world
 * (the robot's start pose, since the map starts where the robot does). Unknown cells don't count.
 */
export function mapAgreement(
  map: OccupancyGrid,
  mapToWorld: Pose2D,
  truth: OccupancyGrid,
  toleranceCells = 1,
): { agreement: number; knownCells: number } {
  let known = 0;
  let agree = 0;
  const { width, height, resolution, origin } = map;
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      const v = map.data[cy * width + cx]!;
      if (v < 0) continue;
      const occupied = v >= 50;
      const local = { x: origin.x + (cx + 0.5) * resolution, y: origin.y + (cy + 0.5) * resolution };
      const world = transformPoint(mapToWorld, local);
      const tx = Math.floor((world.x - truth.origin.x) / truth.resolution);
      const ty = Math.floor((world.y - truth.origin.y) / truth.resolution);
      known++;
      const radius = occupied ? toleranceCells : 0;
      let near = false;
      for (let dy = -radius; dy <= radius && !near; dy++) {
        for (let dx = -radius; dx <= radius && !near; dx++) {
          const x = tx + dx;
          const y = ty + dy;
          if (x >= 0 && y >= 0 && x < truth.width && y < truth.height)
            near = truth.data[y * truth.width + x]! === OCCUPIED;
        }
      }
      if (occupied === near) agree++;
    }
  }
  return { agreement: known > 0 ? agree / known : 0, knownCells: known };
}

/** The world pose of a map-frame pose, given where the map frame lies in the world. */
export const mapPoseInWorld = (mapToWorld: Pose2D, pose: Pose2D): Pose2D => composePose(mapToWorld, pose);
