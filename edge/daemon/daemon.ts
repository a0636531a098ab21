/**
 * The edge daemon's composition root: drivers → fusion (SLAM, costmap) → planning → control → safety gate
 * → base, under one injected clock. The pure modules decide; this shell only moves values between them,
 * runs the mission state machine's effects and talks to the devices.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../shared/clock.ts';
import type { RobotConfig } from '../../shared/config.ts';
import { composePose, invertPose, transformPoint, type Point2D, type Pose2D } from '../../shared/geometry.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import type { LaserScan, Odometry } from '../../shared/sensors.ts';
import {
  followPath,
  obstructedAhead,
  PathFollowerParamsSchema,
  resumeFollower,
  startPath,
  type PathFollowerOutput,
  type PathFollowerState,
  type PathPose,
} from '../control/path-follower.ts';
import {
  RecoveryParamsSchema,
  startRecovery,
  stepRecovery,
  type RecoveryState,
} from '../control/recovery.ts';
import {
  BlindZoneParamsSchema,
  EMPTY_BLIND_ZONE_MEMORY,
  rememberBlindZone,
  type BlindZoneMemory,
  type BlindZoneParams,
} from '../control/blind-zone.ts';
import { ScanMotionParamsSchema, trackScanMotion, type ScanMotionMemory } from '../control/scan-motion.ts';
import {
  INITIAL_SAFETY_GATE_STATE,
  hazardStop,
  safetyGate,
  SafetyGateParamsSchema,
  scanToBasePoints,
  type BasePoints,
  type SafetyAction,
  type SafetyGateOutput,
  type SafetyGateState,
} from '../control/safety-gate.ts';
import type { DriveBase, SafetyState } from '../drivers/base.ts';
import type { CameraDriver } from '../drivers/camera/camera-driver.ts';
import type { RplidarDriver } from '../drivers/rplidar/driver.ts';
import { INSCRIBED, NO_INFORMATION, regrid, type Costmap } from '../mapping/layers/costmap.ts';
import { CostmapParamsSchema, createRobotCostmap, type RobotCostmap } from '../mapping/layers/index.ts';
import { loadStoredMap, saveStoredMap } from '../mapping/map-store.ts';
import { RelocalizationParamsSchema, ScanFusion } from '../mapping/scan-fusion.ts';
import { scanToRays, SlamParamsSchema } from '../mapping/slam.ts';
import { findFrontierGoal, FrontierParamsSchema } from '../mission/frontiers.ts';
import { openHeading } from '../control/open-heading.ts';
import { escapeAlongTrail, reachableShare } from '../planning/escape.ts';
import { squeezeOut, type Squeeze } from '../planning/squeeze.ts';
import { nudgePath, slidePast, SlideParamsSchema } from '../planning/nudge.ts';
import { revisitPath } from '../planning/revisit.ts';
import { LightBumperParamsSchema, lightBumperPoints, unexplainedPoints } from '../mapping/light-bumper.ts';
import { PlanRepairParamsSchema, resumePlan } from '../planning/plan-repair.ts';
import {
  INITIAL_MISSION_STATE,
  transition,
  type MissionEffect,
  type MissionEvent,
  type MissionState,
} from '../mission/state-machine.ts';
import {
  addActivityTime,
  classifyActivity,
  emptyActivityTime,
  type Activity,
  type ActivityTime,
} from './activity.ts';
import { closeSlivers, CoverageTracker } from './coverage-tracker.ts';
import type { CoveragePlan, MotionPlanner } from './planner-port.ts';

export const DaemonParamsSchema = z.object({
  controlRate: z.number().positive().default(20).describe('control loop, Hz'),
  costmapInterval: z.number().positive().default(0.2).describe('s between costmap rebuilds'),
  /** the fixed grid on which the swept area is tracked, centred on the map origin */
  coverageExtent: z.number().positive().default(64).describe('m, side of the coverage grid'),
  coverageOverlap: z
    .number()
    .min(0)
    .max(0.5)
    .default(0)
    .describe('fraction of the tool width that neighbouring coverage rows overlap'),
  minReplanArea: z
    .number()
    .nonnegative()
    .default(0.1)
    .describe('m²: a replan that would clean less than this ends the coverage'),
  minReplanYield: z
    .number()
    .nonnegative()
    .default(0.01)
    .describe(
      'm² cleaned per m of path: a replan that would clean less than this, and less than 1 % of the floor swept (slivers scattered over the floor, far apart), ends the coverage; 0: never',
    ),
  goalCheckInterval: z
    .number()
    .positive()
    .default(2)
    .describe('s between checks that an exploration goal is still worth it'),
  maxExplorationFailures: z
    .number()
    .int()
    .positive()
    .default(8)
    .describe('unreachable goals in a row before exploration ends'),
  maxReplans: z
    .number()
    .int()
    .positive()
    .default(200)
    .describe('coverage plans made afresh (resumed ones do not count) before the mission gives up'),
  passingHold: z
    .number()
    .nonnegative()
    .default(8)
    .describe(
      "s the robot stands before a path blocked only by the LIDAR's fresh marks (someone walking past) counts as obstructed; 0: never",
    ),
  follower: PathFollowerParamsSchema.prefault({}),
  gate: SafetyGateParamsSchema.prefault({}),
  recovery: RecoveryParamsSchema.prefault({}),
  frontiers: FrontierParamsSchema.prefault({}),
  costmap: CostmapParamsSchema.prefault({}),
  planRepair: PlanRepairParamsSchema.prefault({}),
  lightBumper: LightBumperParamsSchema.prefault({}),
  scanMotion: ScanMotionParamsSchema.prefault({}),
  slide: SlideParamsSchema.prefault({}),
  slam: SlamParamsSchema.prefault({}),
  relocalization: RelocalizationParamsSchema.prefault({}),
});
export type DaemonParams = z.output<typeof DaemonParamsSchema>;

export interface DaemonDevices {
  lidar: RplidarDriver;
  base: DriveBase;
  camera?: CameraDriver;
}

/** Where the site's map is kept between runs (`saveStoredMap` / `loadStoredMap`). */
export interface MapStoreRef {
  root: string;
  id: string;
}

/** a low-yield replan (minReplanYield) is given up only while it cleans less than this share of the floor swept */
const TAIL_SHARE = 0.01;
/** m: an interruption this close to the previous one is a repeat, and m of plan skipped per repeat */
const REPEAT_INTERRUPTION_RADIUS = 0.25;
const REPEAT_SKIP = 0.5;
/**
 * Boxed in: at least this many m², and this share of the area swept so far, left to clean but unreachable
 * from the robot. Marks lifted, an escape and back-offs are tried then.
 */
const BOXED_IN_AREA = 1;
const BOXED_IN_SHARE = 0.25;
const MAX_BOXED_IN = 3;
/** s waited before each back-out from a pocket after the first, and after a failed back-off with no open floor */
const BOXED_IN_WAIT = 15;
const BLOCKED_WAIT = 5;
/** sideways nudges past small intrusions tried in one control tick before the path counts as obstructed */
const MAX_NUDGES_PER_TICK = 3;
/** times in a row exploration gets the robot out of a spot with frontiers left but none reachable */
const MAX_EXPLORATION_STALLS = 3;
/** the robot stands in a pocket when it reaches less than this share of the passable cells */
const POCKET_SHARE = 0.5;
const BOXED_IN_MARK_RADIUS = 0.6;
/** m: a squeeze that bumped is not tried again within this of where it bumped (the trail is, instead) */
const FAILED_SQUEEZE_RADIUS = 1;
/** s: bump marks younger than this are never forgotten to get out of a pocket */
const FRESH_BUMP_MARK = 60;
/** this many failed back-offs within WEDGED_WINDOW s and WEDGED_RADIUS m of each other: the robot is wedged */
const WEDGED_RECOVERIES = 4;
const WEDGED_WINDOW = 60;
const WEDGED_RADIUS = 0.3;
/** m: the LIDAR's blind band reaches at least this far (RPLIDAR A2/A3) */
const MIN_BLIND_RANGE = 0.2;
/** m: the driven cells are a band this wide either side of the centre's track */
const DRIVEN_RADIUS = 0.05;
/** m between two poses: more is a relocalization jump, not a drive */
const DRIVEN_JUMP = 0.3;
/** cut-off floor is revisited when its centres cover this many m², at most this often, over at most this much marked floor */
const REVISIT_MIN_AREA = 0.2;
const MAX_REVISITS = 5;
const REVISIT_MAX_BLOCKED = 2;
/**
 * After a failed back-off: m driven towards open floor at most, m of air kept beside the footprint and
 * beyond the gate's stop margin ahead, and the least move worth making
 */
const OPEN_FLOOR_DISTANCE = 0.25;
const OPEN_FLOOR_MARGIN = 0.02;
const OPEN_FLOOR_MIN = 0.1;
/** rad: the turn towards open floor is made on the spot down to this heading error */
const OPEN_FLOOR_TURN_EXIT = 0.1;
/** m/s along the trail out of a pocket */
const ESCAPE_SPEED = 0.1;
/**
 * rad: on the way out of a pocket a path turning more than this stops and turns on the spot: a gap a few
 * centimetres wider than the robot is entered straight, not on the arc that cuts the corner before it
 */
const ESCAPE_CORNER_ANGLE = 0.2;
/** the trail kept: a point every TRAIL_SPACING m, the last TRAIL_POINTS to 2 × TRAIL_POINTS of them */
const TRAIL_SPACING = 0.05;
const TRAIL_POINTS = 400;
/**
 * The robot integrates a scan (and adds a pose-graph node) every 0.2 m or 0.5 rad, or every 10 s standing. At
 * the mapping defaults (0.05 m, 0.05 rad, 2 s, for replaying logs) a coverage mission, which turns and stops
 * all the time, grew its pose graph to tens of thousands of nodes, and solving it took three quarters of the
 * CPU. A 360° LIDAR turning on the spot sees nothing new, so turns need few nodes. The scans in between are
 * still matched (for the pose) and still mark and clear the costmap's LIDAR layer.
 */
export const DAEMON_SLAM_DEFAULTS = { integrateDistance: 0.2, integrateAngle: 0.5, integrateInterval: 10 };

/** m and s: a hold for someone passing that ran out here this recently is not waited again */
const HOLD_REPEAT_RADIUS = 0.5;
const HOLD_REPEAT_WINDOW = 30;
/** s: a longer gap between control ticks (a stalled process) is not all one activity */
const MAX_ACTIVITY_TICK = 0.5;

/** s: a path obstructed this soon after it was started was obstructed from the start */
const FRESH_PATH_S = 0.3;

export interface EdgeDaemonOptions {
  config: RobotConfig;
  /** the stored map of the site: loaded and relocalized on at start, saved after exploring; none: always explore */
  maps?: MapStoreRef;
  clock: Clock;
  devices: DaemonDevices;
  planner: MotionPlanner;
  logger?: Logger;
  params?: z.input<typeof DaemonParamsSchema>;
}

export interface DaemonStatus {
  mission: MissionState;
  pose: Pose2D | undefined;
  /** body velocity from odometry */
  velocity: { v: number; omega: number };
  /** covered fraction of the free area known so far (the robot's own estimate) */
  coverageEstimate: number;
  replans: number;
  replanMsMax: number;
  /** paths stepped sideways past a small intrusion instead of being given up (edge/planning/nudge.ts) */
  nudges: number;
  /** low obstacles the light bumper marked before the bumper touched them (edge/mapping/light-bumper.ts) */
  lightMarks: number;
  lastGate: SafetyGateOutput['reason'] | undefined;
  follower: PathFollowerOutput['status'] | undefined;
  pathLength: number;
  exploreTime: number;
  coverTime: number;
  /** clock seconds of exploring, covering and returning, by what the robot was doing (./activity.ts) */
  activityTime: ActivityTime;
}

/** What the control loop did at its last tick (cheap: for a trace at every tick, unlike status()). */
export interface ControlSnapshot {
  mode: MissionState['mode'];
  /** what the robot is about: exploring, covering, recovering (a back-off), escaping, waiting, … */
  task: string;
  follower: PathFollowerOutput['status'] | undefined;
  gate: { action: SafetyGateOutput['action']; reason: SafetyGateOutput['reason'] } | undefined;
  /** m/s, rad/s: the command sent to the base, after the gate */
  sent: { v: number; omega: number };
  /** bump marks held (low obstacles the bumper found) */
  bumpMarks: number;
}

export interface DaemonEvent {
  time: number;
  level: 'info' | 'warn' | 'error';
  type: string;
  message: string;
}

type Task =
  | { kind: 'none' }
  | { kind: 'explore'; goal: Point2D }
  | { kind: 'cover' }
  /** backing out of a pocket of the costmap along the trail or past bump marks (coverage resumes afterwards) */
  | { kind: 'escape'; squeeze?: boolean }
  /** driving back to floor the map cuts off now, the way the robot once drove (coverage resumes afterwards) */
  | { kind: 'revisit' }
  /** turning towards open floor and driving there, after a back-off that could not back off */
  | { kind: 'clear'; squeeze?: boolean }
  /** standing still until `until` (clock s) for what blocks the robot to move on (a person, the cat), then replanning */
  | { kind: 'wait'; until: number }
  | { kind: 'home' }
  | {
      kind: 'recover';
      state: RecoveryState;
      resume: 'explore' | 'cover' | 'home';
      /** a one-sided bump on the way out of a pocket: once backed off, this path on, shifted away from it */
      slide?: Slide;
    };

/** A slide past a graze: the shifted way on, the way as planned, and this slide's place among them. */
interface Slide {
  path: PathPose[];
  base: PathPose[];
  task: Task;
  count: number;
  side: 'left' | 'right';
  /** m to the left of `base` */
  shift: number;
}

export class EdgeDaemon {
  readonly params: DaemonParams;
  readonly fusion: ScanFusion;
  readonly coverage: CoverageTracker;
  private readonly clock: Clock;
  private readonly config: RobotConfig;
  private readonly devices: DaemonDevices;
  private readonly planner: MotionPlanner;
  private readonly maps: MapStoreRef | undefined;
  private readonly logger: Logger | undefined;
  private readonly laserMount: Pose2D;
  private readonly costmapLayers: RobotCostmap;
  private costmap: Costmap;
  private mission: MissionState = INITIAL_MISSION_STATE;
  private task: Task = { kind: 'none' };
  private follower: PathFollowerState | undefined;
  private lastFollower: PathFollowerOutput | undefined;
  private gateState: SafetyGateState = INITIAL_SAFETY_GATE_STATE;
  private lastGate: SafetyGateOutput | undefined;
  private lastPoints: BasePoints | undefined;
  /** returns near the robot from the last seconds, for the LIDAR's blind band (edge/control/blind-zone.ts) */
  private blindMemory: BlindZoneMemory = EMPTY_BLIND_ZONE_MEMORY;
  /** where squeezes past bump marks ended in a bump: none is tried again near there */
  private readonly failedSqueezes: Point2D[] = [];
  /** the last slide along the way out of a pocket being followed: the path as planned, the slides so far */
  private sliding: Slide | undefined;
  /** the bumper has not been released since the last bump was marked */
  private bumperHeld = false;
  /** the last scan's near returns, to tell what moves (edge/control/scan-motion.ts) */
  private scanMotion: ScanMotionMemory | undefined;
  private readonly blindZone: BlindZoneParams;
  private odomLatest: Odometry | undefined;
  private contacts: SafetyState | undefined;
  private controlTimer: TimerHandle | undefined;
  private lastCostmapAt = -Infinity;
  private lastGoalCheck = -Infinity;
  private blacklist: Point2D[] = [];
  /** obstacles found by the bumper (map frame) */
  private readonly bumpMarks: Array<Point2D & { time: number }> = [];
  /** obstacle points the light bumper added (they join bumpMarks) */
  private lightMarks = 0;
  /** areas given up after a blocked path (coverage grid), retried when nothing else is left */
  private readonly skipped: CoverageTracker;
  private explorationFailures = 0;
  /** times in a row exploration found frontiers but none reachable from where the robot stood */
  private explorationStalls = 0;
  /** back-outs in a row because nothing reachable was left but much unreachable */
  private boxedIn = 0;
  /** the robot has waited since its last back-out */
  private waitedBoxedIn = false;
  /** clock time the current path was started, and how many paths in a row were obstructed at once */
  private followSince = 0;
  private freshObstructions = 0;
  /** standing still on the path for what only the LIDAR sees in the way (a person walking past) since `since` */
  private holding: { since: number; follower: PathFollowerState } | undefined;
  /** where and when the last hold ran out with the way still blocked */
  private lastHold: { x: number; y: number; time: number } | undefined;
  /** the coverage plan that was interrupted, and the follower's index in it: resumed rather than replanned */
  private interrupted: { path: PathPose[]; index: number } | undefined;
  /** where the last interruption happened, and how many in a row happened there */
  private lastInterruption: { at: Point2D; repeats: number } | undefined;
  /** the mission asked for the stored map; it is loaded with the next fused scan */
  private mapLoadPending = false;
  private home: Pose2D = { x: 0, y: 0, theta: 0 };
  private replans = 0;
  private nudges = 0;
  /** coverage plans made afresh (not resumed): the give-up count */
  private freshPlans = 0;
  /** recent failed back-offs (map frame, clock time): many in one spot means the robot is wedged */
  private failedBackoffs: Array<{ x: number; y: number; time: number }> = [];
  private replanMsMax = 0;
  private pathLength = 0;
  private lastPathPoint: Point2D | undefined;
  /** the recently driven trail, map frame, a point every TRAIL_SPACING m (the way out of a pocket) */
  private trail: Point2D[] = [];
  /** every cell the robot's centre has been on this mission (coverage grid): floor that was passable */
  private readonly driven: CoverageTracker;
  /** goals of the revisits of cut-off floor so far (map frame): each patch is tried once */
  private readonly revisited: Point2D[] = [];
  private modeSince = 0;
  private exploreTime = 0;
  private coverTime = 0;
  private activityTime = emptyActivityTime();
  /** the last control tick's activity, counted until the next tick while the mission is under way */
  private lastActivity: { activity: Activity; at: number; counts: boolean } | undefined;
  private readonly eventListeners: Array<(event: DaemonEvent) => void> = [];
  /** the SLAM map with the robot's own footprint marked free, refreshed with every fused scan */
  private grid: OccupancyGrid;
  /** planned path currently followed, map frame (for telemetry and the dashboard) */
  currentPath: PathPose[] = [];

  constructor(options: EdgeDaemonOptions) {
    this.clock = options.clock;
    this.config = options.config;
    this.devices = options.devices;
    this.planner = options.planner;
    this.maps = options.maps;
    this.logger = options.logger;
    const radius = this.config.robotRadius;
    const limits = this.config.limits;
    this.params = DaemonParamsSchema.parse({
      ...options.params,
      follower: {
        robotRadius: radius,
        maxLinearSpeed: limits.maxLinearSpeed,
        maxAngularSpeed: limits.maxAngularSpeed,
        maxLinearAccel: limits.maxLinearAccel,
        ...options.params?.follower,
      },
      // Three missed revolutions stop the robot, so that it stands still within 0.5 s of losing the LIDAR.
      gate: { robotRadius: radius, scanTimeout: 0.3, ...options.params?.gate },
      recovery: {
        robotRadius: radius,
        wheelOffset: this.config.base.wheelBase / 2,
        ...options.params?.recovery,
      },
      frontiers: { robotRadius: radius, ...options.params?.frontiers },
      slam: { ...DAEMON_SLAM_DEFAULTS, ...options.params?.slam },
      costmap: { robotRadius: radius, ...options.params?.costmap },
    });
    const mount = this.config.lidar.mount;
    this.laserMount = { x: mount.x, y: mount.y, theta: mount.yaw };
    this.blindZone = BlindZoneParamsSchema.parse({
      // RPLIDAR A2/A3 read nothing closer than 0.2 m whatever the config says (A1: 0.15 m).
      blindRange: Math.max(this.config.lidar.minRange, MIN_BLIND_RANGE),
      lidar: { x: mount.x, y: mount.y },
      minRadius: radius,
    });
    this.fusion = new ScanFusion(
      this.laserMount,
      { ...this.params.slam, minRange: Math.max(this.params.slam.minRange, this.config.lidar.minRange) },
      this.params.relocalization,
    );
    const grid = this.fusion.slam.toOccupancyGrid();
    this.grid = grid;
    this.costmapLayers = createRobotCostmap(grid, this.params.costmap);
    this.costmap = this.costmapLayers.costmap.costmap;
    const side = this.params.coverageExtent;
    const res = grid.resolution;
    const cells = Math.round(side / res);
    const coverageInfo = {
      width: cells,
      height: cells,
      resolution: res,
      origin: { x: -side / 2, y: -side / 2, theta: 0 },
    };
    this.coverage = new CoverageTracker(coverageInfo, this.config.toolWidth / 2);
    this.skipped = new CoverageTracker(coverageInfo, this.config.toolWidth / 2 + this.config.robotRadius);
    this.driven = new CoverageTracker(coverageInfo, DRIVEN_RADIUS);

    this.devices.base.onOdometry((o) => this.onOdometry(o));
    this.devices.base.onSafety((s) => {
      this.contacts = s;
      if (!s.bumpLeft && !s.bumpRight) this.bumperHeld = false;
    });
    this.devices.lidar.onScan((scan) => this.onScan(scan));
  }

  onEvent(listener: (event: DaemonEvent) => void): void {
    this.eventListeners.push(listener);
  }

  /** Connects the devices and starts the control loop; the mission waits for `start`. */
  async start(): Promise<void> {
    await this.devices.base.start();
    await this.devices.lidar.start();
    this.devices.camera?.start();
    this.controlTimer = this.clock.setInterval(() => this.controlTick(), 1 / this.params.controlRate);
    this.emit('info', 'daemon.started', 'devices connected, control loop running');
  }

  /** Motors first, then the devices. */
  async stop(): Promise<void> {
    this.devices.base.drive(0, 0);
    this.clock.clearTimer(this.controlTimer);
    this.controlTimer = undefined;
    this.devices.camera?.stop();
    await Promise.allSettled([this.devices.base.stop(), this.devices.lidar.stop()]);
  }

  /** Operator and internal events go through the mission state machine. */
  dispatch(event: MissionEvent): { ok: boolean; reason?: string } {
    const result = transition(this.mission, event);
    if (!result.ok) {
      this.logger?.warn({ event, reason: result.reason }, 'mission event refused');
      return { ok: false, reason: result.reason };
    }
    const from = this.mission.mode;
    this.accountModeTime();
    this.mission = result.state;
    if (from !== result.state.mode)
      this.emit('info', 'mission.state', `${from} → ${result.state.mode} on ${event.type}`);
    for (const effect of result.effects) this.runEffect(effect);
    return { ok: true };
  }

  get missionState(): MissionState {
    return this.mission;
  }

  /** Estimated pose of base_link in the map frame (map→odom ⊕ latest odometry). */
  pose(): Pose2D | undefined {
    if (!this.odomLatest) return undefined;
    return composePose(this.fusion.slam.mapToOdom, this.odomLatest);
  }

  map(): OccupancyGrid {
    return this.fusion.slam.toOccupancyGrid();
  }

  /** The swept cells in the map's geometry (1 = swept), for the dashboard. */
  coveredInMap(grid: OccupancyGrid): Uint8Array {
    return regrid(this.coverage.covered, this.coverage.info, grid, 0);
  }

  status(): DaemonStatus {
    this.accountModeTime();
    return {
      mission: this.mission,
      pose: this.pose(),
      velocity: { v: this.odomLatest?.v ?? 0, omega: this.odomLatest?.omega ?? 0 },
      coverageEstimate: this.coverageEstimate(),
      replans: this.replans,
      replanMsMax: this.replanMsMax,
      nudges: this.nudges,
      lightMarks: this.lightMarks,
      lastGate: this.lastGate?.reason,
      follower: this.lastFollower?.status,
      pathLength: this.pathLength,
      exploreTime: this.exploreTime,
      coverTime: this.coverTime,
      activityTime: { ...this.activityTime },
    };
  }

  controlSnapshot(): ControlSnapshot {
    const gate = this.lastGate;
    return {
      mode: this.mission.mode,
      task: this.task.kind,
      follower: this.lastFollower?.status,
      gate: gate ? { action: gate.action, reason: gate.reason } : undefined,
      sent: { v: gate?.v ?? 0, omega: gate?.omega ?? 0 },
      bumpMarks: this.bumpMarks.length,
    };
  }

  // --- inputs ---------------------------------------------------------------------------------------------

  private onOdometry(o: Odometry): void {
    this.odomLatest = o;
    this.fusion.pushOdometry(o);
  }

  private onScan(scan: LaserScan): void {
    const lidar = this.config.lidar;
    const fused = this.fusion.processScan(scan);
    const live = scanToBasePoints(
      fused?.scan ?? scan,
      lidar.mount,
      Math.max(lidar.minRange, this.config.robotRadius * 0.8),
      lidar.maxRange,
    );
    if (fused) {
      const motion = trackScanMotion(
        this.scanMotion,
        live.points,
        fused.odom,
        live.stamp,
        this.params.scanMotion,
      );
      this.scanMotion = motion.memory;
      const remembered = rememberBlindZone(
        this.blindMemory,
        live.points,
        fused.odom,
        live.stamp,
        this.blindZone,
        motion.velocities,
      );
      this.blindMemory = remembered.memory;
      // The remembered points stand still: the velocities of the live ones come first, as the points do.
      const velocities = new Float32Array(remembered.points.length);
      velocities.set(motion.velocities);
      this.lastPoints = { stamp: live.stamp, points: remembered.points, velocities };
    } else this.lastPoints = live;
    if (!fused) return;
    const slam = this.params.slam;
    const rays = scanToRays(fused.scan, this.laserMount, fused.pose, slam.minRange, slam.maxRange, 0);
    const grid = this.refreshGrid(fused.pose, fused.integrated);
    this.costmapLayers.costmap.resize(grid);
    const now = this.clock.now();
    this.costmapLayers.lidar.markAndClear(rays, grid, now);
    if (now - this.lastCostmapAt >= this.params.costmapInterval) this.rebuildCostmap(grid, now);
    if (this.mapLoadPending) {
      this.mapLoadPending = false;
      this.dispatch({ type: this.loadMap() ? 'mapLoaded' : 'noMap' });
    }
  }

  /**
   * The SLAM map with the cells under the robot marked free: it is standing there, though the LIDAR (whose
   * minimum range is longer than the body) never sees that floor.
   */
  private refreshGrid(pose: Pose2D, mapChanged: boolean): OccupancyGrid {
    // The SLAM map only changes when a scan is integrated; in between, the footprint is added to the copy.
    const grid = mapChanged ? this.fusion.slam.toOccupancyGrid() : this.grid;
    const { width, height, resolution, origin, data } = grid;
    const r = this.config.robotRadius;
    const x0 = Math.max(0, Math.floor((pose.x - r - origin.x) / resolution));
    const x1 = Math.min(width - 1, Math.floor((pose.x + r - origin.x) / resolution));
    const y0 = Math.max(0, Math.floor((pose.y - r - origin.y) / resolution));
    const y1 = Math.min(height - 1, Math.floor((pose.y + r - origin.y) / resolution));
    for (let cy = y0; cy <= y1; cy++)
      for (let cx = x0; cx <= x1; cx++) {
        const dx = origin.x + (cx + 0.5) * resolution - pose.x;
        const dy = origin.y + (cy + 0.5) * resolution - pose.y;
        const i = cy * width + cx;
        if (dx * dx + dy * dy <= r * r && data[i]! < 0) data[i] = 0;
      }
    this.grid = grid;
    return grid;
  }

  private rebuildCostmap(grid: OccupancyGrid, now: number): void {
    this.lastCostmapAt = now;
    // Bumped obstacles are below the LIDAR plane: keep them marked (re-sighted) for the whole mission.
    if (this.bumpMarks.length > 0) this.costmapLayers.camera.markObstacles(this.bumpMarks, now);
    this.costmapLayers.costmap.resize(grid);
    this.costmapLayers.static.setMap(grid);
    this.costmap = this.costmapLayers.costmap.update(now);
  }

  // --- the control loop ----------------------------------------------------------------------------------

  private controlTick(): void {
    const now = this.clock.now();
    const pose = this.pose();
    let command = { v: 0, omega: 0 };
    if (pose) {
      this.trackPath(pose);
      this.markLightBumper(now, pose);
      command = this.decide(now, pose);
    }
    const odom = this.odomLatest;
    const gate = safetyGate(
      this.gateState,
      {
        time: now,
        command,
        scan: this.lastPoints,
        odometry: odom ? { stamp: odom.stamp, x: odom.x, y: odom.y } : undefined,
        contacts: this.contacts,
      },
      this.params.gate,
    );
    this.gateState = gate.state;
    if (gate.reason !== this.lastGate?.reason && gate.action === 'stop')
      this.emit('warn', 'safety.stop', `safety gate: ${gate.reason}`);
    this.lastGate = gate;
    this.accountActivity(now, command, gate.action);
    this.devices.base.drive(gate.v, gate.omega);
    // A back-off or a turn on the spot the gate lets through while the bumper is pressed is the way out.
    const hazard = hazardStop(command, gate);
    if (pose && hazard) this.beginRecovery(now, pose, hazard);
  }

  /**
   * What the light bumper sees that the map does not hold (a shoe, a toy below the LIDAR's plane) is marked
   * as a bumped obstacle would be, before the bumper touches it; the costmap follows at once so the
   * follower's look ahead sees it this tick.
   */
  private markLightBumper(now: number, pose: Pose2D): void {
    const bits = this.contacts?.lightBumper ?? 0;
    const params = this.params.lightBumper;
    const mode = this.mission.mode;
    if (!bits || !params.enabled || (mode !== 'exploring' && mode !== 'covering' && mode !== 'returning'))
      return;
    const seen = lightBumperPoints(bits, pose, this.config.robotRadius, params);
    const fresh = unexplainedPoints(seen, this.costmap, this.bumpMarks, params);
    if (fresh.length === 0) return;
    for (const p of fresh) this.bumpMarks.push({ ...p, time: now });
    this.lightMarks += fresh.length;
    this.rebuildCostmap(this.grid, now);
  }

  /** Marks the swept area while cleaning and keeps the driven path length. */
  private trackPath(pose: Pose2D): void {
    if (this.mission.mode === 'covering' && this.task.kind === 'cover') this.coverage.moveTo(pose.x, pose.y);
    else this.coverage.lift();
    if (this.lastPathPoint) {
      const step = Math.hypot(pose.x - this.lastPathPoint.x, pose.y - this.lastPathPoint.y);
      this.pathLength += step;
      // A relocalization jump is not a drive.
      if (step > DRIVEN_JUMP) this.driven.lift();
    }
    this.driven.moveTo(pose.x, pose.y);
    this.lastPathPoint = { x: pose.x, y: pose.y };
    const tip = this.trail[this.trail.length - 1];
    if (!tip || Math.hypot(pose.x - tip.x, pose.y - tip.y) >= TRAIL_SPACING) {
      this.trail.push({ x: pose.x, y: pose.y });
      if (this.trail.length > 2 * TRAIL_POINTS) this.trail = this.trail.slice(-TRAIL_POINTS);
    }
  }

  private decide(now: number, pose: Pose2D): { v: number; omega: number } {
    const task = this.task;
    if (task.kind === 'recover') return this.stepRecover(now, task);
    if (task.kind === 'wait') {
      if (now < task.until) return { v: 0, omega: 0 };
      this.task = { kind: 'none' };
      this.dispatch({ type: 'pathBlocked' });
      return { v: 0, omega: 0 };
    }
    const mode = this.mission.mode;
    if (mode === 'exploring') {
      // A move out of a stalled spot ('clear') runs to its end before the next frontier is chosen.
      if ((task.kind !== 'explore' && task.kind !== 'clear') || !this.follower) this.nextFrontier(now, pose);
      else if (task.kind === 'explore' && now - this.lastGoalCheck >= this.params.goalCheckInterval)
        this.checkGoal(now, pose, task.goal);
    }
    if (!this.follower) return { v: 0, omega: 0 };
    const odom = this.odomLatest;
    const escaping = isEscape(task);
    const step = (follower: PathFollowerState): PathFollowerOutput =>
      followPath(
        follower,
        {
          time: now,
          pose,
          velocity: { v: odom?.v ?? 0, omega: odom?.omega ?? 0 },
          heldAhead: this.lastGate?.action === 'stop' && this.lastGate.reason === 'obstacle-ahead',
          ...(escaping ? {} : { costmap: this.costmap }),
        },
        this.followerParams(task),
      );
    // A hold belongs to the follower it stopped: a new path (a replan, a recovery) ends it.
    if (this.holding && this.holding.follower !== this.follower) this.holding = undefined;
    if (this.holding && !this.stillHolding(now, pose)) this.follower = resumeFollower(this.follower, now);
    if (this.holding) return { v: 0, omega: 0 };
    let out = step(this.follower);
    // A few centimetres of intrusion (a row beside a table leg after the map moved by a cell): step aside.
    for (let k = 0; k < MAX_NUDGES_PER_TICK && out.status === 'obstructed' && !escaping; k++) {
      if (this.costAt(pose) >= INSCRIBED) break;
      const from = out.index;
      const nudged = nudgePath(this.currentPath, from, out.progress - out.state.path.s[from]!, this.costmap);
      if (!nudged) break;
      this.nudges++;
      this.currentPath = nudged;
      this.follower = startPath(nudged, this.followerParams(task));
      out = step(this.follower);
    }
    this.follower = out.state;
    this.lastFollower = out;
    if (out.status === 'obstructed' && !escaping && this.startHold(now, pose, task))
      return { v: 0, omega: 0 };
    if (out.status === 'following' && now - this.followSince > FRESH_PATH_S) this.freshObstructions = 0;
    const freshlyObstructed = out.status === 'obstructed' && now - this.followSince <= FRESH_PATH_S;
    if (freshlyObstructed) this.freshObstructions++;
    if (out.status === 'done') this.pathDone();
    else if (
      out.status === 'obstructed' &&
      (this.costAt(pose) >= INSCRIBED || (freshlyObstructed && this.freshObstructions >= 2))
    ) {
      // The robot stands where its centre should not be (too close to something), or new paths keep
      // starting obstructed around it: any path from here would, so back away first instead of replanning
      // on the spot.
      this.freshObstructions = 0;
      this.beginRecovery(now, pose, 'blocked');
    } else if (out.status === 'blocked' || out.status === 'obstructed') this.pathBlocked(out.status);
    return out.status === 'done' || out.status === 'blocked' ? { v: 0, omega: 0 } : out;
  }

  /**
   * The path ahead is obstructed: when the map alone (the SLAM map and the bump marks, without the LIDAR's
   * fresh marks) would let the robot through, what is in the way is new — most often a person or a pet
   * walking past — so stand still on the path for a while instead of giving the stretch ahead up. Not where
   * a hold ran out just now (what stays there is for the replan), and not with the centre already too close
   * to something (that needs a back-off).
   */
  private startHold(now: number, pose: Pose2D, task: Task): boolean {
    const hold = this.params.passingHold;
    if (hold <= 0 || !this.follower || this.costAt(pose) >= INSCRIBED) return false;
    if (task.kind !== 'cover' && task.kind !== 'explore' && task.kind !== 'home' && task.kind !== 'revisit')
      return false;
    const last = this.lastHold;
    if (
      last &&
      now - last.time < HOLD_REPEAT_WINDOW &&
      Math.hypot(pose.x - last.x, pose.y - last.y) < HOLD_REPEAT_RADIUS
    )
      return false;
    const lidar = this.costmapLayers.lidar;
    const mapOnly = this.costmapLayers.costmap.view(now, (layer) => layer !== lidar);
    if (obstructedAhead(this.follower, mapOnly, this.followerParams(task))) return false;
    this.holding = { since: now, follower: this.follower };
    this.emit(
      'info',
      'path.hold',
      `something not on the map is in the way (someone passing?): waiting up to ${hold} s`,
    );
    return true;
  }

  /** During a hold: true while the way is still blocked and the hold has time left. */
  private stillHolding(now: number, pose: Pose2D): boolean {
    const since = this.holding!.since;
    const blocked = obstructedAhead(this.holding!.follower, this.costmap, this.followerParams(this.task));
    if (blocked && now - since < this.params.passingHold) return true;
    this.holding = undefined;
    if (blocked) this.lastHold = { x: pose.x, y: pose.y, time: now };
    else this.emit('info', 'path.clear', `the way is clear again after ${(now - since).toFixed(1)} s`);
    return false;
  }

  private pathDone(): void {
    const kind = this.task.kind;
    this.follower = undefined;
    this.currentPath = [];
    if (kind === 'explore') {
      // Standing at the goal, the robot has seen what can be seen from there: a frontier that is still
      // there lies where the LIDAR cannot look (under furniture, past a glass door), so do not come back.
      this.blacklist.push(this.task.goal);
      this.explorationFailures = 0;
      this.task = { kind: 'none' };
    } else if (kind === 'cover' || kind === 'escape' || kind === 'revisit') {
      this.interrupted = undefined;
      this.task = { kind: 'none' };
      this.replanCoverage();
    } else if (kind === 'home') this.dispatch({ type: 'arrivedHome' });
    else if (kind === 'clear') {
      this.task = { kind: 'none' };
      this.dispatch({ type: 'pathBlocked' });
    }
  }

  private pathBlocked(status: 'blocked' | 'obstructed'): void {
    const task = this.task;
    this.keepInterrupted();
    this.follower = undefined;
    this.currentPath = [];
    const pose = this.pose();
    const at = pose ? ` at (${pose.x.toFixed(2)}, ${pose.y.toFixed(2)}, ${pose.theta.toFixed(2)})` : '';
    this.emit(
      'info',
      'path.blocked',
      `path ${status} while ${this.mission.mode}${at}, gate: ${this.lastGate?.reason}`,
    );
    if (task.kind === 'explore') this.blacklist.push(task.goal);
    if (status === 'blocked' && pose && task.kind !== 'recover') {
      // Stuck (the gate holds the robot, or the wheels do not move): back off before anything else.
      if (task.kind === 'cover' && this.lastFollower) {
        this.skipped.lift();
        this.skipped.moveTo(this.lastFollower.carrot.x, this.lastFollower.carrot.y);
      }
      this.beginRecovery(this.clock.now(), pose, 'blocked');
      return;
    }
    if (task.kind === 'cover' && this.lastFollower) {
      // Give up the spot ahead for now; the replan goes around it and retries it at the end.
      const ahead = this.lastFollower.carrot;
      this.skipped.lift();
      this.skipped.moveTo(ahead.x, ahead.y);
    }
    this.dispatch({ type: 'pathBlocked' });
  }

  private beginRecovery(now: number, pose: Pose2D, cause: 'bump' | 'cliff' | 'wheel-drop' | 'blocked'): void {
    if (this.task.kind === 'recover' || !this.odomLatest) return;
    const slide = cause === 'bump' ? this.slideAfterBump(pose) : undefined;
    // A squeeze that bumped, and could not slide on, went where the obstacle is: not again from here.
    if (
      (this.task.kind === 'escape' || this.task.kind === 'clear') &&
      this.task.squeeze &&
      cause === 'bump' &&
      !slide
    )
      this.failedSqueezes.push({ x: pose.x, y: pose.y });
    const resume = this.task.kind === 'explore' ? 'explore' : this.task.kind === 'home' ? 'home' : 'cover';
    const state = startRecovery(
      {
        time: now,
        odometry: this.odomLatest,
        mapPose: pose,
        cause,
        // The lit beams place a bump mark only when the light bumper is in use.
        contacts:
          this.contacts && !this.params.lightBumper.enabled
            ? { ...this.contacts, lightBumper: 0 }
            : this.contacts,
      },
      this.params.recovery,
    );
    this.keepInterrupted();
    // A bumper still pressed since the last bump mark (the robot turned on the spot, touching) is the same
    // contact: marked at the nominal angle off the new heading, it would land where nothing is.
    if (state.obstacleMap && !(cause === 'bump' && this.bumperHeld)) {
      this.bumpMarks.push({ ...state.obstacleMap, time: now });
      this.costmapLayers.camera.markObstacles([state.obstacleMap], now);
    }
    if (cause === 'bump') this.bumperHeld = true;
    this.follower = undefined;
    this.currentPath = [];
    this.task = slide ? { kind: 'recover', state, resume, slide } : { kind: 'recover', state, resume };
    this.emit('warn', `recovery.${cause}`, `${cause}: backing off and marking the obstacle`);
  }

  /**
   * On the way out of a pocket (a squeeze, the trail, a revisit), a bump on one side only is a graze: the
   * gap is a few centimetres wider than the robot and the obstacle lies beside it. The way on is the same
   * path shifted away from the bumped side, as a robot vacuum slides along what it touches; the walls on the
   * other side are the gate's to watch. At most `slide.maxSlides` per way out.
   */
  private slideAfterBump(pose: Pose2D): Slide | undefined {
    const task = this.task;
    const left = this.contacts?.bumpLeft ?? false;
    const right = this.contacts?.bumpRight ?? false;
    if (!isEscape(task) || left === right || this.currentPath.length < 2) return undefined;
    const base = this.sliding?.base ?? this.currentPath;
    const count = (this.sliding?.count ?? 0) + 1;
    if (count > this.params.slide.maxSlides) return undefined;
    const side = left ? 'left' : 'right';
    const slid = slidePast(base, pose, side, this.params.slide, this.sliding?.shift);
    return slid ? { ...slid, base, task, count, side } : undefined;
  }

  private stepRecover(now: number, task: Extract<Task, { kind: 'recover' }>): { v: number; omega: number } {
    const odom = this.odomLatest!;
    const out = stepRecovery(task.state, { time: now, odometry: odom }, this.params.recovery);
    if (out.status === 'backing') {
      this.task = { ...task, state: out.state };
      return out;
    }
    this.rebuildCostmap(this.grid, now);
    this.task = { kind: 'none' };
    const pose = this.pose();
    const slide = task.slide;
    if (out.status === 'done' && slide) {
      this.emit(
        'info',
        'recovery.slide',
        `grazed something on the ${slide.side} on the way out: going on along the same way, shifted ` +
          `${(Math.abs(slide.shift) * 100).toFixed(0)} cm away from it (${slide.count} of ${this.params.slide.maxSlides})`,
      );
      this.follow(slide.path, slide.task);
      this.sliding = slide;
      return { v: 0, omega: 0 };
    }
    if (out.status === 'failed' && pose) {
      if (this.wedged(now, pose)) return { v: 0, omega: 0 };
      if (this.driveToOpenFloor(pose, out.state.backedDistance)) return { v: 0, omega: 0 };
      // Hemmed in all round: what hems it in may walk away.
      this.waitThen(now, BLOCKED_WAIT, 'no open floor around after a failed back-off');
      return { v: 0, omega: 0 };
    }
    this.dispatch({ type: 'pathBlocked' });
    return { v: 0, omega: 0 };
  }

  /**
   * After a back-off that could not back off (something behind as well as ahead): turn towards the most open
   * direction the LIDAR (and the blind-band memory) shows and drive a little way there. True when started.
   */
  private driveToOpenFloor(pose: Pose2D, backed: number): boolean {
    const scan = this.lastPoints?.points;
    if (!scan) return false;
    // What the bumper found is below the LIDAR's plane: its marks nearby count as returns. A mark lies just
    // beyond the rim, so it closes the whole half-turn of headings towards it.
    const toBase = invertPose(pose);
    const marks: number[] = [];
    for (const mark of this.bumpMarks) {
      if (Math.hypot(mark.x - pose.x, mark.y - pose.y) > 1) continue;
      const m = transformPoint(toBase, mark);
      marks.push(m.x, m.y);
    }
    const points = marks.length === 0 ? scan : Float32Array.from([...scan, ...marks]);
    // The gate stops the bare footprint short of what it approaches by its stop margin: so must the move.
    const keep = this.params.gate.stopMargin + OPEN_FLOOR_MARGIN;
    const open = openHeading(points, {
      radius: this.config.robotRadius + OPEN_FLOOR_MARGIN,
      maxDistance: OPEN_FLOOR_DISTANCE + keep,
      candidates: 36,
    });
    const distance = Math.min(OPEN_FLOOR_DISTANCE, open.free - keep);
    if (distance < OPEN_FLOOR_MIN) return false;
    const heading = pose.theta + open.angle;
    const path: PathPose[] = [
      { x: pose.x, y: pose.y, theta: heading },
      { x: pose.x + distance * Math.cos(heading), y: pose.y + distance * Math.sin(heading), theta: heading },
    ];
    this.emit(
      'info',
      'recovery.open-floor',
      `could not back off (${backed.toFixed(3)} of ${this.params.recovery.backoffDistance} m): turning ` +
        `${((open.angle * 180) / Math.PI).toFixed(0)}° and driving ${distance.toFixed(2)} m to open floor`,
    );
    this.follow(path, { kind: 'clear' });
    return true;
  }

  /**
   * Nothing reachable is left, yet much more is unreachable than a finished mission leaves behind (floor seen
   * under furniture or through a gap): the robot is in a pocket, not done.
   */
  private isBoxedIn(answer: CoveragePlan | undefined): boolean {
    const unreachable = answer?.unreachableArea ?? 0;
    const swept = this.coverage.count * this.coverage.info.resolution ** 2;
    return unreachable >= Math.max(BOXED_IN_AREA, BOXED_IN_SHARE * swept);
  }

  /** The move to open floor: an escape that turns fully on the spot first (an arc would press on what the bumper touches). */
  private clearParams(): DaemonParams['follower'] {
    return { ...this.escapeParams(), rotateToHeadingAngle: OPEN_FLOOR_TURN_EXIT };
  }

  private escapeParams(): DaemonParams['follower'] {
    const f = this.params.follower;
    return {
      ...f,
      maxLinearSpeed: Math.min(f.maxLinearSpeed, ESCAPE_SPEED),
      cornerAngle: Math.min(f.cornerAngle, ESCAPE_CORNER_ANGLE),
    };
  }

  /**
   * Counts a back-off that could not back off; true (and a fault raised) when it is the WEDGED_RECOVERIES-th
   * within WEDGED_WINDOW s in one spot: the robot bumps, cannot get clear (something behind it too), and bumps
   * again. Bumping one low obstacle again and again from different sides is not this: those back-offs work.
   */
  private wedged(now: number, pose: Pose2D): boolean {
    const recent = this.failedBackoffs.filter(
      (r) => now - r.time <= WEDGED_WINDOW && Math.hypot(r.x - pose.x, r.y - pose.y) <= WEDGED_RADIUS,
    );
    recent.push({ x: pose.x, y: pose.y, time: now });
    this.failedBackoffs = recent;
    if (recent.length < WEDGED_RECOVERIES) return false;
    const reason = `stuck at (${pose.x.toFixed(2)}, ${pose.y.toFixed(2)}): ${recent.length} failed back-offs in ${WEDGED_WINDOW} s`;
    this.failedBackoffs = [];
    this.emit('error', 'recovery.wedged', reason);
    this.dispatch({ type: 'fault', reason });
    return true;
  }

  /** Forgets the bump marks within `radius` of the robot; how many. */
  private liftBumpMarks(pose: Pose2D, radius: number): number {
    // A mark the bumper made a moment ago is the obstacle, not a stale seal: it stays.
    const now = this.clock.now();
    const near = this.bumpMarks.filter(
      (m) => Math.hypot(m.x - pose.x, m.y - pose.y) <= radius && now - m.time >= FRESH_BUMP_MARK,
    );
    if (near.length === 0) return 0;
    const kept = this.bumpMarks.filter((m) => !near.includes(m));
    this.bumpMarks.length = 0;
    this.bumpMarks.push(...kept);
    this.costmapLayers.camera.clearPoints(near);
    this.rebuildCostmap(this.grid, this.clock.now());
    return near.length;
  }

  /**
   * The way out of a pocket the bump marks seal, past marks shrunk to a few centimetres (a mark sits off the
   * obstacle it stands for; the LIDAR's walls keep their full inflation), or undefined.
   */
  private squeezeOut(pose: Pose2D, now: number): Squeeze | undefined {
    if (this.failedSqueezes.some((q) => Math.hypot(q.x - pose.x, q.y - pose.y) < FAILED_SQUEEZE_RADIUS))
      return undefined;
    const camera = this.costmapLayers.camera;
    const unmarked = this.costmapLayers.costmap.view(now, (layer) => layer !== camera);
    return squeezeOut(this.costmap, unmarked, this.bumpMarks, pose, {
      costScaling: this.params.costmap.costScaling,
    });
  }

  private emitSqueeze(type: 'coverage.squeeze' | 'exploration.squeeze', squeeze: Squeeze): void {
    this.emit(
      'info',
      type,
      `squeezing out past ${squeeze.marks} bump marks taken as ${(squeeze.markRadius * 100).toFixed(0)} cm ` +
        `(${pathLengthOf(squeeze.path).toFixed(1)} m, slowly)`,
    );
  }

  /** The costmap's cost under a map-frame point (unknown outside the grid). */
  private costAt(p: Point2D): number {
    const { width, height, resolution, origin, costs } = this.costmap;
    const cx = Math.floor((p.x - origin.x) / resolution);
    const cy = Math.floor((p.y - origin.y) / resolution);
    if (cx < 0 || cy < 0 || cx >= width || cy >= height) return NO_INFORMATION;
    return costs[cy * width + cx]!;
  }

  // --- exploration -----------------------------------------------------------------------------------------

  private obstacleMask(): Uint8Array {
    const grid = this.grid;
    const costs = regrid(this.costmap.costs, this.costmap, grid, 255);
    const mask = new Uint8Array(costs.length);
    for (let i = 0; i < costs.length; i++) mask[i] = costs[i]! === 254 || grid.data[i]! >= 65 ? 1 : 0;
    return mask;
  }

  private nextFrontier(now: number, pose: Pose2D): void {
    this.lastGoalCheck = now;
    const grid = this.grid;
    if (grid.width * grid.height <= 1) return;
    this.rebuildCostmap(grid, now);
    const result = findFrontierGoal(grid, pose, this.params.frontiers, {
      obstacles: this.obstacleMask(),
      blacklist: this.blacklist,
    });
    if (
      result.kind === 'none' &&
      result.reason !== 'explored' &&
      this.explorationStalls < MAX_EXPLORATION_STALLS &&
      reachableShare(this.costmap, pose) < POCKET_SHARE
    ) {
      // Frontiers are left, none can be reached, and neither can most of the mapped floor: the robot stands
      // in a pocket (a person in the doorway, gaps between furniture it drove through since closed). Get out
      // of the spot as when boxed in while covering, and look again before calling the map complete.
      this.explorationStalls++;
      const lifted = this.liftBumpMarks(pose, BOXED_IN_MARK_RADIUS);
      const squeeze = lifted > 0 ? undefined : this.squeezeOut(pose, now);
      const escape = lifted > 0 || squeeze ? undefined : escapeAlongTrail(this.costmap, this.trail, pose);
      this.emit(
        'warn',
        'exploration.stalled',
        'frontiers left but none reachable from here: ' +
          (lifted > 0
            ? `forgetting ${lifted} bump marks nearby`
            : squeeze
              ? 'squeezing out past the bump marks'
              : escape
                ? 'going back along the trail'
                : 'backing off'),
      );
      if (lifted > 0) return;
      if (squeeze) {
        this.emitSqueeze('exploration.squeeze', squeeze);
        this.follow(squeeze.path, { kind: 'clear', squeeze: true });
      } else if (escape) this.follow(escape, { kind: 'clear' });
      else this.beginRecovery(now, pose, 'blocked');
      return;
    }
    if (result.kind === 'none') {
      this.task = { kind: 'none' };
      this.emit('info', 'exploration.complete', `no reachable frontier left (${result.reason})`);
      this.dispatch({ type: 'explorationComplete' });
      return;
    }
    const path = this.planner.pathTo(this.costmap, pose, result.goal, this.config.robotRadius);
    if (!path || path.length < 2) {
      this.blacklist.push(result.goal);
      if (++this.explorationFailures >= this.params.maxExplorationFailures) {
        this.emit('warn', 'exploration.complete', 'frontiers left, but none can be reached');
        this.dispatch({ type: 'explorationComplete' });
      }
      return;
    }
    this.task = { kind: 'explore', goal: result.goal };
    this.explorationStalls = 0;
    this.emit(
      'info',
      'exploration.goal',
      `frontier ${result.frontier.length.toFixed(1)} m long at (${result.goal.x.toFixed(2)}, ` +
        `${result.goal.y.toFixed(2)}), ${result.pathDistance.toFixed(1)} m away`,
    );
    this.follow(path);
  }

  /** Drops the goal once it is no longer on a frontier (mapped meanwhile), so the robot does not drive there for nothing. */
  private checkGoal(now: number, pose: Pose2D, goal: Point2D): void {
    this.lastGoalCheck = now;
    const grid = this.grid;
    const result = findFrontierGoal(grid, pose, this.params.frontiers, {
      obstacles: this.obstacleMask(),
      blacklist: this.blacklist,
    });
    if (result.kind === 'none') {
      this.follower = undefined;
      this.task = { kind: 'none' };
      return;
    }
    const still = result.clusters.some(
      (c) => c.goal && Math.hypot(c.goal.x - goal.x, c.goal.y - goal.y) < 0.5,
    );
    if (!still) {
      this.follower = undefined;
      this.task = { kind: 'none' };
    }
  }

  // --- coverage --------------------------------------------------------------------------------------------

  /** Remembers the coverage path being followed, so that an interruption resumes it (`resumeCoverage`). */
  private keepInterrupted(): void {
    if (this.task.kind !== 'cover' || this.currentPath.length < 2) return;
    this.interrupted = { path: this.currentPath, index: this.lastFollower?.index ?? 0 };
    const pose = this.pose();
    if (!pose) return;
    const last = this.lastInterruption;
    const again = last && Math.hypot(pose.x - last.at.x, pose.y - last.at.y) < REPEAT_INTERRUPTION_RADIUS;
    this.lastInterruption = { at: { x: pose.x, y: pose.y }, repeats: again ? last.repeats + 1 : 0 };
  }

  /**
   * Rejoins the interrupted plan past whatever stopped it; false when it cannot be rejoined. The skipped
   * stretch is retried once everything else is done.
   */
  private resumeCoverage(pose: Pose2D, started: number): boolean {
    const interrupted = this.interrupted;
    this.interrupted = undefined;
    if (!interrupted) return false;
    const radius = this.config.robotRadius;
    const resumed = resumePlan(
      interrupted.path,
      interrupted.index,
      pose,
      this.costmap,
      (costmap, from, goal) => this.planner.pathTo(costmap, from, goal, radius),
      this.params.planRepair,
      // Stopped here again by something the costmap does not show: pass over a little more each time.
      (this.lastInterruption?.repeats ?? 0) * REPEAT_SKIP,
    );
    if (!resumed) return false;
    for (const q of resumed.skipped) {
      this.skipped.lift();
      this.skipped.moveTo(q.x, q.y);
    }
    const ms = performance.now() - started;
    this.replans++;
    this.replanMsMax = Math.max(this.replanMsMax, ms);
    this.task = { kind: 'cover' };
    this.emit(
      'info',
      'coverage.resume',
      `plan resumed at pose ${resumed.resumeIndex} of ${interrupted.path.length} after ${resumed.detour.toFixed(1)} m, ` +
        `${resumed.skipped.length} poses skipped, ${ms.toFixed(0)} ms`,
    );
    this.follow(resumed.path);
    return true;
  }

  private replanCoverage(): void {
    const pose = this.pose();
    if (!pose) return;
    const now = this.clock.now();
    this.rebuildCostmap(this.grid, now);
    const started = performance.now();
    if (this.resumeCoverage(pose, started)) return;
    const request = (withSkipped: boolean) => {
      // Slivers between neighbouring sweeps are not worth a row each: plan as if they were swept.
      const covered = closeSlivers(
        regrid(this.coverage.covered, this.coverage.info, this.costmap, 0),
        this.costmap.width,
        this.costmap.height,
      );
      if (withSkipped) {
        const skipped = regrid(this.skipped.covered, this.skipped.info, this.costmap, 0);
        for (let i = 0; i < covered.length; i++) covered[i] = covered[i]! | skipped[i]!;
      }
      return this.planner.coverage({
        costmap: this.costmap,
        start: pose,
        covered,
        toolWidth: this.config.toolWidth,
        overlap: this.params.coverageOverlap,
        robotRadius: this.config.robotRadius,
      });
    };
    // Slivers along walls that the tool's edge just missed are not worth another trip, nor are specks
    // scattered over the floor that cost a tour of the place for a few square decimetres.
    let notWorth: string | undefined;
    const worthIt = (p: CoveragePlan | undefined) => {
      if (!p || p.path.length < 2 || p.plannedArea < this.params.minReplanArea) return undefined;
      const length = pathLengthOf(p.path);
      const swept = this.coverage.count * this.coverage.info.resolution ** 2;
      if (p.plannedArea >= this.params.minReplanYield * length || p.plannedArea >= TAIL_SHARE * swept)
        return p;
      notWorth = `${p.plannedArea.toFixed(2)} m² left on ${length.toFixed(1)} m of path: not worth it`;
      return undefined;
    };
    let answer = request(true);
    let plan = worthIt(answer);
    if (!plan && this.skipped.count > 0) {
      // Everything else is done: retry the places that were blocked.
      this.skipped.covered.fill(0);
      this.skipped.count = 0;
      this.emit('info', 'coverage.retry', 'retrying areas skipped because they were blocked');
      answer = request(false);
      plan = worthIt(answer);
    }
    const ms = performance.now() - started;
    this.replans++;
    this.replanMsMax = Math.max(this.replanMsMax, ms);
    const boxedIn = !plan && this.isBoxedIn(answer);
    if (boxedIn && this.boxedIn < MAX_BOXED_IN && this.boxedIn > 0 && !this.waitedBoxedIn) {
      // Out of the first try still boxed in: a person or a pet may be what closes the way, so give them time
      // before the next.
      this.waitedBoxedIn = true;
      this.waitThen(
        now,
        BOXED_IN_WAIT,
        `${answer!.unreachableArea.toFixed(1)} m² left but none reachable from here`,
      );
      return;
    }
    if (boxedIn && this.boxedIn < MAX_BOXED_IN) {
      this.waitedBoxedIn = false;
      // Much is left but none of it can be reached from here: the robot has wedged itself into a pocket of
      // the costmap, sealed by its own bump marks or a shifted wall. Squeeze out past the marks (they say
      // where the obstacle is, roughly), else forget them (a bump marks them again) and try once more; then
      // back out before calling the coverage done.
      this.boxedIn++;
      const left = `${answer!.unreachableArea.toFixed(1)} m² left but none reachable from here`;
      const squeeze = this.squeezeOut(pose, now);
      if (squeeze) {
        this.emit('warn', 'coverage.boxed-in', `${left}: squeezing out past the bump marks`);
        this.emitSqueeze('coverage.squeeze', squeeze);
        this.follow(squeeze.path, { kind: 'escape', squeeze: true });
        return;
      }
      const lifted = this.liftBumpMarks(pose, BOXED_IN_MARK_RADIUS);
      this.emit(
        'warn',
        'coverage.boxed-in',
        `${left}: ` + (lifted > 0 ? `forgetting ${lifted} bump marks nearby` : 'backing out'),
      );
      if (lifted > 0) {
        this.replanCoverage();
        return;
      }
      const escape = escapeAlongTrail(this.costmap, this.trail, pose);
      if (escape) {
        this.emit(
          'info',
          'coverage.escape',
          `leaving the pocket along the trail driven in (${pathLengthOf(escape).toFixed(1)} m)`,
        );
        this.follow(escape, { kind: 'escape' });
      } else this.beginRecovery(now, pose, 'blocked');
      return;
    }
    if (plan) {
      this.boxedIn = 0;
      this.waitedBoxedIn = false;
    }
    if (boxedIn) {
      // Still boxed in: the coverage is not done, the robot is stuck. Say so rather than go home.
      const reason = `stuck at (${pose.x.toFixed(2)}, ${pose.y.toFixed(2)}): ${answer!.unreachableArea.toFixed(1)} m² left, none reachable`;
      this.emit('error', 'coverage.stuck', reason);
      this.dispatch({ type: 'fault', reason });
      return;
    }
    if (!plan && answer?.cutOff && this.revisitCutOff(pose, answer.cutOff)) return;
    if (!plan) {
      this.emit('info', 'coverage.complete', notWorth ?? 'nothing reachable left to clean');
      this.dispatch({ type: 'coverageComplete' });
      return;
    }
    this.freshPlans++;
    if (this.freshPlans > this.params.maxReplans) {
      this.emit('warn', 'coverage.giveup', `stopped after ${this.replans} replans`);
      this.dispatch({ type: 'coverageComplete' });
      return;
    }
    this.task = { kind: 'cover' };
    this.emit(
      'info',
      'coverage.plan',
      `plan ${this.replans}: ${plan.plannedArea.toFixed(2)} m² to clean on ${pathLengthOf(plan.path).toFixed(1)} m ` +
        `of path (${pathLengthOf(plan.path, 'transit').toFixed(1)} m of it transit), ${ms.toFixed(0)} ms`,
    );
    this.follow(plan.path);
  }

  /**
   * Everything reachable is swept, yet floor the robot has been on is cut off now (a person mapped standing
   * in a doorway, a chair since moved): drive back the way it went, slowly behind the gate alone, so the
   * LIDAR looks again. True when a revisit started.
   */
  private revisitCutOff(pose: Pose2D, cutOff: Uint8Array): boolean {
    if (this.revisited.length >= MAX_REVISITS) return false;
    const costmap = this.costmap;
    const revisit = revisitPath(
      costmap,
      regrid(this.driven.covered, this.driven.info, costmap, 0),
      cutOff,
      pose,
      {
        minCells: Math.ceil(REVISIT_MIN_AREA / costmap.resolution ** 2),
        maxBlocked: REVISIT_MAX_BLOCKED,
        exclude: this.revisited,
      },
    );
    if (!revisit) return false;
    this.revisited.push(revisit.goal);
    this.emit(
      'info',
      'coverage.revisit',
      `${revisit.patchArea.toFixed(1)} m² cut off where the robot has been: going back to look ` +
        `(${pathLengthOf(revisit.path).toFixed(1)} m, ${revisit.blocked.toFixed(2)} m of it over cells marked since)`,
    );
    this.follow(revisit.path, { kind: 'revisit' });
    return true;
  }

  /** Stands still for `seconds`, then replans (or picks the next frontier). */
  private waitThen(now: number, seconds: number, why: string): void {
    this.follower = undefined;
    this.currentPath = [];
    this.task = { kind: 'wait', until: now + seconds };
    this.emit('info', 'mission.wait', `${why}: waiting ${seconds} s`);
  }

  /** Starts following `path` for the current task, or for `task`. */
  private follow(path: PathPose[], task?: Task): void {
    if (task) this.task = task;
    this.sliding = undefined;
    this.followSince = this.clock.now();
    this.currentPath = path;
    this.follower = startPath(path, this.followerParams(this.task));
  }

  /**
   * Escapes (out of a pocket, back to cut-off floor, to open floor) run where the costmap says the robot
   * cannot be: slowly, behind the gate alone; the move to open floor turns fully on the spot first.
   */
  private followerParams(task: Task): DaemonParams['follower'] {
    if (task.kind === 'clear') return this.clearParams();
    return isEscape(task) ? this.escapeParams() : this.params.follower;
  }

  private goHome(): void {
    const pose = this.pose();
    if (!pose) return;
    const path = this.planner.pathTo(this.costmap, pose, this.home, this.config.robotRadius);
    if (!path || path.length < 2) {
      // Already home, or home cannot be reached: either way the mission ends here.
      this.task = { kind: 'home' };
      this.dispatch({ type: 'arrivedHome' });
      return;
    }
    this.task = { kind: 'home' };
    this.follow(path);
  }

  // --- the mission's effects ------------------------------------------------------------------------------

  private runEffect(effect: MissionEffect): void {
    switch (effect) {
      case 'loadMap':
        this.home = this.pose() ?? { x: 0, y: 0, theta: 0 };
        // Relocalizing needs a scan: the answer comes with the next one.
        if (this.maps) this.mapLoadPending = true;
        else this.dispatch({ type: 'noMap' });
        break;
      case 'startExploration':
        this.explorationFailures = 0;
        this.task = { kind: 'none' };
        break;
      case 'exploreNextFrontier':
        this.task = { kind: 'none' };
        this.follower = undefined;
        break;
      case 'saveMap':
        this.saveMap();
        break;
      case 'planCoverage':
      case 'replan':
        this.replanCoverage();
        break;
      case 'followPlan':
        break;
      case 'goHome':
        this.goHome();
        break;
      case 'stopMotors':
        this.follower = undefined;
        this.currentPath = [];
        if (this.task.kind !== 'recover') this.task = { kind: 'none' };
        this.devices.base.drive(0, 0);
        break;
    }
  }

  // --- the stored map ---------------------------------------------------------------------------------------

  /**
   * Loads the site's stored map and relocalizes on it: the latest scan is matched against the map in a wide
   * window around where the robot should be (the configured initial pose, else the home pose saved with the
   * map). False — explore afresh — when there is no map, it cannot be read, or the scan does not fit it.
   */
  private loadMap(): boolean {
    if (!this.maps) return false;
    const { root, id } = this.maps;
    if (!existsSync(join(root, id, 'meta.json'))) {
      this.emit('info', 'map.none', `no stored map "${id}" in ${root}: exploring`);
      return false;
    }
    let stored: ReturnType<typeof loadStoredMap>;
    try {
      stored = loadStoredMap(root, id);
    } catch (err) {
      this.emit('error', 'map.invalid', `stored map "${id}" cannot be used: ${(err as Error).message}`);
      return false;
    }
    const guess = this.config.initialPose ?? stored.meta.home ?? { x: 0, y: 0, theta: 0 };
    const result = this.fusion.relocalize(stored.grid, guess);
    if (!result.ok) {
      this.emit(
        'warn',
        'map.relocalization-failed',
        `the robot is not where map "${id}" expects it: ${result.reason}; exploring`,
      );
      return false;
    }
    this.home = stored.meta.home ?? result.pose;
    this.grid = this.fusion.slam.toOccupancyGrid();
    this.rebuildCostmap(this.grid, this.clock.now());
    const { x, y, theta } = result.pose;
    this.emit(
      'info',
      'map.loaded',
      `map "${id}" loaded; relocalized at (${x.toFixed(2)}, ${y.toFixed(2)}, ${theta.toFixed(2)}), score ${result.score.toFixed(2)}`,
    );
    return true;
  }

  private saveMap(): void {
    if (!this.maps) return;
    const { root, id } = this.maps;
    try {
      saveStoredMap(root, id, this.fusion.slam.toOccupancyGrid(), { now: this.clock.now(), home: this.home });
      this.emit('info', 'map.saved', `map "${id}" saved in ${root}`);
    } catch (err) {
      // The mission goes on: the map in memory is intact, and the next save may succeed.
      this.emit('error', 'map.save-failed', `saving map "${id}" failed: ${(err as Error).message}`);
    }
  }

  // --- bookkeeping -----------------------------------------------------------------------------------------

  /** Counts the time since the last control tick to what the robot was doing then, and notes this tick's. */
  private accountActivity(now: number, command: { v: number; omega: number }, gate: SafetyAction): void {
    const last = this.lastActivity;
    if (last?.counts)
      this.activityTime = addActivityTime(
        this.activityTime,
        last.activity,
        Math.min(now - last.at, MAX_ACTIVITY_TICK),
      );
    const mode = this.mission.mode;
    const activity = classifyActivity({
      task: this.task.kind,
      follower: this.follower ? this.lastFollower?.status : undefined,
      holding: this.holding !== undefined,
      gate,
      moving: command.v !== 0 || command.omega !== 0,
    });
    this.lastActivity = {
      activity,
      at: now,
      counts: mode === 'exploring' || mode === 'covering' || mode === 'returning',
    };
  }

  private accountModeTime(): void {
    const now = this.clock.now();
    const dt = now - this.modeSince;
    if (this.mission.mode === 'exploring') this.exploreTime += dt;
    if (this.mission.mode === 'covering') this.coverTime += dt;
    this.modeSince = now;
  }

  private coverageEstimate(): number {
    const grid = this.grid;
    let free = 0;
    for (let i = 0; i < grid.data.length; i++) if (grid.data[i]! >= 0 && grid.data[i]! < 25) free++;
    const area = free * grid.resolution * grid.resolution;
    const swept = this.coverage.count * this.coverage.info.resolution ** 2;
    return area > 0 ? Math.min(1, swept / area) : 0;
  }

  private emit(level: DaemonEvent['level'], type: string, message: string): void {
    const event: DaemonEvent = { time: this.clock.now(), level, type, message };
    this.logger?.[level]({ type, time: event.time }, message);
    for (const listener of this.eventListeners) listener(event);
  }
}

/** Tasks that drive where the costmap says the robot cannot be, behind the safety gate alone. */
function isEscape(task: Task): boolean {
  return task.kind === 'escape' || task.kind === 'revisit' || task.kind === 'clear';
}

/** Length of a path, or of its segments leading to poses of one kind (coverage plans tag their poses). */
function pathLengthOf(path: readonly Point2D[], kind?: string): number {
  let length = 0;
  for (let i = 1; i < path.length; i++) {
    if (kind !== undefined && (path[i] as { kind?: string }).kind !== kind) continue;
    length += Math.hypot(path[i]!.x - path[i - 1]!.x, path[i]!.y - path[i - 1]!.y);
  }
  return length;
}
