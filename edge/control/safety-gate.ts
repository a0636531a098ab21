/**
 * The safety gate between the controller and the motors, independent of the planner (like Nav2's collision
 * monitor): it sees only the raw LIDAR points, the contact and floor sensors and the freshness of the data,
 * and lets a commanded twist through, slows it, or stops it.
 *
 * - LIDAR: the robot's centre is projected along the commanded arc for `stopTime` (and `slowTime`) seconds.
 *   A point the motion APPROACHES that the footprint would touch within `stopTime` plus `stopMargin` of
 *   further travel stops the robot (the margin lies ahead of the motion, not beside it); within footprint + `slowMargin` over the longer horizon it slows it. Points the motion moves
 *   away from (behind a robot driving forward, beside it) never stop it. A point inside the footprint itself
 *   stops everything but motion away from it — rotation in place included. A point that moves (a person, a
 *   pet: velocities from `trackScanMotion`) is followed along its own track: where it and the robot's arc
 *   come within `moverMargin` of the footprint within `stopTime`, the robot stops; within `slowTime`, it
 *   slows.
 * - Bumper: only backing away, slowly, or turning slowly on the spot (the footprint is a disk), until the
 *   bumper is released and the robot has backed `bumpClearDistance` (or `bumpHoldTime` has passed with the
 *   bumper released).
 * - Cliff or wheel drop: nothing but a straight back-off of at most `hazardBackoffDistance` from where it
 *   was detected; normal driving resumes once the sensors have been clear for `hazardClearTime`.
 * - Stale data: no scan or no odometry for `scanTimeout` / `odometryTimeout` seconds of clock time stops the
 *   robot; it resumes by itself when fresh data arrives.
 *
 * Pure: state in, state out; time is an argument.
 */
import { z } from 'zod';
import type { Point2D } from '../../shared/geometry.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import type { Twist } from './path-follower.ts';

const positive = (unit: string) => z.number().positive().describe(unit);

export const SafetyGateParamsSchema = z.strictObject({
  robotRadius: positive('m, the circular footprint').default(0.17),
  stopMargin: z.number().nonnegative().default(0.03).describe('m beyond the footprint: stop zone'),
  slowMargin: z.number().nonnegative().default(0.04).describe('m beyond the footprint: slow-down zone'),
  reverseSideMargin: z
    .number()
    .nonnegative()
    .default(0.015)
    .describe('m beyond the footprint: reversing, a return this close and not ahead of the robot stops it'),
  stopTime: positive('s of commanded motion projected for the stop zone').default(0.5),
  slowTime: positive('s of commanded motion projected for the slow-down zone').default(1.5),
  slowFactor: z.number().gt(0).lt(1).default(0.5).describe('speed scale in the slow-down zone'),
  moverMargin: z
    .number()
    .nonnegative()
    .default(0.05)
    .describe(
      'm beyond the footprint: a moving return (a person, a pet) whose track meets it stops the robot',
    ),
  scanTimeout: positive('s without a scan → stop').default(0.5),
  odometryTimeout: positive('s without odometry → stop').default(0.5),
  backoffSpeed: positive('m/s: fastest reverse allowed after a bump, cliff or wheel drop').default(0.1),
  backoffOmega: z.number().nonnegative().default(0.5).describe('rad/s allowed while backing off a bump'),
  bumpClearDistance: positive('m backed after a bump before forward motion is allowed').default(0.03),
  bumpHoldTime: positive('s after the bumper is released before forward motion is allowed anyway').default(1),
  hazardBackoffDistance: positive('m of back-off allowed after a cliff or wheel drop').default(0.15),
  hazardClearTime: positive('s the cliff/wheel-drop sensors must stay clear before driving resumes').default(
    0.5,
  ),
  maxLinearSpeed: positive('m/s, never exceeded').default(0.5),
  maxAngularSpeed: positive('rad/s, never exceeded').default(2.0),
  minLinearSpeed: positive('m/s: slower counts as rotation in place').default(0.005),
});
export type SafetyGateParams = z.output<typeof SafetyGateParamsSchema>;

/** The contact and floor sensors; the drivers' SafetyState fits as it is. */
export interface ContactState {
  bumpLeft: boolean;
  bumpRight: boolean;
  wheelDropLeft: boolean;
  wheelDropRight: boolean;
  cliffLeft: boolean;
  cliffFrontLeft: boolean;
  cliffFrontRight: boolean;
  cliffRight: boolean;
}

/** LIDAR returns in base_link: x0, y0, x1, y1, … in metres. */
export interface BasePoints {
  /** clock time of the scan's last sample, s */
  stamp: number;
  points: Float32Array;
  /**
   * per point: its velocity vx, vy in base_link (m/s; 0, 0 for what stands still), as `trackScanMotion`
   * finds it; without it every point stands still
   */
  velocities?: Float32Array;
}

export interface SafetyGateInput {
  /** clock time, s */
  time: number;
  command: Twist;
  scan?: BasePoints;
  /** latest odometry (odom frame); its pose measures back-off distances */
  odometry?: { stamp: number; x: number; y: number };
  contacts?: ContactState;
}

export type SafetyAction = 'pass' | 'limit' | 'slow' | 'stop';
export type SafetyReason =
  | 'clear'
  | 'speed-limit'
  | 'obstacle-near'
  | 'obstacle-ahead'
  | 'obstacle-approaching'
  | 'footprint-intrusion'
  | 'bumper'
  | 'cliff'
  | 'wheel-drop'
  | 'scan-stale'
  | 'odometry-stale'
  | 'invalid-command';

export interface SafetyGateState {
  /** odom position where the bumper was pressed, and when it was released (NaN while pressed) */
  readonly bump: { readonly x: number; readonly y: number; readonly releasedAt: number } | undefined;
  /** odom position where a cliff or wheel drop was detected, and since when its sensors are clear */
  readonly hazard:
    | {
        readonly kind: 'cliff' | 'wheel-drop';
        readonly x: number;
        readonly y: number;
        readonly clearSince: number;
      }
    | undefined;
}

export const INITIAL_SAFETY_GATE_STATE: SafetyGateState = Object.freeze({
  bump: undefined,
  hazard: undefined,
});

export interface SafetyGateOutput extends Twist {
  action: SafetyAction;
  reason: SafetyReason;
  /** the LIDAR point (base_link) that stopped or slowed the robot */
  point?: Point2D;
  state: SafetyGateState;
}

/**
 * The back-off a gate's answer calls for: the command pressed into a bump, a cliff or a wheel drop.
 * Undefined otherwise, and for a command to stand still, which presses into nothing: a bumper still held
 * by the sock a failed back-off could not leave is no new bump (the first, idle tick of the move to open
 * floor used to start another back-off, and four of those in a minute aborted the mission as wedged).
 */
export function hazardStop(
  command: Twist,
  out: SafetyGateOutput,
): 'bump' | 'cliff' | 'wheel-drop' | undefined {
  if (out.action !== 'stop' || (command.v === 0 && command.omega === 0)) return undefined;
  if (out.reason === 'bumper') return 'bump';
  return out.reason === 'cliff' || out.reason === 'wheel-drop' ? out.reason : undefined;
}

const APPROACH_EPS = 1e-3;
const TWO_PI = 2 * Math.PI;

/**
 * Smallest distance between the point (px, py) (base_link) and the robot centre moving with (v, ω) from
 * the origin for `horizon` seconds along its exact arc.
 */
export function sweptDistance(v: number, omega: number, horizon: number, px: number, py: number): number {
  const d0 = Math.hypot(px, py);
  if (Math.abs(omega) < 1e-9) {
    const len = v * horizon;
    const t = Math.min(Math.max(px, Math.min(0, len)), Math.max(0, len));
    return Math.hypot(px - t, py);
  }
  const rho = v / omega;
  if (Math.abs(rho) < 1e-9) return d0;
  const sweep = omega * horizon;
  // In the frame of the instantaneous centre of rotation (0, ρ) the centre moves from angle a0 by ωt.
  const qx = px;
  const qy = py - rho;
  const r = Math.hypot(qx, qy);
  const a0 = rho > 0 ? -Math.PI / 2 : Math.PI / 2;
  let inArc = Math.abs(sweep) >= TWO_PI;
  if (!inArc) {
    const beta = Math.atan2(qy, qx);
    let d = sweep > 0 ? beta - a0 : a0 - beta;
    d = ((d % TWO_PI) + TWO_PI) % TWO_PI;
    inArc = d <= Math.abs(sweep);
  }
  if (inArc) return Math.abs(r - Math.abs(rho));
  const ex = rho * Math.sin(sweep);
  const ey = rho * (1 - Math.cos(sweep));
  return Math.min(d0, Math.hypot(px - ex, py - ey));
}

/**
 * Converts a scan to base_link points (for `SafetyGateInput.scan`), dropping returns outside
 * [minRange, maxRange] and zero ranges (no return).
 */
export function scanToBasePoints(
  scan: LaserScan,
  mount: { x: number; y: number; yaw: number },
  minRange: number,
  maxRange: number,
): BasePoints {
  const n = scan.ranges.length;
  const out = new Float32Array(2 * n);
  const c = Math.cos(mount.yaw);
  const s = Math.sin(mount.yaw);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    if (!(r >= minRange && r <= maxRange) || r === 0) continue;
    const a = scan.angles[i]!;
    const lx = r * Math.cos(a);
    const ly = r * Math.sin(a);
    out[k++] = mount.x + c * lx - s * ly;
    out[k++] = mount.y + s * lx + c * ly;
  }
  return { stamp: scan.stamp + scan.duration, points: out.subarray(0, k) };
}

/** cos 80°: reversing, returns within 80° of straight ahead lie on the side the robot leaves */
const REVERSE_AHEAD_COS = Math.cos((80 * Math.PI) / 180);

type ScanVerdict = { action: 'pass' } | { action: 'slow' | 'stop'; reason: SafetyReason; point: Point2D };

/** Time step (s) at which a mover's track is compared with the robot's arc. */
const MOVER_STEP = 0.05;

/**
 * Smallest distance over [0, horizon] s between the robot centre moving with (v, ω) from the origin and a
 * point moving from (px, py) with velocity (ux, uy), all in base_link.
 */
export function closestApproach(
  v: number,
  omega: number,
  horizon: number,
  px: number,
  py: number,
  ux: number,
  uy: number,
): number {
  let best = Math.hypot(px, py);
  const steps = Math.ceil(horizon / MOVER_STEP);
  for (let k = 1; k <= steps; k++) {
    const t = Math.min(horizon, k * MOVER_STEP);
    let cx = v * t;
    let cy = 0;
    if (Math.abs(omega) > 1e-9) {
      cx = (v / omega) * Math.sin(omega * t);
      cy = (v / omega) * (1 - Math.cos(omega * t));
    }
    best = Math.min(best, Math.hypot(px + ux * t - cx, py + uy * t - cy));
  }
  return best;
}

/** The LIDAR part of the gate for a command (v, ω). */
function checkScan(
  points: Float32Array,
  velocities: Float32Array | undefined,
  v: number,
  omega: number,
  p: SafetyGateParams,
): ScanVerdict {
  const rotating = Math.abs(v) < p.minLinearSpeed;
  const stopRadius = p.robotRadius + p.stopMargin;
  const slowRadius = p.robotRadius + p.slowMargin;
  // No point further than this can enter either zone within the horizons.
  const reach = Math.max(stopRadius, slowRadius) + Math.abs(v) * Math.max(p.stopTime, p.slowTime);
  // The stop margin lies ahead of the motion, not beside it: the footprint is swept for stopTime plus the
  // time to travel stopMargin further, so a wall the robot drives along stops it only if the footprint itself
  // would touch it — a coverage row close to a wall is not a row of stops.
  const stopHorizon = p.stopTime + p.stopMargin / Math.max(Math.abs(v), p.minLinearSpeed);
  let slowPoint: Point2D | undefined;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const px = points[i]!;
    const py = points[i + 1]!;
    const d0 = Math.hypot(px, py);
    const ux = velocities?.[i] ?? 0;
    const uy = velocities?.[i + 1] ?? 0;
    const moves = ux !== 0 || uy !== 0;
    // A mover may come from further: as far as it and the robot close in the slow horizon.
    const pointReach = moves
      ? Math.max(reach, p.robotRadius + p.moverMargin + (Math.abs(v) + Math.hypot(ux, uy)) * p.slowTime)
      : reach;
    if (!(d0 <= pointReach)) continue;
    if (rotating) {
      if (d0 < p.robotRadius)
        return { action: 'stop', reason: 'footprint-intrusion', point: { x: px, y: py } };
      continue;
    }
    // Backing up, the robot slides sideways along what it pushes against (a sock behind it that the LIDAR
    // does not see) instead of going where it is told: a return touching-close beside it stops the reverse
    // too, unless it lies ahead, which the reverse leaves. (Apartment seed 1: a back-off slid into a cat.)
    if (v < 0 && d0 < p.robotRadius + p.reverseSideMargin && px < REVERSE_AHEAD_COS * d0)
      return { action: 'stop', reason: 'obstacle-ahead', point: { x: px, y: py } };
    const dStop = sweptDistance(v, omega, stopHorizon, px, py);
    const approaching = dStop < d0 - APPROACH_EPS;
    if (d0 < p.robotRadius && approaching) {
      return { action: 'stop', reason: 'footprint-intrusion', point: { x: px, y: py } };
    }
    if (approaching && dStop < p.robotRadius) {
      return { action: 'stop', reason: 'obstacle-ahead', point: { x: px, y: py } };
    }
    if (moves) {
      // Someone walking up: where the robot's arc and their track meet within the stop horizon, stop; the
      // robot cannot brake in the last centimetres they close.
      const moverRadius = p.robotRadius + p.moverMargin;
      const dMover = closestApproach(v, omega, p.stopTime, px, py, ux, uy);
      if (dMover < moverRadius && dMover < d0 - APPROACH_EPS)
        return { action: 'stop', reason: 'obstacle-approaching', point: { x: px, y: py } };
      if (slowPoint === undefined) {
        const dSlow = closestApproach(v, omega, p.slowTime, px, py, ux, uy);
        if (dSlow < moverRadius && dSlow < d0 - APPROACH_EPS) slowPoint = { x: px, y: py };
      }
    }
    if (slowPoint === undefined) {
      const dSlow = sweptDistance(v, omega, p.slowTime, px, py);
      if (dSlow < d0 - APPROACH_EPS && dSlow < slowRadius) slowPoint = { x: px, y: py };
    }
  }
  return slowPoint ? { action: 'slow', reason: 'obstacle-near', point: slowPoint } : { action: 'pass' };
}

/** Clock times are sums of floating-point periods: an age of 0.49999999 s is the same as 0.5 s. */
const fresh = (time: number, stamp: number, timeout: number): boolean => time - stamp < timeout - 1e-9;

function updateState(state: SafetyGateState, input: SafetyGateInput, p: SafetyGateParams): SafetyGateState {
  const c = input.contacts;
  const x = input.odometry?.x ?? Number.NaN;
  const y = input.odometry?.y ?? Number.NaN;
  const t = input.time;

  let bump = state.bump;
  if (c && (c.bumpLeft || c.bumpRight)) {
    bump = bump && Number.isNaN(bump.releasedAt) ? bump : { x, y, releasedAt: Number.NaN };
  } else if (bump) {
    const releasedAt = Number.isNaN(bump.releasedAt) ? t : bump.releasedAt;
    const backed = Math.hypot(x - bump.x, y - bump.y);
    bump =
      backed >= p.bumpClearDistance || t - releasedAt >= p.bumpHoldTime ? undefined : { ...bump, releasedAt };
  }

  let hazard = state.hazard;
  const drop = !!c && (c.wheelDropLeft || c.wheelDropRight);
  const cliff = !!c && (c.cliffLeft || c.cliffFrontLeft || c.cliffFrontRight || c.cliffRight);
  if (drop || cliff) {
    const kind = drop ? 'wheel-drop' : 'cliff';
    hazard = hazard ? { ...hazard, kind, clearSince: Number.NaN } : { kind, x, y, clearSince: Number.NaN };
  } else if (hazard) {
    const clearSince = Number.isNaN(hazard.clearSince) ? t : hazard.clearSince;
    hazard = t - clearSince >= p.hazardClearTime ? undefined : { ...hazard, clearSince };
  }
  return bump === state.bump && hazard === state.hazard ? state : { bump, hazard };
}

/**
 * One pass through the gate: call for every command sent to the base, with the latest sensor data, and
 * feed the returned state back in.
 */
export function safetyGate(
  state: SafetyGateState,
  input: SafetyGateInput,
  p: SafetyGateParams,
): SafetyGateOutput {
  const next = updateState(state, input, p);
  const stop = (reason: SafetyReason, point?: Point2D): SafetyGateOutput =>
    point
      ? { v: 0, omega: 0, action: 'stop', reason, point, state: next }
      : { v: 0, omega: 0, action: 'stop', reason, state: next };
  let { v, omega } = input.command;
  if (!Number.isFinite(v) || !Number.isFinite(omega)) return stop('invalid-command');
  const odometry = input.odometry;
  if (!odometry || !fresh(input.time, odometry.stamp, p.odometryTimeout)) return stop('odometry-stale');
  if (!input.scan || !fresh(input.time, input.scan.stamp, p.scanTimeout)) return stop('scan-stale');

  let reason: SafetyReason = 'clear';
  let action: SafetyAction = 'pass';
  let point: Point2D | undefined;
  if (next.hazard) {
    const backed = Math.hypot(odometry.x - next.hazard.x, odometry.y - next.hazard.y);
    // A straight, slow back-off only, and only so far: the floor behind is the only floor known to be there.
    if (!(v < 0) || !(backed < p.hazardBackoffDistance)) return stop(next.hazard.kind);
    v = Math.max(v, -p.backoffSpeed);
    omega = 0;
    reason = next.hazard.kind;
    action = 'limit';
  } else if (next.bump) {
    // Backing away, or turning slowly on the spot: the footprint is a disk, so a turn moves it no closer to
    // what it touches, and a robot pinned between a low obstacle ahead and a wall behind has no other way out.
    const turning = Math.abs(v) < p.minLinearSpeed && omega !== 0;
    if (!(v < 0) && !turning) return stop('bumper');
    if (turning) v = 0;
    if (v < -p.backoffSpeed || Math.abs(omega) > p.backoffOmega) {
      v = Math.max(v, -p.backoffSpeed);
      omega = Math.max(-p.backoffOmega, Math.min(p.backoffOmega, omega));
      action = 'limit';
    }
    reason = 'bumper';
  }

  if (v !== 0 || omega !== 0) {
    const verdict = checkScan(input.scan.points, input.scan.velocities, v, omega, p);
    if (verdict.action === 'stop') return stop(verdict.reason, verdict.point);
    if (verdict.action === 'slow') {
      v *= p.slowFactor;
      omega *= p.slowFactor;
      action = 'slow';
      reason = verdict.reason;
      point = verdict.point;
    }
  }

  // Scale both to the limits together, so the arc (v/ω) is kept.
  const scale = Math.min(
    1,
    p.maxLinearSpeed / Math.max(Math.abs(v), 1e-12),
    p.maxAngularSpeed / Math.max(Math.abs(omega), 1e-12),
  );
  if (scale < 1) {
    v *= scale;
    omega *= scale;
    if (action === 'pass') {
      action = 'limit';
      reason = 'speed-limit';
    }
  }
  return point ? { v, omega, action, reason, point, state: next } : { v, omega, action, reason, state: next };
}
