/**
 * Scan-to-map matching over a pyramid of occupancy maps (finest first, each level twice as coarse):
 *  1. a correlative search (Olson 2009) on the coarsest level: every rotation in the angular window at the
 *     step where the farthest point moves one cell, every whole-cell translation in the linear window, scored
 *     by the summed occupancy probability under the points, with a mild penalty for straying from the guess;
 *  2. Gauss–Newton refinement level by level, coarse to fine, on the bilinearly interpolated match value
 *     (Hector SLAM: minimise Σ (1 − M(T(ξ)·pᵢ))²), which reaches sub-cell accuracy.
 * The match value M is the map's smoothed occupancy evidence S (see OccupancyMap.likelihood) saturated as
 * 1 − e^(−S): free and unknown space score 0, a solid wall about 0.9. The score is the mean of M under the
 * points on the finest level; the caller decides whether it is good enough.
 */
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry.ts';
import { normalizeAngle } from '../../shared/geometry.ts';
import type { OccupancyMap } from './occupancy-map.ts';
import { hypot } from './hypot.ts';

export const ScanMatcherParamsSchema = z.object({
  linearWindow: z.number().nonnegative().default(0.3).describe('m searched on each side of the guess'),
  angularWindow: z
    .number()
    .nonnegative()
    .default(0.15)
    .describe('rad searched on each side of the guess (far above odometry error per scan)'),
  translationCost: z.number().nonnegative().default(0.5).describe('search penalty per m from the guess'),
  rotationCost: z.number().nonnegative().default(0.3).describe('search penalty per rad from the guess'),
  iterationsPerLevel: z.number().int().positive().default(6),
  searchPoints: z
    .number()
    .int()
    .positive()
    .default(250)
    .describe('at most this many points (evenly strided) score each candidate of the exhaustive search'),
});
export type ScanMatcherParams = z.output<typeof ScanMatcherParamsSchema>;

/**
 * Points in the robot (base) frame, optionally with unit surface normals (0, 0 when unknown): refinement
 * then only moves each point along its normal, so a wall that ends where the map's knowledge ends cannot
 * drag the scan backwards along itself.
 */
export interface PointSet {
  x: Float32Array;
  y: Float32Array;
  count: number;
  nx?: Float32Array;
  ny?: Float32Array;
}

export interface MatchResult {
  pose: Pose2D;
  /** mean match value under the points at `pose` on the finest level, 0…1 */
  score: number;
  /** the same at the initial guess */
  initialScore: number;
}

/** Keeps one point per `cell`-sized square (the first), so dense close-range returns do not dominate. */
export function voxelFilter(points: PointSet, cell: number): PointSet {
  // Open-addressing hash of occupied voxels (typed arrays: this runs per level on every scan).
  let size = 16;
  while (size < points.count * 2) size *= 2;
  const mask = size - 1;
  const keysX = new Int32Array(size);
  const keysY = new Int32Array(size);
  const used = new Uint8Array(size);
  const inv = 1 / cell;
  const x = new Float32Array(points.count);
  const y = new Float32Array(points.count);
  const nx = points.nx ? new Float32Array(points.count) : undefined;
  const ny = points.ny ? new Float32Array(points.count) : undefined;
  let n = 0;
  for (let i = 0; i < points.count; i++) {
    const vx = Math.floor(points.x[i]! * inv);
    const vy = Math.floor(points.y[i]! * inv);
    let slot = (Math.imul(vx, 73856093) ^ Math.imul(vy, 19349663)) & mask;
    let seen = false;
    while (used[slot] === 1) {
      if (keysX[slot] === vx && keysY[slot] === vy) {
        seen = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (seen) continue;
    used[slot] = 1;
    keysX[slot] = vx;
    keysY[slot] = vy;
    x[n] = points.x[i]!;
    y[n] = points.y[i]!;
    if (nx && ny) {
      nx[n] = points.nx![i]!;
      ny[n] = points.ny![i]!;
    }
    n++;
  }
  const out: PointSet = { x: x.subarray(0, n), y: y.subarray(0, n), count: n };
  if (nx && ny) {
    out.nx = nx.subarray(0, n);
    out.ny = ny.subarray(0, n);
  }
  return out;
}

/** Every k-th point so that at most `max` remain (scan order keeps them spread over the scan). */
function stride(points: PointSet, max: number): PointSet {
  if (points.count <= max) return points;
  const step = points.count / max;
  const x = new Float32Array(max);
  const y = new Float32Array(max);
  for (let i = 0; i < max; i++) {
    const j = Math.floor(i * step);
    x[i] = points.x[j]!;
    y[i] = points.y[j]!;
  }
  return { x, y, count: max };
}

/** Mean bilinearly interpolated match value under the points placed at `pose`. */
export function scorePose(map: OccupancyMap, points: PointSet, pose: Pose2D): number {
  if (points.count === 0) return 0;
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  const inv = 1 / map.resolution;
  let sum = 0;
  for (let i = 0; i < points.count; i++) {
    const px = points.x[i]!;
    const py = points.y[i]!;
    const u = (c * px - s * py + pose.x - map.originX) * inv - 0.5;
    const v = (s * px + c * py + pose.y - map.originY) * inv - 0.5;
    sum += interpolate(map, u, v);
  }
  return sum / points.count;
}

/** 1 − e^(−S) tabulated at S steps of 1/1024 (matching reads it millions of times per second). */
const SATURATE_STEPS = 1024;
const SATURATE_TABLE = Float32Array.from(
  { length: 16 * SATURATE_STEPS },
  (_, i) => 1 - Math.exp(-i / SATURATE_STEPS),
);

/** Soft saturation of the smoothed evidence into 0…1, flat on top so walls score evenly along their length. */
function saturate(s: number): number {
  return s < 16 ? SATURATE_TABLE[(s * SATURATE_STEPS) | 0]! : 1;
}

/** Match value of a cell: the smoothed evidence softly saturated into 0…1 (0 outside the grid). */
function cellValue(map: OccupancyMap, cx: number, cy: number): number {
  if (cx < 0 || cy < 0 || cx >= map.width || cy >= map.height) return 0;
  return saturate(map.likelihood[cy * map.width + cx]!);
}

/**
 * Bilinear interpolation at (u, v) in cell-centre units (cell (i, j)'s centre is at u = i, v = j); evaluate()
 * has it written out, with the gradient.
 */
function interpolate(map: OccupancyMap, u: number, v: number): number {
  const i = Math.floor(u);
  const j = Math.floor(v);
  const fu = u - i;
  const fv = v - j;
  let m00: number, m10: number, m01: number, m11: number;
  const w = map.width;
  if (i >= 0 && j >= 0 && i + 1 < w && j + 1 < map.height) {
    const k = j * w + i;
    const like = map.likelihood;
    m00 = saturate(like[k]!);
    m10 = saturate(like[k + 1]!);
    m01 = saturate(like[k + w]!);
    m11 = saturate(like[k + w + 1]!);
  } else {
    m00 = cellValue(map, i, j);
    m10 = cellValue(map, i + 1, j);
    m01 = cellValue(map, i, j + 1);
    m11 = cellValue(map, i + 1, j + 1);
  }
  return (1 - fv) * ((1 - fu) * m00 + fu * m10) + fv * ((1 - fu) * m01 + fu * m11);
}

/**
 * Exhaustive correlative search on one level around `guess`; returns the best pose (whole-cell translations,
 * rotations at the step that moves the farthest point by about one cell).
 */
export function correlativeSearch(
  map: OccupancyMap,
  allPoints: PointSet,
  guess: Pose2D,
  params: ScanMatcherParams,
): Pose2D {
  const points = stride(allPoints, params.searchPoints);
  const n = points.count;
  if (n === 0) return { ...guess };
  let maxRange = 0;
  for (let i = 0; i < n; i++) maxRange = Math.max(maxRange, hypot(points.x[i]!, points.y[i]!));
  const r = map.resolution;
  // Olson's rule: the angle at which a point at maxRange moves by one cell.
  const angularStep =
    maxRange > r ? Math.acos(1 - (r * r) / (2 * maxRange * maxRange)) : params.angularWindow || 1;
  const angularSteps = params.angularWindow > 0 ? Math.ceil(params.angularWindow / angularStep) : 0;
  const linearSteps = Math.ceil(params.linearWindow / r);
  const inv = 1 / r;
  const cxs = new Int32Array(n);
  const cys = new Int32Array(n);
  const w = map.width;
  const h = map.height;
  const like = map.likelihood;
  let best = { ...guess };
  let bestScore = -Infinity;
  for (let a = -angularSteps; a <= angularSteps; a++) {
    const dTheta = a * angularStep;
    const theta = guess.theta + dTheta;
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    for (let i = 0; i < n; i++) {
      const px = points.x[i]!;
      const py = points.y[i]!;
      cxs[i] = Math.floor((c * px - s * py + guess.x - map.originX) * inv);
      cys[i] = Math.floor((s * px + c * py + guess.y - map.originY) * inv);
    }
    for (let dy = -linearSteps; dy <= linearSteps; dy++) {
      for (let dx = -linearSteps; dx <= linearSteps; dx++) {
        const dist = hypot(dx, dy) * r;
        const penalty = Math.exp(-(params.translationCost * dist + params.rotationCost * Math.abs(dTheta)));
        // Skip candidates that cannot win even with every point on a certain obstacle.
        if (penalty * n <= bestScore) continue;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const cx = cxs[i]! + dx;
          const cy = cys[i]! + dy;
          if (cx >= 0 && cy >= 0 && cx < w && cy < h) sum += saturate(like[cy * w + cx]!);
        }
        const score = sum * penalty;
        if (score > bestScore) {
          bestScore = score;
          best = { x: guess.x + dx * r, y: guess.y + dy * r, theta: normalizeAngle(theta) };
        }
      }
    }
  }
  return best;
}

/** Pull toward the odometry guess in Gauss–Newton: weights are per point, so they scale with the scan. */
export interface MatchPrior {
  pose: Pose2D;
  /** along the prior's heading (forward), or in every direction when `sidewaysWeight` is absent */
  translationWeight: number;
  /**
   * across the prior's heading: wheel odometry gets the forward distance wrong by a few per cent but hardly
   * slides sideways, so its information differs per direction
   */
  sidewaysWeight?: number;
  rotationWeight: number;
}

/** The prior's translation information in the map frame, per point: [xx, xy, yy]. */
function priorInformation(prior: MatchPrior): [number, number, number] {
  const wf = prior.translationWeight;
  const ws = prior.sidewaysWeight ?? wf;
  const c = Math.cos(prior.pose.theta);
  const s = Math.sin(prior.pose.theta);
  return [wf * c * c + ws * s * s, (wf - ws) * c * s, wf * s * s + ws * c * c];
}

/**
 * Σ (1 − M)² over the points placed at (x, y, theta), plus the prior — what Gauss–Newton minimises — and,
 * in the same pass, the normal equations (H, b) of its linearisation there: one pass over the points per
 * trial step instead of one for the cost and another for the gradient. `out` = [cost, h00, h01, h02, h11,
 * h12, h22, b0, b1, b2].
 */
function evaluate(
  map: OccupancyMap,
  points: PointSet,
  x: number,
  y: number,
  theta: number,
  prior: MatchPrior | null,
  out: Float64Array,
): void {
  const inv = 1 / map.resolution;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let cost = 0;
  let h00 = 0, h01 = 0, h02 = 0, h11 = 0, h12 = 0, h22 = 0; // prettier-ignore
  let b0 = 0, b1 = 0, b2 = 0; // prettier-ignore
  const pnx = points.nx;
  const pny = points.ny;
  const ox = x - map.originX;
  const oy = y - map.originY;
  const w = map.width;
  const h = map.height;
  const like = map.likelihood;
  for (let i = 0; i < points.count; i++) {
    const px = points.x[i]!;
    const py = points.y[i]!;
    const rx = c * px - s * py;
    const ry = s * px + c * py;
    // interpolate() and its gradient, written out: the call boxed its arguments and result, per point.
    const u = (rx + ox) * inv - 0.5;
    const v = (ry + oy) * inv - 0.5;
    const ci = Math.floor(u);
    const cj = Math.floor(v);
    const fu = u - ci;
    const fv = v - cj;
    let m00: number, m10: number, m01: number, m11: number;
    if (ci >= 0 && cj >= 0 && ci + 1 < w && cj + 1 < h) {
      const k = cj * w + ci;
      m00 = saturate(like[k]!);
      m10 = saturate(like[k + 1]!);
      m01 = saturate(like[k + w]!);
      m11 = saturate(like[k + w + 1]!);
    } else {
      m00 = cellValue(map, ci, cj);
      m10 = cellValue(map, ci + 1, cj);
      m01 = cellValue(map, ci, cj + 1);
      m11 = cellValue(map, ci + 1, cj + 1);
    }
    const m = (1 - fv) * ((1 - fu) * m00 + fu * m10) + fv * ((1 - fu) * m01 + fu * m11);
    const e = 1 - m;
    cost += e * e;
    let gx = ((1 - fv) * (m10 - m00) + fv * (m11 - m01)) * inv;
    let gy = ((1 - fu) * (m01 - m00) + fu * (m11 - m10)) * inv;
    if (pnx && pny && (pnx[i] !== 0 || pny[i] !== 0)) {
      const wx = c * pnx[i]! - s * pny[i]!;
      const wy = s * pnx[i]! + c * pny[i]!;
      const across = gx * wx + gy * wy;
      gx = across * wx;
      gy = across * wy;
    }
    const gt = -gx * ry + gy * rx;
    h00 += gx * gx;
    h01 += gx * gy;
    h02 += gx * gt;
    h11 += gy * gy;
    h12 += gy * gt;
    h22 += gt * gt;
    b0 += gx * e;
    b1 += gy * e;
    b2 += gt * e;
  }
  if (prior) {
    const n = points.count;
    const [wxx, wxy, wyy] = priorInformation(prior);
    const wr = n * prior.rotationWeight;
    const ex = prior.pose.x - x;
    const ey = prior.pose.y - y;
    const et = normalizeAngle(prior.pose.theta - theta);
    cost += n * (wxx * ex * ex + 2 * wxy * ex * ey + wyy * ey * ey) + wr * et * et;
    h00 += n * wxx;
    h01 += n * wxy;
    h11 += n * wyy;
    h22 += wr;
    b0 += n * (wxx * ex + wxy * ey);
    b1 += n * (wxy * ex + wyy * ey);
    b2 += wr * et;
  }
  out[0] = cost;
  out[1] = h00;
  out[2] = h01;
  out[3] = h02;
  out[4] = h11;
  out[5] = h12;
  out[6] = h22;
  out[7] = b0;
  out[8] = b1;
  out[9] = b2;
}

/**
 * Hector-style Gauss–Newton on one level, with step halving so that every accepted step lowers the cost
 * (the linearisation only holds within about a cell). Returns the refined pose.
 */
export function gaussNewton(
  map: OccupancyMap,
  points: PointSet,
  start: Pose2D,
  iterations: number,
  prior: MatchPrior | null = null,
): Pose2D {
  let x = start.x;
  let y = start.y;
  let theta = start.theta;
  let current = new Float64Array(10);
  let trial = new Float64Array(10);
  evaluate(map, points, x, y, theta, prior, current);
  for (let it = 0; it < iterations; it++) {
    const cost = current[0]!;
    // Light Levenberg damping keeps flat directions (a corridor's axis) from producing huge steps.
    const damping = 1e-3;
    const h00 = current[1]! * (1 + damping) + 1e-9;
    const h01 = current[2]!;
    const h02 = current[3]!;
    const h11 = current[4]! * (1 + damping) + 1e-9;
    const h12 = current[5]!;
    const h22 = current[6]! * (1 + damping) + 1e-9;
    const b0 = current[7]!;
    const b1 = current[8]!;
    const b2 = current[9]!;
    const det = h00 * (h11 * h22 - h12 * h12) - h01 * (h01 * h22 - h12 * h02) + h02 * (h01 * h12 - h11 * h02);
    if (!(Math.abs(det) > 1e-30)) break;
    let d0 = (b0 * (h11 * h22 - h12 * h12) - h01 * (b1 * h22 - h12 * b2) + h02 * (b1 * h12 - h11 * b2)) / det;
    let d1 = (h00 * (b1 * h22 - h12 * b2) - b0 * (h01 * h22 - h12 * h02) + h02 * (h01 * b2 - b1 * h02)) / det;
    let d2 = (h00 * (h11 * b2 - b1 * h12) - h01 * (h01 * b2 - b1 * h02) + b0 * (h01 * h12 - h11 * h02)) / det;
    let accepted = false;
    for (let half = 0; half < 4; half++) {
      evaluate(map, points, x + d0, y + d1, theta + d2, prior, trial);
      if (trial[0]! < cost) {
        x += d0;
        y += d1;
        theta += d2;
        [current, trial] = [trial, current];
        accepted = true;
        break;
      }
      d0 /= 2;
      d1 /= 2;
      d2 /= 2;
    }
    if (!accepted || (Math.hypot(d0, d1) < map.resolution * 1e-3 && Math.abs(d2) < 1e-5)) break;
  }
  return { x, y, theta: normalizeAngle(theta) };
}

/**
 * Matches a scan against the map pyramid. `levels[0]` is the finest; `pointsPerLevel[k]` are the scan points
 * (base frame) to use on level k, typically voxel-filtered at that level's resolution. With a `prior`, the
 * refinement balances the map against the odometry guess (its weights are 1/σ² per point).
 */
export function matchScan(
  levels: readonly OccupancyMap[],
  pointsPerLevel: readonly PointSet[],
  guess: Pose2D,
  params: ScanMatcherParams,
  prior: MatchPrior | null = null,
): MatchResult {
  const top = levels.length - 1;
  const initialScore = scorePose(levels[0]!, pointsPerLevel[0]!, guess);
  let pose = correlativeSearch(levels[top]!, pointsPerLevel[top]!, guess, params);
  for (let k = top; k >= 0; k--)
    pose = gaussNewton(levels[k]!, pointsPerLevel[k]!, pose, params.iterationsPerLevel, prior);
  const score = scorePose(levels[0]!, pointsPerLevel[0]!, pose);
  return { pose, score, initialScore };
}

/**
 * Whether a match stayed inside the window it was searched in (plus `slack` m and `angularSlack` rad for
 * the refinement's last steps). Gauss–Newton can slide far beyond the window — along a featureless
 * corridor, or round to a wrong wall in a small local map — and such a pose is not a measurement.
 */
export function withinWindow(
  match: Pose2D,
  guess: Pose2D,
  window: { linearWindow: number; angularWindow: number },
  slack: number,
  angularSlack: number,
): boolean {
  return (
    Math.hypot(match.x - guess.x, match.y - guess.y) <= window.linearWindow * Math.SQRT2 + slack &&
    Math.abs(normalizeAngle(match.theta - guess.theta)) <= window.angularWindow + angularSlack
  );
}
