/**
 * Trajectory tools for evaluating SLAM against ground truth: a seeded odometry-noise model that turns a
 * true trajectory into the drifting odometry a wheeled robot would report, and the error measures.
 */
import { composePose, invertPose, relativePose, type Pose2D } from '../../shared/geometry.ts';
import type { Rng } from '../sim/rng.ts';

export interface OdometryNoise {
  /** standard deviation of the relative scale error of each step's forward, sideways and rotation motion */
  scaleSigma: number;
  /** heading drift in rad per metre travelled (a wheel-diameter mismatch) */
  driftPerMetre: number;
}

export const DEFAULT_ODOMETRY_NOISE: Readonly<OdometryNoise> = Object.freeze({
  scaleSigma: 0.05,
  driftPerMetre: 0.01,
});

/**
 * Odometry integrated from the steps between consecutive true poses, each step's forward and sideways motion
 * and rotation scaled by 1 + N(0, scaleSigma), plus driftPerMetre · distance of heading drift. Starts at the
 * identity, as odometry does.
 */
export function noisyOdometry(
  truth: readonly Pose2D[],
  rng: Rng,
  noise: OdometryNoise = DEFAULT_ODOMETRY_NOISE,
): Pose2D[] {
  const out: Pose2D[] = [];
  let odom: Pose2D = { x: 0, y: 0, theta: 0 };
  for (let k = 0; k < truth.length; k++) {
    if (k > 0) {
      const step = relativePose(truth[k - 1]!, truth[k]!);
      const dist = Math.hypot(step.x, step.y);
      const noisy: Pose2D = {
        x: step.x * (1 + rng.gaussian(0, noise.scaleSigma)),
        y: step.y * (1 + rng.gaussian(0, noise.scaleSigma)),
        theta: step.theta * (1 + rng.gaussian(0, noise.scaleSigma)) + noise.driftPerMetre * dist,
      };
      odom = composePose(odom, noisy);
    }
    out.push(odom);
  }
  return out;
}

/** Expresses `estimate` in the truth's frame by aligning the first poses. */
export function alignByFirstPose(estimate: readonly Pose2D[], truth: readonly Pose2D[]): Pose2D[] {
  if (estimate.length === 0) return [];
  const t = composePose(truth[0]!, invertPose(estimate[0]!));
  return estimate.map((p) => composePose(t, p));
}

/** Absolute trajectory error: RMS position error after aligning the first poses (m). */
export function absoluteTrajectoryError(estimate: readonly Pose2D[], truth: readonly Pose2D[]): number {
  const aligned = alignByFirstPose(estimate, truth);
  let sum = 0;
  for (let k = 0; k < aligned.length; k++)
    sum += (aligned[k]!.x - truth[k]!.x) ** 2 + (aligned[k]!.y - truth[k]!.y) ** 2;
  return aligned.length > 0 ? Math.sqrt(sum / aligned.length) : 0;
}

/** Per consecutive pair: the length of the difference between estimated and true relative translation (m). */
export function stepTranslationErrors(estimate: readonly Pose2D[], truth: readonly Pose2D[]): Float64Array {
  const n = Math.max(0, Math.min(estimate.length, truth.length) - 1);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const e = relativePose(estimate[k]!, estimate[k + 1]!);
    const t = relativePose(truth[k]!, truth[k + 1]!);
    out[k] = Math.hypot(e.x - t.x, e.y - t.y);
  }
  return out;
}

/** The q-quantile (0…1) of the values, linear between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
