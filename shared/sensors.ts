/**
 * Sensor readings as the drivers deliver them, already in SI units and REP-103 conventions.
 */

/**
 * One full LIDAR revolution in the laser frame: angles counter-clockwise in radians (0 = straight ahead of
 * the sensor), ranges in metres with 0 meaning no return, timestamps in seconds from the injected clock.
 * Samples are in the order they were measured.
 */
export interface LaserScan {
  /** clock time of the first sample */
  stamp: number;
  /** seconds from the first sample to the last */
  duration: number;
  angles: Float32Array;
  ranges: Float32Array;
  qualities: Uint8Array;
  /** revolution counter since the driver started */
  seq: number;
}

/** Drive-base odometry: pose of base_link in odom, and the body velocity. */
export interface Odometry {
  stamp: number;
  x: number;
  y: number;
  theta: number;
  /** m/s forward */
  v: number;
  /** rad/s counter-clockwise */
  omega: number;
}
