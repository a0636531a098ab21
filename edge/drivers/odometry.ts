/**
 * Differential-drive kinematics and wheel-encoder odometry (pure: values in, values out; time comes in as
 * arguments). Shared by every drive-base driver and by the simulated bases.
 */
import { normalizeAngle } from '../../shared/geometry.ts';
import type { Odometry } from '../../shared/sensors.ts';

/** The wheel geometry every differential base has (a subset of shared/config.ts BaseConfig). */
export interface WheelGeometry {
  /** m, distance between the wheel contact points */
  wheelBase: number;
  /** m */
  wheelDiameter: number;
  /** encoder counts per wheel revolution */
  countsPerRevolution: number;
}

/** Wheel surface speeds in m/s, forward positive. */
export interface WheelSpeeds {
  left: number;
  right: number;
}

/** Metres of wheel travel per encoder count. */
export const metresPerCount = (g: WheelGeometry): number =>
  (Math.PI * g.wheelDiameter) / g.countsPerRevolution;

/**
 * Body twist (v m/s, omega rad/s CCW) to wheel speeds. If a wheel would exceed maxWheelSpeed both are
 * scaled by the same factor, so the path curvature (omega / v) is kept and only the pace drops.
 */
export function twistToWheels(
  v: number,
  omega: number,
  wheelBase: number,
  maxWheelSpeed: number,
): WheelSpeeds {
  const vv = Number.isFinite(v) ? v : 0;
  const ww = Number.isFinite(omega) ? omega : 0;
  let left = vv - (ww * wheelBase) / 2;
  let right = vv + (ww * wheelBase) / 2;
  const peak = Math.max(Math.abs(left), Math.abs(right));
  if (peak > maxWheelSpeed && peak > 0) {
    const scale = maxWheelSpeed / peak;
    left *= scale;
    right *= scale;
  }
  return { left, right };
}

/** Wheel speeds to body twist. */
export function wheelsToTwist(left: number, right: number, wheelBase: number): { v: number; omega: number } {
  return { v: (left + right) / 2, omega: (right - left) / wheelBase };
}

/**
 * Signed difference now − prev of two readings of a counter that wraps at `bits` bits, assuming the true
 * change is smaller than half the counter range. Works for signed and unsigned readings alike.
 */
export function wrappingDelta(now: number, prev: number, bits: 16 | 32): number {
  if (bits === 16) {
    const d = (now - prev) & 0xffff;
    return d >= 0x8000 ? d - 0x10000 : d;
  }
  // `| 0` reinterprets the low 32 bits as a signed int32: exactly the wrapped difference.
  return (now - prev) | 0;
}

export interface OdometryOptions extends WheelGeometry {
  /** width of the encoder counters */
  counterBits: 16 | 32;
  /** m/s, the fastest a wheel can turn: bounds how long a gap can be bridged without wrap ambiguity */
  maxWheelSpeed: number;
  /** s, time constant of the velocity low-pass filter */
  velocityTimeConstant?: number;
}

/**
 * Integrates encoder readings into a pose in the odom frame (midpoint rule: the chord of each step is
 * taken at the mean heading), with a low-pass-filtered velocity estimate.
 */
export class DiffDriveOdometry {
  private readonly perCount: number;
  private readonly maxGap: number;
  private readonly tau: number;
  private hasBaseline = false;
  private prevLeft = 0;
  private prevRight = 0;
  private prevStamp = 0;
  private x = 0;
  private y = 0;
  private theta = 0;
  private v = 0;
  private omega = 0;
  /** Total wheel travel in metres (left, right), for diagnostics and tests. */
  leftDistance = 0;
  rightDistance = 0;

  constructor(private readonly options: OdometryOptions) {
    this.perCount = metresPerCount(options);
    // A gap longer than the time a wheel needs at full speed to cover half the counter range could hide
    // a wrap; readings after such a gap start a new baseline instead of being integrated.
    const halfRange = options.counterBits === 16 ? 0x8000 : 0x80000000;
    this.maxGap = (halfRange * this.perCount) / options.maxWheelSpeed;
    this.tau = options.velocityTimeConstant ?? 0.05;
  }

  /** Sets the pose (e.g. to the configured initial pose) without touching the encoder baseline. */
  setPose(x: number, y: number, theta: number): void {
    this.x = x;
    this.y = y;
    this.theta = normalizeAngle(theta);
  }

  /** Forgets the encoder baseline: the next reading only re-anchors (after a controller reset). */
  rebaseline(): void {
    this.hasBaseline = false;
  }

  /**
   * Feeds one pair of raw counter readings taken at `stamp` (s). Returns the updated odometry, or
   * undefined when the reading only established a baseline.
   */
  update(stamp: number, leftCount: number, rightCount: number): Odometry | undefined {
    const bits = this.options.counterBits;
    const dt = stamp - this.prevStamp;
    if (!this.hasBaseline || dt > this.maxGap) {
      const first = !this.hasBaseline;
      this.hasBaseline = true;
      this.prevLeft = leftCount;
      this.prevRight = rightCount;
      this.prevStamp = stamp;
      this.v = 0;
      this.omega = 0;
      return first ? undefined : this.current(stamp);
    }
    const dl = wrappingDelta(leftCount, this.prevLeft, bits) * this.perCount;
    const dr = wrappingDelta(rightCount, this.prevRight, bits) * this.perCount;
    this.prevLeft = leftCount;
    this.prevRight = rightCount;
    this.prevStamp = stamp;
    this.leftDistance += dl;
    this.rightDistance += dr;

    const ds = (dl + dr) / 2;
    const dtheta = (dr - dl) / this.options.wheelBase;
    const mid = this.theta + dtheta / 2;
    this.x += ds * Math.cos(mid);
    this.y += ds * Math.sin(mid);
    this.theta = normalizeAngle(this.theta + dtheta);

    // Two readings with the same stamp still move the pose; they just carry no rate information.
    if (dt > 0) {
      const alpha = dt / (this.tau + dt);
      this.v += alpha * (ds / dt - this.v);
      this.omega += alpha * (dtheta / dt - this.omega);
    }
    return this.current(stamp);
  }

  private current(stamp: number): Odometry {
    return { stamp, x: this.x, y: this.y, theta: this.theta, v: this.v, omega: this.omega };
  }
}
