/**
 * `swath sim capture`: drives the simulated robot on a reactive wander through the real drivers and writes
 * what its sensors saw, with ground truth, in the format docs/capture-format.md describes. Same world and
 * seed → byte-identical CSV files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composePose, normalizeAngle, type Pose2D } from '../../../shared/geometry.ts';
import type { LaserScan, Odometry } from '../../../shared/sensors.ts';
import { createDriveBase } from '../../drivers/base.ts';
import { RplidarDriver } from '../../drivers/rplidar/driver.ts';
import { SimulatedRobot, SIM_ROBOT_CONFIG } from '../sim-robot.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { loadWorld } from '../world/load-world.ts';
import { CsvFile } from './csv-file.ts';
import { initialWander, stepWander, type PointCloud2D, type WanderState } from './wander.ts';

export const CAPTURE_FORMAT_VERSION = 1;

export interface CaptureOptions {
  world: string;
  seed: number;
  /** simulated seconds */
  duration: number;
  out: string;
  /** called every simulated second with the fraction done */
  onProgress?: (done: number) => void;
}

export interface CaptureSummary {
  world: string;
  seed: number;
  duration: number;
  scans: number;
  lidarSamples: number;
  odometryRows: number;
  groundTruthRows: number;
  bumps: number;
  distance: number;
  wallTime: number;
  realtimeFactor: number;
  files: string[];
}

const CONTROL_PERIOD = 0.05;
const GROUND_TRUTH_PERIOD = 0.02;

export async function runCapture(options: CaptureOptions): Promise<CaptureSummary> {
  const started = performance.now();
  const config = SIM_ROBOT_CONFIG;
  mkdirSync(options.out, { recursive: true });
  const clock = new VirtualClock();
  const world = loadWorld(options.world);
  const robot = new SimulatedRobot({ world, clock, seed: options.seed, config });
  const lidar = new RplidarDriver(config.lidar, robot.bus.factory(config.lidar.serial.path), clock);
  const base = createDriveBase(config.base, robot.bus.factory, clock);

  const lidarCsv = new CsvFile(join(options.out, 'lidar.csv'), [
    { name: 'time', decimals: 6 },
    { name: 'scan_id' },
    { name: 'angle', decimals: 5 },
    { name: 'range', decimals: 4 },
    { name: 'quality' },
  ]);
  const poseColumns = [
    { name: 'time', decimals: 4 },
    { name: 'x', decimals: 5 },
    { name: 'y', decimals: 5 },
    { name: 'theta', decimals: 5 },
  ];
  const truthCsv = new CsvFile(join(options.out, 'ground_truth.csv'), poseColumns);
  const odomCsv = new CsvFile(join(options.out, 'odometry.csv'), [
    ...poseColumns,
    { name: 'v', decimals: 4 },
    { name: 'omega', decimals: 4 },
  ]);

  // The wander reads the newest scan in base_link.
  const mount: Pose2D = { x: config.lidar.mount.x, y: config.lidar.mount.y, theta: config.lidar.mount.yaw };
  const points: PointCloud2D = { xs: new Float32Array(20000), ys: new Float32Array(20000), count: 0 };
  let scans = 0;
  let samples = 0;
  lidar.onScan((scan: LaserScan) => {
    scans++;
    const dt = scan.angles.length > 1 ? scan.duration / (scan.angles.length - 1) : 0;
    points.count = 0;
    for (let i = 0; i < scan.angles.length; i++) {
      const angle = scan.angles[i]!;
      const range = scan.ranges[i]!;
      lidarCsv.row([scan.stamp + i * dt, scan.seq, angle, range, scan.qualities[i]!]);
      if (range > 0 && points.count < points.xs.length) {
        const p = composePose(mount, { x: range * Math.cos(angle), y: range * Math.sin(angle), theta: 0 });
        points.xs[points.count] = p.x;
        points.ys[points.count] = p.y;
        points.count++;
      }
    }
    samples += scan.angles.length;
  });

  let lastOdom: Odometry | undefined;
  base.onOdometry((o) => {
    lastOdom = o;
    odomCsv.row([o.stamp, o.x, o.y, o.theta, o.v, o.omega]);
  });
  let bumped = false;
  let bumps = 0;
  base.onSafety((s) => {
    const now = s.bumpLeft || s.bumpRight;
    if (now && !bumped) bumps++;
    bumped = now;
  });

  const baseStarted = base.start();
  lidar.start();
  await clock.advanceTo(0.5);
  await baseStarted;

  let wander: WanderState = initialWander(clock.now());
  let turnStartTheta = 0;
  clock.setInterval(() => {
    const now = clock.now();
    const theta = lastOdom?.theta ?? 0;
    const before = wander.mode;
    const out = stepWander(wander, {
      now,
      points,
      bumped,
      turnedSoFar: normalizeAngle(theta - turnStartTheta),
    });
    if (out.state.mode === 'turn' && before !== 'turn') turnStartTheta = theta;
    wander = out.state;
    // Until the first full scan arrives there is nothing to steer by.
    base.drive(scans > 0 ? out.v : 0, scans > 0 ? out.omega : 0);
  }, CONTROL_PERIOD);
  clock.setInterval(() => {
    const p = robot.truePose();
    truthCsv.row([clock.now(), p.x, p.y, p.theta]);
  }, GROUND_TRUTH_PERIOD);

  const end = options.duration;
  for (let t = 1; t < end + 1; t++) {
    await clock.advanceTo(Math.min(t, end));
    options.onProgress?.(Math.min(t, end) / end);
  }
  base.drive(0, 0);
  await Promise.all([lidar.stop(), base.stop(), clock.advanceBy(0.5)]);
  for (const file of [lidarCsv, truthCsv, odomCsv]) file.close();

  const wallTime = (performance.now() - started) / 1000;
  const files = ['lidar.csv', 'ground_truth.csv', 'odometry.csv', 'manifest.json'];
  const summary: CaptureSummary = {
    world: options.world,
    seed: options.seed,
    duration: options.duration,
    scans,
    lidarSamples: samples,
    odometryRows: odomCsv.rows,
    groundTruthRows: truthCsv.rows,
    bumps,
    distance: robot.body.odometer,
    wallTime,
    realtimeFactor: options.duration / wallTime,
    files,
  };
  const manifest = {
    format: 'swath-capture',
    version: CAPTURE_FORMAT_VERSION,
    world: options.world,
    seed: options.seed,
    duration: options.duration,
    robot: config,
    frames: {
      world: 'the world frame of the simulator (REP-103, metres)',
      base_link: 'robot centre on the floor, x forward, y left',
      laser: `base_link ⊕ lidar.mount (${JSON.stringify(config.lidar.mount)})`,
    },
    files: {
      'lidar.csv': {
        description: 'every LIDAR sample as the driver decoded it, in the laser frame',
        columns: {
          time: 's, clock time of the sample (interpolated across the revolution)',
          scan_id: 'revolution counter',
          angle: 'rad, counter-clockwise, 0 = sensor front (REP-103)',
          range: 'm, 0 = no return',
          quality: 'RPLIDAR quality (0–63 standard; 0 or 47 in capsule modes)',
        },
        rows: samples,
      },
      'ground_truth.csv': {
        description: `true pose of base_link in the world frame every ${GROUND_TRUTH_PERIOD} s`,
        columns: { time: 's', x: 'm', y: 'm', theta: 'rad' },
        rows: truthCsv.rows,
      },
      'odometry.csv': {
        description: 'wheel odometry from the drive base driver (odom frame, starts at 0,0,0)',
        columns: { time: 's', x: 'm', y: 'm', theta: 'rad', v: 'm/s', omega: 'rad/s' },
        rows: odomCsv.rows,
      },
    },
    summary: { scans, lidarSamples: samples, bumps, distance: Number(robot.body.odometer.toFixed(3)) },
  };
  writeFileSync(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}
