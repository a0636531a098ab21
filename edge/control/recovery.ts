/**
 * The back-off behaviour after a bump, a cliff, a wheel drop or a blocked path: reverse slowly and straight
 * for a short distance (measured on odometry), then report where the obstacle is — estimated from which
 * bumper or floor sensor fired — so the shell can mark it in the map and ask for a replan.
 *
 * Pure: a state machine stepped with (time, odometry). The safety gate still checks every command it
 * issues (it allows exactly this: slow, straight reversing).
 */
import { z } from 'zod';
import { transformPoint, type Point2D, type Pose2D } from '../../shared/geometry.ts';
import type { ContactState } from './safety-gate.ts';
import type { Twist } from './path-follower.ts';
import { LIGHT_BUMPER_BEARINGS } from '../drivers/light-bumper.ts';

const positive = (unit: string) => z.number().positive().describe(unit);

export const RecoveryParamsSchema = z.strictObject({
  backoffDistance: positive('m reversed').default(0.1),
  backoffSpeed: positive('m/s').default(0.05),
  timeoutMargin: positive('s allowed beyond distance / speed before giving up').default(2),
  robotRadius: positive('m').default(0.17),
  obstacleOffset: z
    .number()
    .nonnegative()
    .default(0.02)
    .describe('m beyond the footprint where a bumped obstacle is put'),
  bumpSideAngle: positive('rad off the heading of a one-sided bumper contact').default(0.6),
  lightBumperBearings: z
    .array(z.number())
    .default([...LIGHT_BUMPER_BEARINGS])
    .describe(
      'rad of the light-bumper beams in bit order: a bump puts the obstacle on the lit beams of its side (none lit: bumpSideAngle)',
    ),
  cliffSideAngle: positive('rad of the left/right cliff sensors').default(1.0),
  cliffFrontAngle: positive('rad of the front-left/front-right cliff sensors').default(0.3),
  wheelOffset: positive('m from base_link to each wheel (half the wheel base)').default(0.1175),
});
export type RecoveryParams = z.output<typeof RecoveryParamsSchema>;

export type RecoveryCause = 'bump' | 'cliff' | 'wheel-drop' | 'blocked';

export interface RecoveryStart {
  /** clock time, s */
  time: number;
  /** odometry pose (odom frame) at the event */
  odometry: Pose2D;
  /** best estimate of the map-frame pose at the event, for the map-frame obstacle position */
  mapPose?: Pose2D;
  cause: RecoveryCause;
  /** the sensors at the event: which side bumped, which cliff sensor fired, which light-bumper beams are lit */
  contacts?: ContactState & { lightBumper?: number };
}

export interface RecoveryReport {
  cause: RecoveryCause;
  /** estimated obstacle (or drop) position in base_link at the event; absent when unknown (blocked path) */
  obstacleBase?: Point2D;
  /** the same in the map frame, when a map pose was given */
  obstacleMap?: Point2D;
  /** m actually reversed */
  backedDistance: number;
}

export interface RecoveryState {
  readonly cause: RecoveryCause;
  readonly startTime: number;
  readonly startX: number;
  readonly startY: number;
  readonly obstacleBase: Point2D | undefined;
  readonly obstacleMap: Point2D | undefined;
  readonly finished: 'done' | 'failed' | undefined;
  readonly backedDistance: number;
}

export type RecoveryStatus = 'backing' | 'done' | 'failed';

export interface RecoveryOutput extends Twist {
  status: RecoveryStatus;
  state: RecoveryState;
  /** present once done or failed */
  report?: RecoveryReport;
}

/** Unit direction (base_link) of the sensors that fired, averaged; undefined when none or they cancel out. */
function meanDirection(angles: number[]): number | undefined {
  let x = 0;
  let y = 0;
  for (const a of angles) {
    x += Math.cos(a);
    y += Math.sin(a);
  }
  return Math.hypot(x, y) < 1e-9 ? undefined : Math.atan2(y, x);
}

/** Where the obstacle (or the drop) is in base_link, from the cause and the sensors that fired. */
export function obstacleInBaseLink(
  cause: RecoveryCause,
  contacts: (ContactState & { lightBumper?: number }) | undefined,
  p: RecoveryParams,
): Point2D | undefined {
  if (cause === 'blocked') return undefined;
  const at = (angle: number, r: number): Point2D => ({ x: r * Math.cos(angle), y: r * Math.sin(angle) });
  if (cause === 'bump') {
    const left = contacts?.bumpLeft ?? false;
    const right = contacts?.bumpRight ?? false;
    // Both halves (or no detail): straight ahead.
    const nominal = left && !right ? p.bumpSideAngle : right && !left ? -p.bumpSideAngle : 0;
    return at(
      litBearing(contacts?.lightBumper ?? 0, left, right, p) ?? nominal,
      p.robotRadius + p.obstacleOffset,
    );
  }
  if (cause === 'cliff') {
    const angles: number[] = [];
    if (contacts?.cliffLeft) angles.push(p.cliffSideAngle);
    if (contacts?.cliffFrontLeft) angles.push(p.cliffFrontAngle);
    if (contacts?.cliffFrontRight) angles.push(-p.cliffFrontAngle);
    if (contacts?.cliffRight) angles.push(-p.cliffSideAngle);
    const angle = angles.length === 0 ? 0 : meanDirection(angles);
    return angle === undefined ? undefined : at(angle, p.robotRadius);
  }
  const left = contacts?.wheelDropLeft ?? false;
  const right = contacts?.wheelDropRight ?? false;
  // Both wheels dropped means the robot was lifted: nothing to mark.
  if (left === right) return undefined;
  return { x: 0, y: left ? p.wheelOffset : -p.wheelOffset };
}

/**
 * The mean bearing of the light-bumper beams lit on the bumped side (a left-only bump cannot be right of
 * centre, a both-sides bump is ahead): where the bumper's two switches only say left or right, the beams
 * say within a few degrees where the obstacle is.
 */
function litBearing(bits: number, left: boolean, right: boolean, p: RecoveryParams): number | undefined {
  const CENTRE = 0.3;
  const side = (b: number) =>
    left && !right ? b >= -CENTRE : right && !left ? b <= CENTRE : Math.abs(b) <= p.bumpSideAngle + CENTRE;
  const lit = p.lightBumperBearings.filter((b, i) => bits & (1 << i) && side(b));
  return lit.length === 0 ? undefined : lit.reduce((a, b) => a + b, 0) / lit.length;
}

export function startRecovery(start: RecoveryStart, p: RecoveryParams): RecoveryState {
  const obstacleBase = obstacleInBaseLink(start.cause, start.contacts, p);
  return {
    cause: start.cause,
    startTime: start.time,
    startX: start.odometry.x,
    startY: start.odometry.y,
    obstacleBase,
    obstacleMap: obstacleBase && start.mapPose ? transformPoint(start.mapPose, obstacleBase) : undefined,
    finished: undefined,
    backedDistance: 0,
  };
}

function report(state: RecoveryState): RecoveryReport {
  const r: RecoveryReport = { cause: state.cause, backedDistance: state.backedDistance };
  if (state.obstacleBase) r.obstacleBase = state.obstacleBase;
  if (state.obstacleMap) r.obstacleMap = state.obstacleMap;
  return r;
}

/**
 * One step: reverse until `backoffDistance` is covered (done) or the time allowed for it runs out (failed —
 * e.g. something behind, or the safety gate holding the robot). Both end with a report and a stop.
 */
export function stepRecovery(
  state: RecoveryState,
  input: { time: number; odometry: { x: number; y: number } },
  p: RecoveryParams,
): RecoveryOutput {
  if (state.finished) return { v: 0, omega: 0, status: state.finished, state, report: report(state) };
  const backedDistance = Math.hypot(input.odometry.x - state.startX, input.odometry.y - state.startY);
  const allowed = p.backoffDistance / p.backoffSpeed + p.timeoutMargin;
  let finished: RecoveryState['finished'];
  if (backedDistance >= p.backoffDistance) finished = 'done';
  else if (input.time - state.startTime > allowed) finished = 'failed';
  const next: RecoveryState = { ...state, backedDistance, finished };
  if (finished) return { v: 0, omega: 0, status: finished, state: next, report: report(next) };
  return { v: -p.backoffSpeed, omega: 0, status: 'backing', state: next };
}
