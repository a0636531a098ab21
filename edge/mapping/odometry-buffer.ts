/**
 * Recent odometry poses, so a LIDAR sample can be placed at the pose the robot had when it was measured
 * (a revolution takes 0.1–0.2 s, long enough for a turning robot to smear a scan). Pure.
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry.ts';
import type { Odometry } from '../../shared/sensors.ts';

export class OdometryBuffer {
  private readonly t: Float64Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly theta: Float64Array;
  private start = 0;
  private count = 0;
  /** where at() last found its samples (a logical index; checked before use) */
  private hint = 0;
  /** false once a NaN stamp got in (the hint then is not used: the samples may not be ordered) */
  private ordered = true;

  constructor(readonly capacity = 512) {
    this.t = new Float64Array(capacity);
    this.x = new Float64Array(capacity);
    this.y = new Float64Array(capacity);
    this.theta = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a sample; samples must come in time order (older ones are ignored). */
  push(o: Pick<Odometry, 'stamp' | 'x' | 'y' | 'theta'>): void {
    if (this.count > 0 && o.stamp <= this.t[this.index(this.count - 1)]!) return;
    if (Number.isNaN(o.stamp)) this.ordered = false;
    const i = this.count < this.capacity ? this.index(this.count) : this.start;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
    this.t[i] = o.stamp;
    this.x[i] = o.x;
    this.y[i] = o.y;
    this.theta[i] = o.theta;
  }

  latest(): (Pose2D & { stamp: number }) | undefined {
    if (this.count === 0) return undefined;
    const i = this.index(this.count - 1);
    return { stamp: this.t[i]!, x: this.x[i]!, y: this.y[i]!, theta: this.theta[i]! };
  }

  /**
   * The pose at time `time`, interpolated between the samples around it; before the first or after the last
   * sample, the nearest one (a robot is not extrapolated). Undefined while empty.
   */
  at(time: number): Pose2D | undefined {
    if (this.count === 0) return undefined;
    let lo = 0;
    let hi = this.count - 1;
    if (time <= this.t[this.index(lo)]!) return this.pose(lo);
    if (time >= this.t[this.index(hi)]!) return this.pose(hi);
    // Times are strictly increasing, so the samples around `time` are unique: try the last ones found (and
    // the next pair: a scan asks in time order) before the binary search.
    const hint = this.hint;
    if (this.ordered && hint < hi && this.t[this.index(hint)]! <= time) {
      if (time < this.t[this.index(hint + 1)]!) {
        lo = hint;
        hi = hint + 1;
      } else if (hint + 2 <= hi && time < this.t[this.index(hint + 2)]!) {
        lo = hint + 1;
        hi = hint + 2;
      }
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.t[this.index(mid)]! <= time) lo = mid;
      else hi = mid;
    }
    this.hint = lo;
    const a = this.index(lo);
    const b = this.index(hi);
    const f = (time - this.t[a]!) / (this.t[b]! - this.t[a]!);
    return {
      x: this.x[a]! + f * (this.x[b]! - this.x[a]!),
      y: this.y[a]! + f * (this.y[b]! - this.y[a]!),
      theta: normalizeAngle(this.theta[a]! + f * normalizeAngle(this.theta[b]! - this.theta[a]!)),
    };
  }

  private pose(k: number): Pose2D {
    const i = this.index(k);
    return { x: this.x[i]!, y: this.y[i]!, theta: this.theta[i]! };
  }

  /** (start + k) mod capacity, for 0 ≤ k < capacity */
  private index(k: number): number {
    const i = this.start + k;
    return i < this.capacity ? i : i - this.capacity;
  }
}
