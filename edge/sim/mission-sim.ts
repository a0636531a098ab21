/**
 * `swath sim`: one complete mission (explore, then cover) of the edge daemon against the simulated robot,
 * as fast as the CPU allows, scored against the simulator's ground truth: coverage of the true reachable
 * cleanable area from the TRUE pose, collisions with what the LIDAR could see, contacts with what only a
 * camera could see, localization error and map agreement.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { RobotConfig } from '../../shared/config.ts';
import { Pose2DSchema, type Pose2D } from '../../shared/geometry.ts';
import { parseOrThrow } from '../../shared/validate.ts';
import type { ActivityTime } from '../daemon/activity.ts';
import { CoverageTracker } from '../daemon/coverage-tracker.ts';
import { EdgeDaemon, type DaemonEvent, type EdgeDaemonOptions } from '../daemon/daemon.ts';
import type { MotionPlanner } from '../daemon/planner-port.ts';
import { encodePng, renderMapPng, writeRosMap } from '../mapping/map-file.ts';
import { growMask } from '../planning/footprint.ts';
import { mapAgreement, mapPoseInWorld, PoseErrorStats } from './metrics.ts';
import { MissionTrace } from './mission-trace.ts';
import { SimulatedRobot, SIM_ROBOT_CONFIG } from './sim-robot.ts';
import { VirtualClock } from './virtual-clock.ts';
import { loadWorld } from './world/load-world.ts';
import { worldReachability } from './world/reachability.ts';
import type { SimWorld } from './world/sim-world.ts';

export interface MissionOptions {
  world: string;
  seed: number;
  planner: MotionPlanner;
  /**
   * simulated seconds before the mission is aborted; default: 90 s per m² of cleanable floor, at least an
   * hour (studio 1 h, apartment 2 h, office 6.2 h — a robot covering 0.3 m swaths needs about 40–60 s per m²
   * with its turns, detours and stops)
   */
  timeLimit?: number;
  out?: string;
  config?: RobotConfig;
  logger?: Logger;
  /** unplug the LIDAR at `at` s for `duration` s (the safety test) */
  lidarOutage?: { at: number; duration: number };
  /** keep the site's map here between runs (the map id is the world's name) */
  mapDir?: string;
  /** the daemon's parameters, over its defaults */
  daemonParams?: EdgeDaemonOptions['params'];
  /** called about every simulated 10 s */
  onProgress?: (progress: { simTime: number; mode: string; coverage: number }) => void;
}

export interface MissionReport {
  result: 'done' | 'aborted';
  reason?: string;
  world: string;
  seed: number;
  /** of the floor the tool reaches from centres that keep the safety gate's stop margin */
  coverage: number;
  cleanableArea: number;
  /** of the floor the tool reaches from any centre where the bare footprint fits */
  coverageStrict: number;
  cleanableAreaStrict: number;
  /** contacts with obstacles the LIDAR's plane cuts (moving ones included) */
  collisions: number;
  /** contacts with obstacles below the LIDAR plane */
  lowObstacleContacts: number;
  /** low obstacles the light bumper marked before the bumper touched them */
  lightMarks: number;
  /** contacts with overhangs above the LIDAR plane (a bed's body, a low shelf) the robot drove under */
  overhangContacts: number;
  pathLength: number;
  simTime: number;
  wallTime: number;
  realtimeFactor: number;
  replans: number;
  replanMsMax: number;
  poseRmse: number;
  mapAgreement: number;
  exploreTime: number;
  coverTime: number;
  /** simulated seconds of exploring, covering and returning by what the robot was doing (edge/daemon/activity.ts) */
  activityTime: ActivityTime;
  /** with mapDir: the mission started on the stored map (relocalized) instead of exploring */
  mapLoaded?: boolean;
  /** with lidarOutage: clock seconds from the unplug until the base stood still */
  outageStopTime?: number;
  /** with lidarOutage: whether the mission moved on again once the LIDAR was back */
  resumedAfterOutage?: boolean;
}

const TRUTH_RATE = 20;
/** Hz of the poses in the --out trace (mission.mcap): a divisor of TRUTH_RATE */
const TRACE_RATE = 10;

export async function runMission(options: MissionOptions): Promise<MissionReport> {
  const started = performance.now();
  const config = options.config ?? SIM_ROBOT_CONFIG;
  const clock = new VirtualClock();
  const world = loadWorld(options.world);
  const robot = new SimulatedRobot({ world, clock, seed: options.seed, config });
  const { lidar, base } = robot.connectDrivers();
  const daemon = new EdgeDaemon({
    config,
    clock,
    devices: { lidar, base },
    planner: options.planner,
    logger: options.logger,
    ...(options.daemonParams ? { params: options.daemonParams } : {}),
    ...(options.mapDir ? { maps: { root: options.mapDir, id: mapIdFor(options.world) } } : {}),
  });
  const events: DaemonEvent[] = [];
  daemon.onEvent((e) => events.push(e));

  // Ground truth: what the robot could reach from its start, and what its tool could sweep from there. A
  // centre the robot may occupy keeps the safety gate's stop margin from every obstacle (closer, its own gate
  // stops it); the strict figure (the bare footprint touching) is reported next to it.
  const resolution = 0.05;
  const margin = daemon.params.gate.stopMargin;
  const truth = cleanableTruth(world, resolution, config.robotRadius + margin, config.toolWidth / 2);
  const strict = cleanableTruth(world, resolution, config.robotRadius, config.toolWidth / 2);
  const { cleanable, info: truthInfo, grid: truthGrid } = truth;
  const cleanableCells = truth.cells;
  const timeLimit = options.timeLimit ?? defaultTimeLimit(cleanableCells * resolution * resolution);
  const trueCoverage = new CoverageTracker(truthInfo, config.toolWidth / 2);

  let collisions = 0;
  let lowObstacleContacts = 0;
  let overhangContacts = 0;
  const lidarHeight = config.lidar.mount.z;
  robot.body.onContact((contact) => {
    // What the LIDAR's plane cuts is what it can see; the rest only a camera (or the bumper) can.
    const kind =
      contact.height < lidarHeight ? 'low obstacle' : contact.bottom > lidarHeight ? 'overhang' : 'collision';
    if (kind === 'low obstacle') lowObstacleContacts++;
    else if (kind === 'overhang') overhangContacts++;
    else collisions++;
    // The simulator's own record, beside the robot's events in the mission log.
    events.push({
      time: clock.now(),
      level: kind === 'collision' ? 'error' : 'warn',
      type: 'sim.contact',
      message: `${kind}: ${contact.id}${contact.moving ? ' (moving)' : ''} at ${((contact.relativeBearing * 180) / Math.PI).toFixed(0)}° from the heading`,
    });
  });

  const startPose: Pose2D = robot.truePose();
  // Where the map frame lies in the world: at this run's start, unless the mission goes on with the map a
  // previous run saved — then at that run's start, which the simulator (not the robot) remembers beside it.
  const frameFile = options.mapDir
    ? join(options.mapDir, `${mapIdFor(options.world)}.sim-frame.json`)
    : undefined;
  const storedFrame = frameFile && existsSync(frameFile) ? readFrame(frameFile) : undefined;
  let mapFrame = startPose;
  daemon.onEvent((e) => {
    if (e.type === 'map.loaded' && storedFrame) mapFrame = storedFrame;
  });
  const poseError = new PoseErrorStats();
  const driven: { x: number; y: number }[] = [];
  // The Foxglove trace (--out): poses at TRACE_RATE of the TRUTH_RATE samples.
  const trace = options.out ? new MissionTrace() : undefined;
  let truthSamples = 0;
  clock.setInterval(() => {
    const truth = robot.truePose();
    const traced = trace !== undefined && truthSamples++ % (TRUTH_RATE / TRACE_RATE) === 0;
    if (traced) {
      trace.addTruth(clock.now(), truth);
      trace.addControl(clock.now(), daemon.controlSnapshot());
    }
    // The tool is down only while the mission is cleaning, as on the robot.
    if (daemon.missionState.mode === 'covering') trueCoverage.moveTo(truth.x, truth.y);
    else trueCoverage.lift();
    const estimate = daemon.pose();
    if (estimate) {
      if (daemon.missionState.mode !== 'starting') poseError.add(mapPoseInWorld(mapFrame, estimate), truth);
      if (traced) trace.addEstimate(clock.now(), mapPoseInWorld(mapFrame, estimate));
      driven.push({ x: estimate.x, y: estimate.y });
    }
  }, 1 / TRUTH_RATE);

  // Start: connect the devices (the clock must run meanwhile), then the mission.
  let up = false;
  const starting = daemon.start().then(() => (up = true));
  while (!up && clock.now() < 10) await clock.advanceBy(0.1);
  await starting;
  const begin = daemon.dispatch({ type: 'start' });
  if (!begin.ok) throw new Error(`mission refused to start: ${begin.reason}`);

  let outageStopTime: number | undefined;
  let resumedAfterOutage: boolean | undefined;
  const outage = options.lidarOutage;
  let result: MissionReport['result'] = 'aborted';
  let reason: string | undefined = `time limit (${timeLimit} s)`;
  let nextProgress = 10;
  while (clock.now() < timeLimit) {
    const t = clock.now();
    if (outage && t < outage.at && t + 0.1 >= outage.at) {
      await clock.advanceTo(outage.at);
      robot.lidarPort.unplug();
      const unpluggedAt = clock.now();
      while (clock.now() < unpluggedAt + outage.duration) {
        await clock.advanceBy(0.01);
        const speed = Math.abs(robot.body.leftSpeed) + Math.abs(robot.body.rightSpeed);
        if (outageStopTime === undefined && speed < 1e-3) outageStopTime = clock.now() - unpluggedAt;
      }
      robot.lidarPort.plug();
      const pathBefore = daemon.status().pathLength;
      const back = clock.now();
      while (clock.now() < back + 20 && daemon.missionState.mode !== 'done') await clock.advanceBy(0.1);
      resumedAfterOutage =
        daemon.status().pathLength > pathBefore + 0.05 || daemon.missionState.mode === 'done';
      continue;
    }
    await clock.advanceBy(0.1);
    const mode = daemon.missionState.mode;
    if (mode === 'done') {
      result = 'done';
      reason = undefined;
      break;
    }
    if (mode === 'error' || mode === 'idle') {
      reason = daemon.missionState.fault ?? `mission ended in ${mode}`;
      break;
    }
    if (clock.now() >= nextProgress) {
      nextProgress += 10;
      options.onProgress?.({ simTime: clock.now(), mode, coverage: trueCoverage.fractionOf(cleanable) });
    }
  }
  const status = daemon.status();
  await Promise.all([daemon.stop(), clock.advanceBy(0.5)]);

  const map = daemon.map();
  const agreement = mapAgreement(map, mapFrame, world.lidarPlaneGrid(map.resolution, lidarHeight));
  const wallTime = (performance.now() - started) / 1000;
  const report: MissionReport = {
    result,
    ...(reason ? { reason } : {}),
    world: options.world,
    seed: options.seed,
    coverage: round(trueCoverage.fractionOf(cleanable), 4),
    cleanableArea: round(cleanableCells * resolution * resolution, 2),
    coverageStrict: round(trueCoverage.fractionOf(strict.cleanable), 4),
    cleanableAreaStrict: round(strict.cells * resolution * resolution, 2),
    collisions,
    lowObstacleContacts,
    overhangContacts,
    pathLength: round(status.pathLength, 2),
    simTime: round(clock.now(), 2),
    wallTime: round(wallTime, 2),
    realtimeFactor: round(clock.now() / wallTime, 1),
    lightMarks: status.lightMarks,
    replans: status.replans,
    replanMsMax: round(status.replanMsMax, 1),
    poseRmse: round(poseError.rmse, 4),
    mapAgreement: round(agreement.agreement, 4),
    exploreTime: round(status.exploreTime, 1),
    coverTime: round(status.coverTime, 1),
    activityTime: Object.fromEntries(
      Object.entries(status.activityTime).map(([k, v]) => [k, round(v, 1)]),
    ) as ActivityTime,
    ...(options.mapDir ? { mapLoaded: events.some((e) => e.type === 'map.loaded') } : {}),
    ...(outageStopTime !== undefined ? { outageStopTime: round(outageStopTime, 3) } : {}),
    ...(resumedAfterOutage !== undefined ? { resumedAfterOutage } : {}),
  };
  if (frameFile && !events.some((e) => e.type === 'map.loaded'))
    writeFileSync(frameFile, `${JSON.stringify(startPose)}\n`);
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    writeRosMap(map, join(options.out, 'map'));
    writeFileSync(
      join(options.out, 'map.png'),
      renderMapPng(map, { polylines: [{ points: driven, color: [220, 40, 40] }] }),
    );
    writeFileSync(
      join(options.out, 'coverage.png'),
      renderCoveragePng(truthGrid, cleanable, trueCoverage.covered),
    );
    writeFileSync(
      join(options.out, 'mission.jsonl'),
      events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''),
    );
    writeFileSync(join(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    await trace?.write(join(options.out, 'mission.mcap'), events);
  }
  return report;
}

function readFrame(file: string): Pose2D {
  return parseOrThrow(Pose2DSchema, JSON.parse(readFileSync(file, 'utf8')), file);
}

/** A stored map's id for a world: its preset name, or its file name without the extension. */
export function mapIdFor(world: string): string {
  const base = basename(world).replace(/\.[^.]*$/, '');
  return (
    base
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .replace(/^[_-]+/, '')
      .slice(0, 64) || 'map'
  );
}

/** Floor cells within the tool's reach of a centre that has `clearance` and is reachable from the start. */
function cleanableTruth(world: SimWorld, resolution: number, clearance: number, toolRadius: number) {
  const reach = worldReachability(world, resolution, clearance);
  const cleanable = growMask(reach.grid, reach.reachable, toolRadius);
  let cells = 0;
  for (let i = 0; i < cleanable.length; i++) {
    if (reach.grid.data[i] !== 0) cleanable[i] = 0;
    cells += cleanable[i]!;
  }
  return { cleanable, cells, info: reach.grid, grid: reach.grid };
}

/**
 * The true floor as the mission swept it (PNG, north up): swept cleanable floor green, cleanable floor left
 * unswept red, obstacles dark, the rest light grey.
 */
function renderCoveragePng(
  grid: { width: number; height: number; data: ArrayLike<number> },
  cleanable: Uint8Array,
  swept: Uint8Array,
): Buffer {
  const { width, height } = grid;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (height - 1 - y) * width + x;
      const colour =
        cleanable[i] && swept[i]
          ? [110, 190, 110]
          : cleanable[i]
            ? [230, 50, 50]
            : grid.data[i] !== 0
              ? [60, 60, 60]
              : [225, 225, 225];
      data.set(colour, 3 * (y * width + x));
    }
  return encodePng({ width, height, channels: 3, maxval: 255, data });
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** s: the default time budget of a mission over this much cleanable floor (m²) */
export function defaultTimeLimit(cleanableArea: number): number {
  return Math.max(3600, Math.round(90 * cleanableArea));
}
