/**
 * The front of the mapping pipeline as the daemon feeds it: odometry samples and LIDAR revolutions arrive
 * separately; each revolution is de-skewed with the odometry of its own time span and handed to SLAM at
 * the odometry pose of its last sample. Pure: values in, values out.
 */
import type { Pose2D } from '../../shared/geometry.ts';
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

export class ScanFusion {
  readonly slam: Slam;
  private readonly odometry = new OdometryBuffer(1024);

  constructor(
    /** base_link → laser */
    readonly laserMount: Pose2D,
    params: SlamParamsInput = {},
  ) {
    this.slam = new Slam(params);
  }

  pushOdometry(o: Odometry): void {
    this.odometry.push(o);
  }

  /** Fuses one revolution; undefined until odometry has arrived. */
  processScan(scan: LaserScan): FusedScan | undefined {
    const stamp = scan.stamp + scan.duration;
    const odom = this.odometry.at(stamp);
    if (!odom) return undefined;
    const deskewed = deskewScan(scan, this.laserMount, (t) => this.odometry.at(t), stamp);
    // SLAM's scan time is the reference time of the de-skewed samples.
    const update = this.slam.update({ ...deskewed, stamp, duration: 0 }, this.laserMount, odom);
    return { ...update, odom, stamp, scan: deskewed };
  }
}
