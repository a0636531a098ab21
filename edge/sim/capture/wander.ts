/**
 * A reactive, collision-free wander for data capture: drive ahead while the LIDAR shows room, turn in place
 * towards the most open direction when it does not, and back off after a bump. Pure: scans, bumps and time
 * come in, a velocity command goes out.
 */
import { normalizeAngle } from '../../../shared/geometry.ts';

export interface WanderParams {
  robotRadius: number;
  cruiseSpeed: number;
  turnSpeed: number;
  /** clearance ahead (beyond the body) below which the robot stops and turns */
  stopDistance: number;
  /** clearance at which it starts slowing down */
  slowDistance: number;
  backOffTime: number;
}

export const DEFAULT_WANDER: WanderParams = {
  robotRadius: 0.17,
  cruiseSpeed: 0.25,
  turnSpeed: 0.8,
  stopDistance: 0.25,
  slowDistance: 0.7,
  backOffTime: 0.8,
};

/** LIDAR returns in base_link (m). */
export interface PointCloud2D {
  xs: Float32Array;
  ys: Float32Array;
  count: number;
}

export interface WanderState {
  mode: 'drive' | 'turn' | 'backoff';
  turnDirection: 1 | -1;
  modeSince: number;
  /** the turn ends when the heading has moved this far (rad), or earlier if the way is clear */
  turnTarget: number;
}

export const initialWander = (now: number): WanderState => ({
  mode: 'drive',
  turnDirection: 1,
  modeSince: now,
  turnTarget: 0,
});

/** Free distance (beyond the body) along a corridor of the robot's width, heading `bearing`. */
export function corridorClearance(points: PointCloud2D, bearing: number, halfWidth: number): number {
  const c = Math.cos(bearing);
  const s = Math.sin(bearing);
  let best = Infinity;
  for (let i = 0; i < points.count; i++) {
    const along = points.xs[i]! * c + points.ys[i]! * s;
    if (along <= 0) continue;
    const across = -points.xs[i]! * s + points.ys[i]! * c;
    if (Math.abs(across) <= halfWidth && along < best) best = along;
  }
  return best;
}

/** The most open direction, sampled every 15°, preferring small turns on ties. */
function mostOpenBearing(points: PointCloud2D, halfWidth: number): number {
  let bestBearing = Math.PI;
  let bestClear = -1;
  for (let k = 1; k < 24; k++) {
    const bearing = normalizeAngle((k * Math.PI) / 12);
    const clear = Math.min(corridorClearance(points, bearing, halfWidth), 4);
    if (
      clear > bestClear + 0.05 ||
      (Math.abs(clear - bestClear) <= 0.05 && Math.abs(bearing) < Math.abs(bestBearing))
    ) {
      bestClear = clear;
      bestBearing = bearing;
    }
  }
  return bestBearing;
}

export interface WanderInput {
  now: number;
  points: PointCloud2D;
  bumped: boolean;
  /** heading turned since the current turn began (rad, from odometry) */
  turnedSoFar: number;
}

export interface WanderOutput {
  state: WanderState;
  v: number;
  omega: number;
}

export function stepWander(
  state: WanderState,
  input: WanderInput,
  p: WanderParams = DEFAULT_WANDER,
): WanderOutput {
  const halfWidth = p.robotRadius + 0.05;
  const ahead = corridorClearance(input.points, 0, halfWidth) - p.robotRadius;
  const startTurn = (now: number): WanderState => {
    const bearing = mostOpenBearing(input.points, halfWidth);
    return {
      mode: 'turn',
      turnDirection: bearing >= 0 ? 1 : -1,
      modeSince: now,
      turnTarget: Math.abs(bearing),
    };
  };

  if (input.bumped && state.mode !== 'backoff') {
    return { state: { ...state, mode: 'backoff', modeSince: input.now }, v: -0.1, omega: 0 };
  }
  switch (state.mode) {
    case 'backoff':
      if (input.now - state.modeSince < p.backOffTime) return { state, v: -0.1, omega: 0 };
      return { state: startTurn(input.now), v: 0, omega: 0 };
    case 'turn': {
      const done = Math.abs(input.turnedSoFar) >= state.turnTarget && ahead > p.slowDistance;
      const stuck = input.now - state.modeSince > (2 * Math.PI) / p.turnSpeed + 1;
      if (done || (stuck && ahead > p.stopDistance))
        return { state: { ...state, mode: 'drive', modeSince: input.now }, v: 0, omega: 0 };
      return { state, v: 0, omega: state.turnDirection * p.turnSpeed };
    }
    case 'drive': {
      if (ahead < p.stopDistance) return { state: startTurn(input.now), v: 0, omega: 0 };
      const scale = Math.min(1, Math.max(0.3, (ahead - p.stopDistance) / (p.slowDistance - p.stopDistance)));
      // Lean gently away from the nearer side wall so the robot does not graze furniture.
      const left = corridorClearance(input.points, Math.PI / 4, halfWidth);
      const right = corridorClearance(input.points, -Math.PI / 4, halfWidth);
      const lean = Math.max(-0.4, Math.min(0.4, 0.3 * (Math.min(left, 3) - Math.min(right, 3))));
      return { state, v: p.cruiseSpeed * scale, omega: lean };
    }
  }
}
