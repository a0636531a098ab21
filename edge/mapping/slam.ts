/**
 * The mapping and localization pipeline the daemon runs for every LIDAR revolution:
 *   predict (map→odom correction ⊕ odometry) → match the scan against the map → accept the match or fall
 *   back to odometry → update the correction → integrate the scan into every level of the map pyramid.
 * Pure: scans and odometry come in as values, poses and maps come out.
 */
import { z } from 'zod';
import { composePose, invertPose, normalizeAngle, type Pose2D } from '../../shared/geometry.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import { OccupancyMap, OccupancyMapParamsSchema, type RayBatch } from './occupancy-map.ts';
import { ScanMatcherParamsSchema, matchScan, voxelFilter, type PointSet } from './scan-matcher.ts';

export const SlamParamsSchema = z.object({
  map: OccupancyMapParamsSchema.prefault({}),
  matcher: ScanMatcherParamsSchema.prefault({}),
  levels: z.number().int().min(1).max(5).default(3).describe('map pyramid depth, each level 2× coarser'),
  minRange: z.number().nonnegative().default(0.1).describe('m; shorter returns are ignored (robot body)'),
  maxRange: z.number().positive().default(30).describe('m; longer returns only clear, up to this range'),
  noReturnClearRange: z.number().nonnegative().default(3).describe('m cleared along a beam with no return'),
  minScore: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('matches scoring below this fall back to odometry'),
  priorTranslationWeight: z
    .number()
    .nonnegative()
    .default(10)
    .describe(
      '1/m² per point: pull of the odometry prediction on the refined position (a corridor needs it)',
    ),
  priorRotationWeight: z
    .number()
    .nonnegative()
    .default(0)
    .describe(
      '1/rad² per point: the same for heading (0: heading from the scan alone — gyro-less odometry drifts)',
    ),
  normalProjection: z
    .boolean()
    .default(true)
    .describe('refine each point only along its surface normal (no sliding along walls at the map frontier)'),
  minPoints: z.number().int().nonnegative().default(20).describe('fewer usable returns: odometry only'),
  maxUnmatchedBeforeIntegrating: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      'unmatched scans in a row before scans are integrated again (0: always integrate; on ACES holding them back cost more than it saved)',
    ),
  integrateDistance: z.number().nonnegative().default(0.05).describe('m moved before a scan is integrated'),
  integrateAngle: z.number().nonnegative().default(0.05).describe('rad turned before a scan is integrated'),
  integrateInterval: z.number().nonnegative().default(2).describe('s between integrations while standing'),
});
export type SlamParams = z.output<typeof SlamParamsSchema>;
export type SlamParamsInput = z.input<typeof SlamParamsSchema>;

export interface SlamUpdate {
  /** base_link in the map frame */
  pose: Pose2D;
  /** match score 0…1 (0 when nothing was matched) */
  score: number;
  /** true when the scan matcher's pose was used; false when odometry alone was */
  matched: boolean;
  /** true when this scan was added to the map */
  integrated: boolean;
}

export class Slam {
  readonly params: SlamParams;
  /** the map pyramid, finest first */
  readonly levels: OccupancyMap[];
  private correction: Pose2D = { x: 0, y: 0, theta: 0 };
  private lastIntegrated: { pose: Pose2D; stamp: number } | null = null;
  private scansSeen = 0;
  private unmatchedRun = 0;

  constructor(params: SlamParamsInput = {}) {
    this.params = SlamParamsSchema.parse(params);
    this.levels = [];
    for (let k = 0; k < this.params.levels; k++)
      this.levels.push(
        new OccupancyMap({ ...this.params.map, resolution: this.params.map.resolution * 2 ** k }),
      );
  }

  /** The finest level: what gets saved, drawn and planned on. */
  get map(): OccupancyMap {
    return this.levels[0]!;
  }

  /** map→odom: the transform that turns odometry poses into map poses. */
  get mapToOdom(): Pose2D {
    return { ...this.correction };
  }

  toOccupancyGrid(): OccupancyGrid {
    return this.map.toOccupancyGrid();
  }

  /**
   * Processes one scan. `laserMount` is the laser's pose on the robot (base_link → laser); `odom` is the
   * odometry pose of base_link at the scan's time.
   */
  update(scan: LaserScan, laserMount: Pose2D, odom: Pose2D): SlamUpdate {
    const p = this.params;
    const predicted = composePose(this.correction, odom);
    const points = scanToPoints(scan, laserMount, p.minRange, p.maxRange, p.normalProjection);
    const first = this.scansSeen === 0;
    this.scansSeen++;

    let pose = predicted;
    let score = 0;
    let matched = false;
    if (!first && points.count >= p.minPoints) {
      const pointsPerLevel = this.levels.map((level) => voxelFilter(points, level.resolution));
      const prior = {
        pose: predicted,
        translationWeight: p.priorTranslationWeight,
        rotationWeight: p.priorRotationWeight,
      };
      const result = matchScan(this.levels, pointsPerLevel, predicted, p.matcher, prior);
      score = result.score;
      const dx = result.pose.x - predicted.x;
      const dy = result.pose.y - predicted.y;
      const dTheta = Math.abs(normalizeAngle(result.pose.theta - predicted.theta));
      // Gauss–Newton may slide beyond the searched window along a featureless corridor: distrust that too.
      const inWindow =
        Math.hypot(dx, dy) <= p.matcher.linearWindow * Math.SQRT2 + p.map.resolution * 2 ** (p.levels - 1) &&
        dTheta <= p.matcher.angularWindow + 0.05;
      if (result.score >= p.minScore && inWindow) {
        pose = result.pose;
        matched = true;
      }
    }
    this.correction = composePose(pose, invertPose(odom));

    let integrated = false;
    const last = this.lastIntegrated;
    // An unmatched scan is only added while the map is young or after many unmatched scans in a row (the
    // robot has driven somewhere new): adding it at a drifting odometry pose would smear the map.
    const trusted = matched || first || this.unmatchedRun >= p.maxUnmatchedBeforeIntegrating;
    this.unmatchedRun = matched ? 0 : this.unmatchedRun + 1;
    if (
      !trusted
        ? false
        : last === null ||
          Math.hypot(pose.x - last.pose.x, pose.y - last.pose.y) >= p.integrateDistance ||
          Math.abs(normalizeAngle(pose.theta - last.pose.theta)) >= p.integrateAngle ||
          scan.stamp - last.stamp >= p.integrateInterval
    ) {
      const rays = scanToRays(scan, laserMount, pose, p.minRange, p.maxRange, p.noReturnClearRange);
      for (const level of this.levels) level.integrate(rays);
      this.lastIntegrated = { pose, stamp: scan.stamp };
      integrated = true;
    }
    return { pose, score, matched, integrated };
  }
}

/** Returns within [minRange, maxRange] as points in the robot (base) frame. */
export function scanToPoints(
  scan: LaserScan,
  mount: Pose2D,
  minRange: number,
  maxRange: number,
  normals = false,
): PointSet {
  const n = scan.ranges.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const c = Math.cos(mount.theta);
  const s = Math.sin(mount.theta);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    if (!(r >= minRange && r <= maxRange)) continue;
    const a = scan.angles[i]!;
    const lx = r * Math.cos(a);
    const ly = r * Math.sin(a);
    x[count] = mount.x + c * lx - s * ly;
    y[count] = mount.y + s * lx + c * ly;
    count++;
  }
  const points: PointSet = { x: x.subarray(0, count), y: y.subarray(0, count), count };
  if (normals) estimateNormals(points);
  return points;
}

/**
 * Unit normals from each point's neighbours in scan order (0, 0 where the neighbours are too far apart to lie
 * on the same surface).
 */
export function estimateNormals(points: PointSet): void {
  const n = points.count;
  const nx = new Float32Array(n);
  const ny = new Float32Array(n);
  for (let i = 1; i + 1 < n; i++) {
    const tx = points.x[i + 1]! - points.x[i - 1]!;
    const ty = points.y[i + 1]! - points.y[i - 1]!;
    const len = Math.hypot(tx, ty);
    const range = Math.hypot(points.x[i]!, points.y[i]!);
    // Two beam steps at this range, with slack for oblique walls; farther means a different surface.
    if (!(len > 1e-6) || len > 0.1 + 0.15 * range) continue;
    nx[i] = -ty / len;
    ny[i] = tx / len;
  }
  points.nx = nx;
  points.ny = ny;
}

/**
 * Every beam as a ray in the map frame: returns within range end in a hit; longer returns clear up to
 * `maxRange`; beams with no return (range 0 or not finite) clear up to `noReturnClearRange`.
 */
export function scanToRays(
  scan: LaserScan,
  mount: Pose2D,
  pose: Pose2D,
  minRange: number,
  maxRange: number,
  noReturnClearRange: number,
): RayBatch {
  const n = scan.ranges.length;
  const sensor = composePose(pose, mount);
  const endX = new Float64Array(n);
  const endY = new Float64Array(n);
  const hit = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    let length: number;
    let isHit = 0;
    if (r > 0 && Number.isFinite(r)) {
      if (r < minRange) continue;
      if (r <= maxRange) {
        length = r;
        isHit = 1;
      } else length = maxRange;
    } else {
      if (noReturnClearRange <= 0) continue;
      length = noReturnClearRange;
    }
    const a = sensor.theta + scan.angles[i]!;
    endX[count] = sensor.x + length * Math.cos(a);
    endY[count] = sensor.y + length * Math.sin(a);
    hit[count] = isHit;
    count++;
  }
  return { originX: sensor.x, originY: sensor.y, endX, endY, hit, count };
}
