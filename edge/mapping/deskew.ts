/**
 * Motion compensation of a LIDAR revolution: every sample is re-expressed in the laser frame at one
 * reference time, using the robot's odometry at the time the sample was measured. Without it, a robot
 * turning at 1 rad/s bends a 10 Hz scan by 0.1 rad end to end. Pure.
 */
import { composePose, invertPose, normalizeAngle, type Pose2D } from '../../shared/geometry.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import { hypot } from './hypot.ts';

/**
 * Returns a copy of `scan` as if every sample had been measured at `referenceTime`. `poseAt` gives
 * base_link's odometry pose at a time; `mount` is the laser's pose on the robot. No-return samples (range 0)
 * keep their angle.
 */
export function deskewScan(
  scan: LaserScan,
  mount: Pose2D,
  poseAt: (time: number) => Pose2D | undefined,
  referenceTime: number,
): LaserScan {
  const n = scan.ranges.length;
  const reference = poseAt(referenceTime);
  if (!reference || n === 0) return scan;
  const angles = new Float32Array(n);
  const ranges = new Float32Array(n);
  // laser(t_ref)⁻¹ ⊕ odom(t_ref)⁻¹ … computed once; per sample: odom(t_i) ⊕ mount ⊕ point.
  const toReference = invertPose(composePose(reference, mount));
  const step = n > 1 ? scan.duration / (n - 1) : 0;
  // composePose(toReference, composePose(pose, mount)) written out (same arithmetic, no objects per sample).
  const cr = Math.cos(toReference.theta);
  const sr = Math.sin(toReference.theta);
  for (let i = 0; i < n; i++) {
    const pose = poseAt(scan.stamp + i * step) ?? reference;
    const cp = Math.cos(pose.theta);
    const sp = Math.sin(pose.theta);
    const laserX = pose.x + cp * mount.x - sp * mount.y;
    const laserY = pose.y + sp * mount.x + cp * mount.y;
    const laserTheta = normalizeAngle(pose.theta + mount.theta);
    const refX = toReference.x + cr * laserX - sr * laserY;
    const refY = toReference.y + sr * laserX + cr * laserY;
    const refTheta = normalizeAngle(toReference.theta + laserTheta);
    const r = scan.ranges[i]!;
    const a = scan.angles[i]!;
    if (!(r > 0) || !Number.isFinite(r)) {
      angles[i] = a + refTheta;
      ranges[i] = r;
      continue;
    }
    const c = Math.cos(refTheta);
    const s = Math.sin(refTheta);
    const lx = r * Math.cos(a);
    const ly = r * Math.sin(a);
    const x = refX + c * lx - s * ly;
    const y = refY + s * lx + c * ly;
    angles[i] = Math.atan2(y, x);
    ranges[i] = hypot(x, y);
  }
  return { ...scan, angles, ranges, qualities: scan.qualities };
}
