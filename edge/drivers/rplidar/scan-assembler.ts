/**
 * Gathers decoded RPLIDAR samples into complete revolutions and converts them, once, into a REP-103
 * LaserScan in the laser frame: θ = −(vendor clockwise angle), wrapped into (−π, π]; ranges in metres,
 * 0 for no return or outside [minRange, maxRange]. The mounting pose is applied downstream. Pure: sample
 * times are passed in.
 */
import { normalizeAngle } from '../../../shared/geometry.ts';
import type { LaserScan } from '../../../shared/sensors.ts';

export interface ScanAssemblerOptions {
  /** m; shorter readings become 0 */
  minRange: number;
  /** m; longer readings become 0 */
  maxRange: number;
  onScan(scan: LaserScan): void;
  /** A revolution that reaches this many samples is emitted as is (a lost start flag). */
  maxSamples?: number;
  /** Degrees swept after which a revolution is closed even without a start flag (a lost start flag). */
  maxSweepDeg?: number;
}

const DEG = Math.PI / 180;

export class ScanAssembler {
  private readonly angles: Float32Array;
  private readonly ranges: Float32Array;
  private readonly qualities: Uint8Array;
  private count = 0;
  private firstTime = 0;
  private lastTime = 0;
  private lastAngleDeg = 0;
  private sweepDeg = 0;
  /** True once a revolution start has been seen: samples before it belong to a partial revolution. */
  private collecting = false;
  private seq = 0;
  private readonly minRange: number;
  private readonly maxRange: number;
  private readonly maxSweepDeg: number;
  private readonly onScan: (scan: LaserScan) => void;
  /** samples thrown away because they were not part of a complete revolution */
  discardedSamples = 0;

  constructor(options: ScanAssemblerOptions) {
    const capacity = options.maxSamples ?? 16384;
    this.angles = new Float32Array(capacity);
    this.ranges = new Float32Array(capacity);
    this.qualities = new Uint8Array(capacity);
    this.minRange = options.minRange;
    this.maxRange = options.maxRange;
    this.maxSweepDeg = options.maxSweepDeg ?? 370;
    this.onScan = options.onScan;
  }

  /** Revolutions emitted so far; the next scan's `seq`. */
  get scans(): number {
    return this.seq;
  }

  push(
    angleDeg: number,
    distanceMm: number,
    quality: number,
    startOfRevolution: boolean,
    time: number,
  ): void {
    if (startOfRevolution) {
      if (this.collecting && this.count > 0) this.emit();
      this.begin(angleDeg, time);
    } else if (!this.collecting) {
      this.discardedSamples++;
      return;
    } else {
      let delta = angleDeg - this.lastAngleDeg;
      if (delta > 180) delta -= 360;
      else if (delta <= -180) delta += 360;
      this.sweepDeg += delta;
      if (this.sweepDeg >= this.maxSweepDeg || this.count >= this.angles.length) {
        this.emit();
        this.begin(angleDeg, time);
      }
    }
    const i = this.count++;
    this.angles[i] = normalizeAngle(-angleDeg * DEG);
    const range = distanceMm / 1000;
    this.ranges[i] = range >= this.minRange && range <= this.maxRange ? range : 0;
    this.qualities[i] = quality;
    this.lastAngleDeg = angleDeg;
    this.lastTime = time;
  }

  /** Drops the revolution in progress (the stream restarted or the device was reconnected). */
  discard(): void {
    this.discardedSamples += this.count;
    this.count = 0;
    this.collecting = false;
  }

  private begin(angleDeg: number, time: number): void {
    this.collecting = true;
    this.count = 0;
    this.sweepDeg = 0;
    this.firstTime = time;
    this.lastAngleDeg = angleDeg;
  }

  private emit(): void {
    const n = this.count;
    const scan: LaserScan = {
      stamp: this.firstTime,
      duration: this.lastTime - this.firstTime,
      angles: this.angles.slice(0, n),
      ranges: this.ranges.slice(0, n),
      qualities: this.qualities.slice(0, n),
      seq: this.seq++,
    };
    this.count = 0;
    this.onScan(scan);
  }
}
