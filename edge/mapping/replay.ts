/**
 * Replaying a recorded CARMEN log through the same SLAM pipeline the robot runs — the core of
 * `swath map --replay` and of the acceptance test. The clock used to time each scan is injected.
 */
import type { Pose2D } from '../../shared/geometry.ts';
import { DEFAULT_ODOMETRY_NOISE, noisyOdometry, type OdometryNoise } from './trajectory.ts';
import { flaserToLaserScan, formatFlaserLine, type CarmenLog } from './carmen.ts';
import { Slam, type SlamParamsInput } from './slam.ts';
import type { Rng } from '../sim/rng.ts';

export interface ReplayResult {
  slam: Slam;
  /** pose per scan as the pipeline returned it at the time (map frame) */
  poses: Pose2D[];
  /** pose per scan as known at the end, after every loop closure (the corrected trajectory) */
  trajectory: Pose2D[];
  scores: Float64Array;
  matched: number;
  /** milliseconds per scan, by the injected clock */
  msPerScan: Float64Array;
}

export function replayCarmen(
  log: CarmenLog,
  opts: { params?: SlamParamsInput; nowMs?: () => number; onScan?: (index: number) => void } = {},
): ReplayResult {
  const offset = Number(log.params.get('robot_frontlaser_offset') ?? 0);
  const mount: Pose2D = { x: Number.isFinite(offset) ? offset : 0, y: 0, theta: 0 };
  const slam = new Slam(opts.params);
  const n = log.scans.length;
  const poses: Pose2D[] = [];
  const scores = new Float64Array(n);
  const msPerScan = new Float64Array(n);
  let matched = 0;
  for (let k = 0; k < n; k++) {
    const scan = log.scans[k]!;
    const t0 = opts.nowMs?.() ?? 0;
    const r = slam.update(flaserToLaserScan(scan, k), mount, scan.odom);
    msPerScan[k] = (opts.nowMs?.() ?? 0) - t0;
    poses.push(r.pose);
    scores[k] = r.score;
    if (r.matched) matched++;
    opts.onScan?.(k);
  }
  // A last optimisation over every loop closure found, as before saving a map.
  slam.finish();
  return { slam, poses, trajectory: slam.trajectory(), scores, matched, msPerScan };
}

/**
 * A copy of a corrected log whose odometry fields are odometry integrated from the corrected poses' steps,
 * corrupted by seeded noise (see noisyOdometry) — what a real robot's wheels would have reported.
 */
export function logWithNoisyOdometry(
  log: CarmenLog,
  rng: Rng,
  noise: OdometryNoise = DEFAULT_ODOMETRY_NOISE,
): string {
  const odom = noisyOdometry(
    log.scans.map((s) => s.pose),
    rng,
    noise,
  );
  const lines = ['# odometry replaced by swath: seeded noisy odometry from the corrected poses'];
  for (const [name, value] of log.params) lines.push(`PARAM ${name} ${value} nohost 0`);
  log.scans.forEach((s, k) => lines.push(formatFlaserLine({ ...s, odom: odom[k]! })));
  return `${lines.join('\n')}\n`;
}
