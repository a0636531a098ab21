/**
 * Path following for a differential drive: regulated pure pursuit (after Macenski et al., "Regulated Pure
 * Pursuit for Robot Path Tracking", 2023 — Nav2's RPP controller), adapted to coverage paths.
 *
 * - The lookahead grows with the measured speed; the carrot is the point that far along the path from the
 *   robot's projection onto it, and the command follows the circular arc through it.
 * - Speed is regulated down in tight arcs (curvature), near obstacles (clearance read from a costmap or a
 *   distance field) and when approaching the end of a leg (so the robot can stop on it).
 * - Sharp corners (turns above `cornerAngle`, as at the ends of lawn-mower rows) split the path into legs:
 *   the robot drives to the corner, stops, and rotates in place onto the next leg. Cutting corners would
 *   leave strips of a coverage path unswept.
 * - It rotates in place at the start and whenever the carrot lies more than `rotateToHeadingAngle` off the
 *   heading, with acceleration limits on both velocities.
 * - Progress is the arc length of the projection; the search for it looks only a window ahead and behind,
 *   so paths that pass close to themselves (adjacent rows) never make it jump.
 * - No progress for `blockedTimeout` seconds → `blocked`; the path ahead running into inscribed or lethal
 *   cost → `obstructed` (stopped, and blocked once the timeout expires).
 *
 * Pure: state in, state out; time is an argument.
 */
import { z } from 'zod';
import { angleDiff, type Point2D, type Pose2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';

const positive = (unit: string) => z.number().positive().describe(unit);

export const PathFollowerParamsSchema = z.strictObject({
  maxLinearSpeed: positive('m/s').default(0.3),
  maxAngularSpeed: positive('rad/s').default(1.5),
  maxLinearAccel: positive('m/s²').default(0.5),
  maxLinearDecel: positive('m/s², braking').default(1.0),
  maxAngularAccel: positive('rad/s², both ways').default(3.0),
  lookaheadTime: positive('s: lookahead = speed · lookaheadTime, clamped').default(1.2),
  minLookahead: positive('m').default(0.2),
  maxLookahead: positive('m').default(0.6),
  regulatedMinRadius: positive('m: arcs tighter than this scale the speed by radius / this').default(0.6),
  minRegulatedSpeed: positive('m/s: floor of the curvature and cost regulation').default(0.05),
  costScalingDistance: positive('m: obstacle closer than this to the centre scales the speed').default(0.24),
  robotRadius: positive('m').default(0.17),
  collisionCheckDistance: positive('m of path ahead checked for inscribed/lethal cost').default(0.4),
  rotateToHeadingAngle: positive('rad: carrot further off the heading → rotate in place').default(
    Math.PI / 4,
  ),
  rotateExitAngle: positive('rad: rotation in place ends once the carrot is within this').default(0.08),
  rotateGain: positive('1/s: rotation speed per rad of heading error').default(4),
  minRotateSpeed: positive('rad/s: rotation never slower (static friction)').default(0.25),
  cornerAngle: positive('rad: vertices turning more than this end a leg (stop and rotate)').default(1.0),
  approachDistance: positive('m: linear slow-down before the end of a leg').default(0.1),
  minApproachSpeed: positive('m/s').default(0.04),
  legEndTolerance: positive('m: a corner counts as reached this close (along the path)').default(0.015),
  heldLegEndTolerance: positive(
    'm: a corner (or the goal) counts as reached this close when the safety gate holds the robot back',
  ).default(0.08),
  goalTolerance: positive('m: the end of the path counts as reached this close').default(0.03),
  alignFinalHeading: z.boolean().default(false).describe('rotate onto the last pose’s theta at the end'),
  goalYawTolerance: positive('rad').default(0.1),
  searchAhead: positive('m of path searched ahead of the last projection').default(0.6),
  searchBehind: positive('m: the projection never moves back further than this').default(0.2),
  blockedTimeout: positive('s without progress → blocked').default(4),
  progressEpsilon: positive('m of new progress that counts').default(0.03),
  headingProgressEpsilon: positive('rad of heading error reduction that counts while rotating').default(0.1),
  maxControlPeriod: positive(
    's: longer gaps restart the acceleration limits from the measured velocity',
  ).default(0.5),
  velocityTolerance: positive('m/s the ramp base (last command) may differ from the measured speed').default(
    0.1,
  ),
  omegaTolerance: positive('rad/s the ramp base may differ from the measured turn rate').default(0.5),
});
export type PathFollowerParams = z.output<typeof PathFollowerParamsSchema>;

/** Nav2 costmap values. */
export const INSCRIBED_COST = 253;
export const LETHAL_COST = 254;
export const NO_INFORMATION_COST = 255;

/** One path pose; the planners' poses (with `kind`) fit as they are. */
export interface PathPose {
  x: number;
  y: number;
  theta: number;
}

/** A layered costmap's master grid: Nav2 costs (0 free … 252, 253 inscribed, 254 lethal, 255 unknown). */
export interface CostmapView extends GridInfo {
  costs: Uint8Array;
}

/** Distance in metres from each cell centre to the nearest obstacle (as `distanceField` computes it). */
export interface DistanceFieldView extends GridInfo {
  distances: Float32Array;
}

export interface Twist {
  /** m/s forward */
  v: number;
  /** rad/s counter-clockwise */
  omega: number;
}

/** The path with what every step needs precomputed. */
export interface PreparedPath {
  readonly poses: readonly PathPose[];
  /** cumulative arc length at each pose, m */
  readonly s: Float64Array;
  readonly length: number;
  /**
   * Pose index at which each leg ends: every sharp corner and the last pose. Leg k runs from
   * legEnds[k−1] (0 for the first) to legEnds[k].
   */
  readonly legEnds: Int32Array;
}

export type FollowerMode = 'rotating' | 'tracking' | 'aligning' | 'done' | 'blocked';

export interface PathFollowerState {
  readonly path: PreparedPath;
  readonly mode: FollowerMode;
  readonly leg: number;
  /** segment (pose i → i + 1) holding the projection; i is the nearest pose index */
  readonly segment: number;
  /** arc length of the projection, m */
  readonly progress: number;
  /** the last command, the base of the acceleration limits */
  readonly lastV: number;
  readonly lastOmega: number;
  /** clock time of the last step, s; NaN before the first */
  readonly lastTime: number;
  readonly bestProgress: number;
  readonly bestHeadingError: number;
  /** clock time of the last progress, s; NaN before the first step */
  readonly progressTime: number;
}

export interface PathFollowerInput {
  /** clock time, s */
  time: number;
  /** estimated pose of base_link in the path's frame (map) */
  pose: Pose2D;
  /** measured body velocity (odometry) */
  velocity: Twist;
  costmap?: CostmapView;
  distanceField?: DistanceFieldView;
  /**
   * the safety gate stopped the last command for something ahead: a leg end this close is as far as the
   * robot gets (a row ending at a wall, planned at the stop margin, which the gate's braking allowance
   * keeps a few centimetres short of)
   */
  heldAhead?: boolean;
}

export type FollowerStatus = 'rotating' | 'following' | 'aligning' | 'obstructed' | 'done' | 'blocked';

export interface PathFollowerOutput extends Twist {
  status: FollowerStatus;
  state: PathFollowerState;
  /** index of the nearest path pose (start of the segment holding the projection) */
  index: number;
  /** arc length along the path, m */
  progress: number;
  /** m of path left after the projection */
  remaining: number;
  /** signed distance of the robot from the path, m, positive to the left of it */
  crossTrack: number;
  lookahead: number;
  carrot: Point2D;
  /** distance from the robot centre to the nearest obstacle, m; Infinity when none is known */
  clearance: number;
}

const EPS = 1e-9;

/** Precomputes arc lengths and the legs; sharp corners are those turning more than params.cornerAngle. */
export function preparePath(poses: readonly PathPose[], params: PathFollowerParams): PreparedPath {
  const n = poses.length;
  const s = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    s[i] = s[i - 1]! + Math.hypot(poses[i]!.x - poses[i - 1]!.x, poses[i]!.y - poses[i - 1]!.y);
  }
  const legEnds: number[] = [];
  // A corner is judged between the segment ending at vertex i and the next non-empty one, so duplicated
  // poses neither hide a corner nor count it twice.
  for (let i = 1; i < n - 1; i++) {
    const len = s[i]! - s[i - 1]!;
    if (len <= EPS) continue;
    const inX = (poses[i]!.x - poses[i - 1]!.x) / len;
    const inY = (poses[i]!.y - poses[i - 1]!.y) / len;
    let j = i + 1;
    while (j < n && s[j]! - s[i]! <= EPS) j++;
    if (j >= n) break;
    const outLen = s[j]! - s[j - 1]!;
    const outX = (poses[j]!.x - poses[j - 1]!.x) / outLen;
    const outY = (poses[j]!.y - poses[j - 1]!.y) / outLen;
    const turn = Math.abs(Math.atan2(inX * outY - inY * outX, inX * outX + inY * outY));
    if (turn > params.cornerAngle) legEnds.push(i);
  }
  legEnds.push(Math.max(0, n - 1));
  return { poses, s, length: n > 0 ? s[n - 1]! : 0, legEnds: Int32Array.from(legEnds) };
}

/** A fresh follower on a new path; it starts by rotating towards the path. */
export function startPath(poses: readonly PathPose[], params: PathFollowerParams): PathFollowerState {
  const path = preparePath(poses, params);
  return {
    path,
    mode: poses.length === 0 ? 'done' : 'rotating',
    leg: 0,
    segment: 0,
    progress: 0,
    lastV: 0,
    lastOmega: 0,
    lastTime: Number.NaN,
    bestProgress: 0,
    bestHeadingError: Infinity,
    progressTime: Number.NaN,
  };
}

/**
 * The follower going on after the robot stood still on purpose (for someone to walk past): the wait is no
 * lack of progress, and the command starts again from standstill.
 */
export function resumeFollower(state: PathFollowerState, time: number): PathFollowerState {
  return { ...state, lastV: 0, lastOmega: 0, lastTime: Number.NaN, progressTime: time };
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

function legStart(path: PreparedPath, leg: number): number {
  return leg === 0 ? 0 : path.legEnds[leg - 1]!;
}

interface Projection {
  segment: number;
  /** arc length of the (clamped) projection */
  s: number;
  /** m left to the end of the leg; negative once the robot has passed it */
  legRemaining: number;
  crossTrack: number;
}

/**
 * Nearest point of the current leg within the search window around the last progress. Past the last
 * segment of the leg the projection is extrapolated, so an overshoot shows as negative `legRemaining`.
 */
function project(
  path: PreparedPath,
  leg: number,
  progress: number,
  x: number,
  y: number,
  p: PathFollowerParams,
) {
  const { poses, s } = path;
  const first = legStart(path, leg);
  const last = path.legEnds[leg]!;
  let best: Projection | undefined;
  let bestD2 = Infinity;
  for (let j = first; j < last; j++) {
    if (s[j + 1]! < progress - p.searchBehind) continue;
    if (s[j]! > progress + p.searchAhead) break;
    const len = s[j + 1]! - s[j]!;
    if (len <= EPS) continue;
    const a = poses[j]!;
    const b = poses[j + 1]!;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    const along = (x - a.x) * ux + (y - a.y) * uy;
    const t = clamp(along, 0, len);
    const px = a.x + ux * t;
    const py = a.y + uy * t;
    const d2 = (x - px) ** 2 + (y - py) ** 2;
    if (d2 < bestD2) {
      bestD2 = d2;
      const cross = ux * (y - a.y) - uy * (x - a.x);
      const isLastSegment = s[last]! - s[j + 1]! <= EPS;
      const alongS = s[j]! + (isLastSegment ? Math.max(along, 0) : t);
      best = { segment: j, s: s[j]! + t, legRemaining: s[last]! - alongS, crossTrack: cross };
    }
  }
  return best;
}

/** Point `dist` along the path from arc length `from`, extrapolated straight past the end of the leg. */
function pointAlong(path: PreparedPath, leg: number, from: number, dist: number): Point2D {
  const { poses, s } = path;
  const first = legStart(path, leg);
  const last = path.legEnds[leg]!;
  const target = from + dist;
  let j = first;
  while (j < last - 1 && s[j + 1]! < target) j++;
  // Extrapolation past the end uses the last non-empty segment's direction.
  while (j > first && s[j + 1]! - s[j]! <= EPS) j--;
  const len = s[j + 1]! - s[j]!;
  const a = poses[j]!;
  const b = poses[j + 1]!;
  const t = target - s[j]!;
  return { x: a.x + ((b.x - a.x) * t) / len, y: a.y + ((b.y - a.y) * t) / len };
}

function cellIndex(info: GridInfo, x: number, y: number): number {
  const cx = Math.floor((x - info.origin.x) / info.resolution);
  const cy = Math.floor((y - info.origin.y) / info.resolution);
  if (cx < 0 || cy < 0 || cx >= info.width || cy >= info.height) return -1;
  return cy * info.width + cx;
}

/** Distance from (x, y) to the nearest lethal cell of the costmap within `radius`; Infinity if none. */
export function costmapClearance(costmap: CostmapView, x: number, y: number, radius: number): number {
  const { width, height, resolution, origin, costs } = costmap;
  const cx = Math.floor((x - origin.x) / resolution);
  const cy = Math.floor((y - origin.y) / resolution);
  const r = Math.ceil(radius / resolution);
  let best2 = Infinity;
  for (let j = Math.max(0, cy - r); j <= Math.min(height - 1, cy + r); j++) {
    const wy = origin.y + (j + 0.5) * resolution - y;
    const row = j * width;
    for (let i = Math.max(0, cx - r); i <= Math.min(width - 1, cx + r); i++) {
      if (costs[row + i] !== LETHAL_COST) continue;
      const wx = origin.x + (i + 0.5) * resolution - x;
      const d2 = wx * wx + wy * wy;
      if (d2 < best2) best2 = d2;
    }
  }
  return Math.sqrt(best2);
}

function clearanceAt(input: PathFollowerInput, p: PathFollowerParams): number {
  const { x, y } = input.pose;
  if (input.distanceField) {
    const i = cellIndex(input.distanceField, x, y);
    return i < 0 ? Infinity : input.distanceField.distances[i]!;
  }
  if (input.costmap) return costmapClearance(input.costmap, x, y, p.costScalingDistance);
  return Infinity;
}

/** True when a robot centred at (x, y) would overlap an obstacle (unknown space does not count). */
function inCollision(input: PathFollowerInput, x: number, y: number, p: PathFollowerParams): boolean {
  if (input.distanceField) {
    const i = cellIndex(input.distanceField, x, y);
    return i >= 0 && input.distanceField.distances[i]! < p.robotRadius;
  }
  if (input.costmap) {
    const i = cellIndex(input.costmap, x, y);
    if (i < 0) return false;
    const c = input.costmap.costs[i]!;
    return c === INSCRIBED_COST || c === LETHAL_COST;
  }
  return false;
}

/**
 * Whether the path ahead of the follower's progress runs into inscribed or lethal cost of `costmap`: the
 * check behind `obstructed`, against a costmap of the caller's choice (one without the LIDAR's fresh marks
 * tells what the map alone would say).
 */
export function obstructedAhead(
  state: PathFollowerState,
  costmap: CostmapView,
  params: PathFollowerParams,
): boolean {
  const input = { time: 0, pose: { x: 0, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 }, costmap };
  return pathObstructed(state.path, state.segment, state.progress, input, params);
}

/** Samples the path ahead of `from` (across legs) for collisions, one cell apart. */
function pathObstructed(
  path: PreparedPath,
  segment: number,
  from: number,
  input: PathFollowerInput,
  p: PathFollowerParams,
): boolean {
  const grid = input.distanceField ?? input.costmap;
  if (!grid || path.length <= EPS) return false;
  const step = grid.resolution;
  const end = Math.min(path.length, from + p.collisionCheckDistance);
  let j = Math.min(segment, path.poses.length - 2);
  for (let target = from + step; target <= end; target += step) {
    while (j < path.poses.length - 2 && path.s[j + 1]! < target) j++;
    const len = path.s[j + 1]! - path.s[j]!;
    const t = len > EPS ? (target - path.s[j]!) / len : 0;
    const a = path.poses[j]!;
    const b = path.poses[j + 1]!;
    if (inCollision(input, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, p)) return true;
  }
  return false;
}

/**
 * Rotation speed towards a heading error: proportional, capped so it can stop in time, floored. An error
 * near ±π whose sign flips against the turn already under way (pose noise across the wrap) keeps turning
 * the same way instead of reversing.
 */
function rotationSpeed(rawError: number, lastOmega: number, p: PathFollowerParams): number {
  const error =
    lastOmega !== 0 && Math.sign(rawError) !== Math.sign(lastOmega) && Math.abs(rawError) > Math.PI / 2
      ? rawError + Math.sign(lastOmega) * 2 * Math.PI
      : rawError;
  const mag = Math.min(
    p.maxAngularSpeed,
    p.rotateGain * Math.abs(error),
    Math.sqrt(2 * p.maxAngularAccel * Math.abs(error)),
  );
  return Math.sign(error) * Math.max(mag, p.minRotateSpeed);
}

/**
 * One control step. Call at the control rate with the latest pose estimate; feed the returned state back
 * in. `done` and `blocked` are final for this path: start a new one (e.g. after a replan) to continue.
 */
export function followPath(
  state: PathFollowerState,
  input: PathFollowerInput,
  p: PathFollowerParams,
): PathFollowerOutput {
  const { path } = state;
  const { pose, time } = input;
  const dtRaw = time - state.lastTime;
  const fresh = Number.isFinite(dtRaw) && dtRaw >= 0 && dtRaw <= p.maxControlPeriod;
  const dt = fresh ? dtRaw : 0;
  // The ramps start from the last command, but never far from what the base measures: when the safety gate
  // held the robot, the command must ramp up again from standstill, not jump back to the old speed.
  const measured = input.velocity;
  const prevV = fresh
    ? clamp(state.lastV, measured.v - p.velocityTolerance, measured.v + p.velocityTolerance)
    : measured.v;
  const prevOmega = fresh
    ? clamp(state.lastOmega, measured.omega - p.omegaTolerance, measured.omega + p.omegaTolerance)
    : measured.omega;
  const lookahead = clamp(Math.abs(input.velocity.v) * p.lookaheadTime, p.minLookahead, p.maxLookahead);
  const clearance = clearanceAt(input, p);
  const goal = path.poses[path.poses.length - 1];

  const finish = (
    mode: FollowerMode,
    status: FollowerStatus,
    vTarget: number,
    omegaTarget: number,
    fields: Omit<PathFollowerOutput, 'v' | 'omega' | 'status' | 'state' | 'lookahead' | 'clearance'>,
    curvature = Number.NaN,
    extra: Partial<PathFollowerState> = {},
  ): PathFollowerOutput => {
    let v = 0;
    let omega = 0;
    if (mode !== 'done' && mode !== 'blocked') {
      v = clamp(vTarget, prevV - p.maxLinearDecel * dt, prevV + p.maxLinearAccel * dt);
      // While tracking, ω follows the (possibly acceleration-limited) v so the robot stays on the arc.
      const wanted = Number.isNaN(curvature) ? omegaTarget : v * curvature;
      omega = clamp(wanted, prevOmega - p.maxAngularAccel * dt, prevOmega + p.maxAngularAccel * dt);
      omega = clamp(omega, -p.maxAngularSpeed, p.maxAngularSpeed);
    }
    const next: PathFollowerState = { ...state, ...extra, mode, lastV: v, lastOmega: omega, lastTime: time };
    return { v, omega, status, state: next, lookahead, clearance, ...fields };
  };

  if (state.mode === 'done' || state.mode === 'blocked' || goal === undefined) {
    const status = state.mode === 'blocked' ? 'blocked' : 'done';
    return finish(state.mode === 'blocked' ? 'blocked' : 'done', status, 0, 0, {
      index: state.segment,
      progress: state.progress,
      remaining: path.length - state.progress,
      crossTrack: 0,
      carrot: goal ? { x: goal.x, y: goal.y } : { x: pose.x, y: pose.y },
    });
  }

  // A path of one point (or of repeated points): drive to the point.
  const proj: Projection = project(path, state.leg, state.progress, pose.x, pose.y, p) ?? {
    segment: path.legEnds[state.leg]!,
    s: path.s[path.legEnds[state.leg]!]!,
    legRemaining: Math.hypot(goal.x - pose.x, goal.y - pose.y),
    crossTrack: 0,
  };
  const degenerate = path.length <= EPS;
  const lastLeg = state.leg === path.legEnds.length - 1;
  const remaining = path.length - proj.s;

  // Progress bookkeeping for the blocked timer.
  let bestProgress = state.bestProgress;
  let progressTime = Number.isNaN(state.progressTime) ? time : state.progressTime;
  if (proj.s > bestProgress + p.progressEpsilon) {
    bestProgress = proj.s;
    progressTime = time;
  }

  const legTolerance = lastLeg ? p.goalTolerance : p.legEndTolerance;
  const reachedWithin = input.heldAhead ? Math.max(p.heldLegEndTolerance, legTolerance) : legTolerance;
  let mode: FollowerMode = state.mode;
  let leg = state.leg;
  let progress = proj.s;
  let segment = proj.segment;
  let bestHeadingError = state.bestHeadingError;
  if (mode !== 'aligning' && proj.legRemaining <= reachedWithin) {
    if (!lastLeg) {
      leg += 1;
      segment = legStart(path, leg);
      progress = path.s[segment]!;
      mode = 'rotating';
      bestHeadingError = Infinity;
      progressTime = time;
    } else if (p.alignFinalHeading && Math.abs(angleDiff(goal.theta, pose.theta)) > p.goalYawTolerance) {
      mode = 'aligning';
      bestHeadingError = Infinity;
    } else {
      return finish('done', 'done', 0, 0, {
        index: path.poses.length - 1,
        progress: path.length,
        remaining: 0,
        crossTrack: proj.crossTrack,
        carrot: { x: goal.x, y: goal.y },
      });
    }
  }

  const carrot = degenerate ? { x: goal.x, y: goal.y } : pointAlong(path, leg, progress, lookahead);
  const c = Math.cos(pose.theta);
  const sn = Math.sin(pose.theta);
  const dx = c * (carrot.x - pose.x) + sn * (carrot.y - pose.y);
  const dy = -sn * (carrot.x - pose.x) + c * (carrot.y - pose.y);
  const headingError = mode === 'aligning' ? angleDiff(goal.theta, pose.theta) : Math.atan2(dy, dx);
  const absError = Math.abs(headingError);
  if (mode === 'tracking' && absError > p.rotateToHeadingAngle) {
    mode = 'rotating';
    bestHeadingError = Infinity;
  } else if (mode === 'rotating' && absError <= p.rotateExitAngle) {
    mode = 'tracking';
  }
  if (
    (mode === 'rotating' || mode === 'aligning') &&
    absError < bestHeadingError - p.headingProgressEpsilon
  ) {
    bestHeadingError = absError;
    progressTime = time;
  }
  if (mode === 'aligning' && absError <= p.goalYawTolerance) mode = 'done';

  const fields = {
    index: segment,
    progress,
    remaining: mode === 'done' ? 0 : remaining,
    crossTrack: proj.crossTrack,
    carrot,
  };
  const extra = { leg, segment, progress, bestProgress, bestHeadingError, progressTime };
  if (mode === 'done')
    return finish('done', 'done', 0, 0, { ...fields, progress: path.length }, Number.NaN, extra);
  if (time - progressTime > p.blockedTimeout)
    return finish('blocked', 'blocked', 0, 0, fields, Number.NaN, extra);
  if (mode === 'rotating' || mode === 'aligning') {
    const status = mode === 'aligning' ? 'aligning' : 'rotating';
    return finish(mode, status, 0, rotationSpeed(headingError, prevOmega, p), fields, Number.NaN, extra);
  }
  if (pathObstructed(path, segment, progress, input, p)) {
    return finish('tracking', 'obstructed', 0, 0, fields, Number.NaN, extra);
  }

  const curvature = (2 * dy) / Math.max(dx * dx + dy * dy, EPS);
  let v = p.maxLinearSpeed;
  const radius = 1 / Math.max(Math.abs(curvature), EPS);
  if (radius < p.regulatedMinRadius) v *= radius / p.regulatedMinRadius;
  if (clearance < p.costScalingDistance) v *= clearance / p.costScalingDistance;
  v = Math.max(v, p.minRegulatedSpeed);
  // Slow down toward the point where the leg counts as reached (its tolerance short of the end): the robot
  // stops there, so it must arrive at the floor speed, not at whatever the tolerance would leave.
  const legLeft = Math.max(proj.legRemaining - legTolerance, 0);
  const approach = Math.min(
    (p.maxLinearSpeed * legLeft) / p.approachDistance,
    Math.sqrt(2 * p.maxLinearDecel * legLeft),
  );
  v = Math.min(v, Math.max(approach, p.minApproachSpeed), p.maxLinearSpeed);
  // Keep the arc when the angular limit binds.
  if (Math.abs(v * curvature) > p.maxAngularSpeed) v = p.maxAngularSpeed / Math.abs(curvature);
  return finish('tracking', 'following', v, v * curvature, fields, curvature, extra);
}
