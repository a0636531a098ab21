/**
 * `swath sim capture`: drives the simulated robot on a reactive wander through the real drivers and writes
 * what its sensors saw, with ground truth, in the format docs/capture-format.md describes. Same world and
 * seed → byte-identical CSV files.
 */
import { mkdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { PNG } from 'pngjs';
import { join } from 'node:path';
import type { LaserScan } from '../../../shared/sensors.ts';
import { i420ToRgb } from '../../drivers/camera/i420.ts';
import { renderMapPng, writeRosMap } from '../../mapping/map-file.ts';
import { ScanFusion } from '../../mapping/scan-fusion.ts';
import { mapAgreement, mapPoseInWorld, PoseErrorStats } from '../metrics.ts';
import { WORLD_CLASSES } from '../world/classes.ts';
import { SIM_ROBOT_CONFIG } from '../sim-robot.ts';
import { CsvFile } from './csv-file.ts';
import { WanderSession } from './wander-session.ts';

export const CAPTURE_FORMAT_VERSION = 1;

const round = (v: number) => Math.round(v * 1e5) / 1e5;

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
  cameraFrames: number;
  bumps: number;
  /** RMS position error of the SLAM estimate against ground truth, m */
  poseRmse: number;
  poseErrorMax: number;
  /** RMS position error of wheel odometry alone, m */
  odometryRmse: number;
  /** fraction of the map's known cells that agree with the true world at the LIDAR's height */
  mapAgreement: number;
  scansMatched: number;
  distance: number;
  wallTime: number;
  realtimeFactor: number;
  files: string[];
}

const GROUND_TRUTH_PERIOD = 0.02;

export async function runCapture(options: CaptureOptions): Promise<CaptureSummary> {
  const started = performance.now();
  const config = SIM_ROBOT_CONFIG;
  mkdirSync(options.out, { recursive: true });
  const session = new WanderSession(options.world, options.seed, config);
  const { clock, world, robot } = session;

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

  // Mapping and localization, as the daemon runs them, scored against ground truth.
  const mount = config.lidar.mount;
  const fusion = new ScanFusion({ x: mount.x, y: mount.y, theta: mount.yaw });
  const startPose = robot.truePose();
  const estimateCsv = new CsvFile(join(options.out, 'estimate.csv'), [
    { name: 'time', decimals: 4 },
    { name: 'x', decimals: 5 },
    { name: 'y', decimals: 5 },
    { name: 'theta', decimals: 5 },
    { name: 'score', decimals: 3 },
    { name: 'matched' },
  ]);
  const slamError = new PoseErrorStats();
  const odomError = new PoseErrorStats();
  let scansMatched = 0;
  const driven: { x: number; y: number }[] = [];
  session.onOdometry((o) => fusion.pushOdometry(o));
  session.onScan((scan: LaserScan) => {
    const fused = fusion.processScan(scan);
    if (!fused) return;
    // The scan is handed over when its last sample arrives: the true pose now is the pose at `stamp`.
    const truth = robot.truePose();
    const world = mapPoseInWorld(startPose, fused.pose);
    slamError.add(world, truth);
    odomError.add(mapPoseInWorld(startPose, fused.odom), truth);
    if (fused.matched) scansMatched++;
    driven.push({ x: fused.pose.x, y: fused.pose.y });
    estimateCsv.row([fused.stamp, world.x, world.y, world.theta, fused.score, fused.matched ? 1 : 0]);
  });
  session.onScan((scan: LaserScan) => {
    const dt = scan.angles.length > 1 ? scan.duration / (scan.angles.length - 1) : 0;
    for (let i = 0; i < scan.angles.length; i++) {
      lidarCsv.row([scan.stamp + i * dt, scan.seq, scan.angles[i]!, scan.ranges[i]!, scan.qualities[i]!]);
    }
  });

  // Camera: the PNG is what the camera driver decoded from the virtual rpicam-vid's I420 bytes; the labels
  // and masks are the renderer's ground truth for the same frame (the nth frame of the run either way).
  mkdirSync(join(options.out, 'frames'), { recursive: true });
  mkdirSync(join(options.out, 'masks'), { recursive: true });
  const labelsFd = openSync(join(options.out, 'labels.jsonl'), 'w');
  const camera = session.camera;
  const rgb = new Uint8Array(config.camera.width * config.camera.height * 3);
  let cameraFrames = 0;
  const frameName = (n: number) => String(n).padStart(6, '0');
  robot.camera.onTruth((truth) => {
    const name = frameName(truth.seq);
    const mask = PNG.sync.write(
      { width: truth.width, height: truth.height, data: Buffer.from(truth.labels) } as PNG,
      { colorType: 0, inputColorType: 0, inputHasAlpha: false },
    );
    writeFileSync(join(options.out, 'masks', `${name}.png`), mask);
    const pose = robot.truePose();
    const record = {
      frame: truth.seq,
      time: Number(truth.t.toFixed(6)),
      image: `frames/${name}.png`,
      mask: `masks/${name}.png`,
      floorType: world.floorTypeAt(pose.x, pose.y),
      robotPose: { x: round(pose.x), y: round(pose.y), theta: round(pose.theta) },
      boxes: truth.boxes.map((b) => ({
        class: b.cls,
        classId: b.classId,
        id: b.id,
        x0: b.x0,
        y0: b.y0,
        x1: b.x1,
        y1: b.y1,
        pixels: b.pixels,
        minDepth: round(b.minDepth),
        truncated: b.truncated,
      })),
    };
    writeSync(labelsFd, `${JSON.stringify(record)}\n`);
  });
  camera.onFrame((frame) => {
    i420ToRgb(frame.data, frame.layout, rgb, frame.matrix);
    cameraFrames++;
    const png = PNG.sync.write(
      { width: frame.layout.width, height: frame.layout.height, data: Buffer.from(rgb.buffer) } as PNG,
      { colorType: 2, inputColorType: 2, inputHasAlpha: false },
    );
    writeFileSync(join(options.out, 'frames', `${frameName(cameraFrames)}.png`), png);
  });

  session.onOdometry((o) => odomCsv.row([o.stamp, o.x, o.y, o.theta, o.v, o.omega]));
  await session.start();
  clock.setInterval(() => {
    const p = robot.truePose();
    truthCsv.row([clock.now(), p.x, p.y, p.theta]);
  }, GROUND_TRUTH_PERIOD);

  await session.runUntil(options.duration, (t) => options.onProgress?.(t / options.duration));
  await session.stop();
  for (const file of [lidarCsv, truthCsv, odomCsv, estimateCsv]) file.close();
  const map = fusion.slam.toOccupancyGrid();
  writeRosMap(map, join(options.out, 'map'));
  writeFileSync(
    join(options.out, 'map.png'),
    renderMapPng(map, { polylines: [{ points: driven, color: [220, 40, 40] }] }),
  );
  const truthGrid = world.lidarPlaneGrid(map.resolution, mount.z);
  const agreement = mapAgreement(map, startPose, truthGrid);
  closeSync(labelsFd);

  const wallTime = (performance.now() - started) / 1000;
  const files = [
    'lidar.csv',
    'ground_truth.csv',
    'odometry.csv',
    'estimate.csv',
    'map.yaml',
    'map.pgm',
    'map.png',
    'labels.jsonl',
    'frames/',
    'masks/',
    'manifest.json',
  ];
  const summary: CaptureSummary = {
    world: options.world,
    seed: options.seed,
    duration: options.duration,
    scans: session.scans,
    lidarSamples: session.samples,
    odometryRows: odomCsv.rows,
    groundTruthRows: truthCsv.rows,
    cameraFrames,
    bumps: session.bumps,
    poseRmse: slamError.rmse,
    poseErrorMax: slamError.max,
    odometryRmse: odomError.rmse,
    mapAgreement: agreement.agreement,
    scansMatched,
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
        rows: session.samples,
      },
      'ground_truth.csv': {
        description: `true pose of base_link in the world frame every ${GROUND_TRUTH_PERIOD} s`,
        columns: { time: 's', x: 'm', y: 'm', theta: 'rad' },
        rows: truthCsv.rows,
      },
      'estimate.csv': {
        description:
          'the SLAM estimate of base_link for every LIDAR revolution, placed in the world frame by the start pose',
        columns: {
          time: 's, time of the revolution’s last sample',
          x: 'm',
          y: 'm',
          theta: 'rad',
          score: 'scan-match score 0–1',
          matched: '1 if the scan matcher was trusted, 0 if odometry alone was used',
        },
        rows: estimateCsv.rows,
      },
      'map.yaml': {
        description:
          'the SLAM map (ROS map_server YAML + map.pgm), in the map frame = the robot’s start pose; map.png draws it with the estimated path',
      },
      'odometry.csv': {
        description: 'wheel odometry from the drive base driver (odom frame, starts at 0,0,0)',
        columns: { time: 's', x: 'm', y: 'm', theta: 'rad', v: 'm/s', omega: 'rad/s' },
        rows: odomCsv.rows,
      },
    },
    classes: WORLD_CLASSES,
    camera: {
      images:
        'frames/NNNNNN.png: RGB as decoded from the I420 stream by the camera driver (BT.601 limited range)',
      masks: 'masks/NNNNNN.png: 8-bit grey, each pixel the index of its class in `classes`',
      labels:
        'labels.jsonl: one JSON object per frame: frame, time, image, mask, floorType (under the robot), robotPose, boxes [{class, classId, id, x0, y0, x1 (exclusive), y1 (exclusive), pixels, minDepth m, truncated}]',
      frames: cameraFrames,
    },
    summary: {
      scans: session.scans,
      lidarSamples: session.samples,
      cameraFrames,
      bumps: session.bumps,
      distance: Number(robot.body.odometer.toFixed(3)),
      poseRmse: Number(slamError.rmse.toFixed(4)),
      odometryRmse: Number(odomError.rmse.toFixed(4)),
      mapAgreement: Number(agreement.agreement.toFixed(4)),
      mapKnownCells: agreement.knownCells,
      startPose,
    },
  };
  writeFileSync(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}
