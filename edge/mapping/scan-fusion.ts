/**
 * The front of the mapping pipeline as the daemon feeds it: odometry samples and LIDAR revolutions arrive
 * separately; each revolution is de-skewed with the odometry of its own time span and handed to SLAM at
 * the odometry pose of its last sample. Pure: values in, values out.
 */
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import type { LaserScan, Odometry } from '../../shared/sensors.ts';
import { deskewScan } from './deskew.ts';
import { OdometryBuffer } from './odometry-buffer.ts';
import { Slam, type SlamParamsInput, type SlamUpdate } from './slam.ts';

export interface FusedScan extends SlamUpdate {
  /** odometry pose of base_link at the scan's reference time */
  odom: Pose2D;
  /** clock time the pose refers to (the scan's last sample) */
  stamp: number;
  /** the scan as de-skewed to `stamp`, in the laser frame */
  scan: LaserScan;
}

export const RelocalizationParamsSchema = z.object({
  linearWindow: z.number().positive().default(1).describe('m searched around the expected start position'),
  angularWindow: z.number().positive().default(Math.PI).describe('rad searched around the expected heading'),
  minScore: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('a stored map is used only with a match this good'),
});
export type RelocalizationParams = z.output<typeof RelocalizationParamsSchema>;

export class ScanFusion {
  readonly slam: Slam;
  private readonly odometry = new OdometryBuffer(1024);

  /** the last fused revolution (de-skewed) and its odometry pose, for relocalization */
  private last: { scan: LaserScan; odom: Pose2D } | undefined;

  constructor(
    /** base_link → laser */
    readonly laserMount: Pose2D,
    params: SlamParamsInput = {},
    private readonly relocalization: RelocalizationParams = RelocalizationParamsSchema.parse({}),
  ) {
    this.slam = new Slam(params);
  }

  /**
   * Continues on a stored map: SLAM starts over on it and the last revolution is matched against it around
   * `guess` (see Slam.startOnMap). Not ok — and SLAM left on a fresh, empty map — when no scan has arrived
   * yet or the best match scores below `minScore`.
   */
  relocalize(
    grid: OccupancyGrid,
    guess: Pose2D,
  ): { ok: true; pose: Pose2D; score: number } | { ok: false; reason: string } {
    const last = this.last;
    if (!last) return { ok: false, reason: 'no scan yet' };
    const p = this.relocalization;
    const { pose, score } = this.slam.startOnMap(grid, last.scan, this.laserMount, last.odom, guess, {
      linear: p.linearWindow,
      angular: p.angularWindow,
    });
    if (score < p.minScore) {
      this.slam.reset();
      return { ok: false, reason: `best match scores ${score.toFixed(2)} (< ${p.minScore})` };
    }
    return { ok: true, pose, score };
  }

  pushOdometry(o: Odometry): void {
    this.odometry.push(o);
  }

  /** Fuses one revolution; undefined until odometry has arrived. */
  processScan(scan: LaserScan): FusedScan | undefined {
    const stamp = scan.stamp + scan.duration;
    const odom = this.odometry.at(stamp);
    if (!odom) return undefined;
    const deskewed = dropIsolatedNoReturns(
      deskewScan(scan, this.laserMount, (t) => this.odometry.at(t), stamp),
    );
    // SLAM's scan time is the reference time of the de-skewed samples.
    const fused = { ...deskewed, stamp, duration: 0 };
    const update = this.slam.update(fused, this.laserMount, odom);
    this.last = { scan: fused, odom };
    return { ...update, odom, stamp, scan: deskewed };
  }
}

/**
 * Removes no-return samples whose neighbours both have a return. A LIDAR reports 0 both for "nothing within
 * range" and for a dropout (a dark or shiny spot); an isolated 0 between two hits is a dropout, and treating
 * it as open space would clear a ray straight through the wall it missed.
 */
export function dropIsolatedNoReturns(scan: LaserScan): LaserScan {
  const n = scan.ranges.length;
  const r = scan.ranges;
  let drop = 0;
  for (let i = 0; i < n; i++) if (isolated(r, i, n)) drop++;
  if (drop === 0) return scan;
  const angles = new Float32Array(n - drop);
  const ranges = new Float32Array(n - drop);
  const qualities = new Uint8Array(n - drop);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (isolated(r, i, n)) continue;
    angles[k] = scan.angles[i]!;
    ranges[k] = r[i]!;
    qualities[k] = scan.qualities[i]!;
    k++;
  }
  return { ...scan, angles, ranges, qualities };
}

function isolated(r: Float32Array, i: number, n: number): boolean {
  if (r[i]! > 0 || n < 3) return false;
  const before = r[(i - 1 + n) % n]!;
  const after = r[(i + 1) % n]!;
  // Two misses in a row also happen at dropouts; look one further on each side.
  const before2 = r[(i - 2 + n) % n]!;
  const after2 = r[(i + 2) % n]!;
  return (before > 0 || before2 > 0) && (after > 0 || after2 > 0);
}
