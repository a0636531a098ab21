/**
 * Nudging a path sideways past a small intrusion instead of giving up the stretch.
 *
 * Coverage rows run as close to furniture as the costmap allows. A few centimetres of map refinement, pose
 * error or a LIDAR mark one cell closer turn a row's cells beside a table leg from "free" to "inscribed",
 * and the follower stops for an obstruction that is not there: in the simulated studio, four in five of the
 * path obstructions were furniture 1–9 cm beyond the footprint. Each one used to cost a stop, a resumed plan
 * and a stretch skipped for the end of the mission. A robot can pass such a spot by stepping a few
 * centimetres aside, as a local planner would: the obstructed stretch is shifted sideways by the least
 * amount that frees it (up to `maxShift`), blending in and out over `ramp` metres so the follower's arc stays
 * gentle. What a sideways step does not free (a wall across the row's end) takes the ordinary way: plan
 * repair.
 *
 * Pure: the path and the costmap in, a path out.
 */
import { z } from 'zod';
import type { PathPose } from '../control/path-follower.ts';
import { INSCRIBED, type Costmap } from '../mapping/layers/costmap.ts';

export const NudgeParamsSchema = z.strictObject({
  maxShift: z.number().positive().default(0.08).describe('m: the largest sideways shift tried'),
  shiftStep: z.number().positive().default(0.01).describe('m between the shifts tried'),
  ramp: z.number().positive().default(0.2).describe('m of path over which the shift blends in and out'),
  window: z
    .number()
    .positive()
    .default(1)
    .describe('m of path ahead searched for the intrusion; one reaching past this is not nudged'),
  maxBend: z
    .number()
    .positive()
    .default(2.2)
    .describe('rad: a sharper turn between two samples (a path doubling back) is not shifted'),
});
export type NudgeParams = z.output<typeof NudgeParamsSchema>;

interface Sample {
  x: number;
  y: number;
  /** heading of the path segment the sample lies on */
  heading: number;
  /** arc length from the first pose of the rest of the path */
  s: number;
  /** index of the segment's end pose (its tags go to the sample) */
  pose: number;
}

/**
 * The rest of `path` from pose `fromIndex` on (the follower's segment start), with the first obstructed
 * stretch within `window` of `progress` (m along the path from `fromIndex`) shifted sideways clear of
 * inscribed and lethal cost; undefined when nothing ahead is obstructed or no shift up to `maxShift` frees it.
 */
export function nudgePath<T extends PathPose>(
  path: readonly T[],
  fromIndex: number,
  progress: number,
  costmap: Costmap,
  params: z.input<typeof NudgeParamsSchema> = {},
): T[] | undefined {
  const p = NudgeParamsSchema.parse(params);
  const start = Math.max(0, Math.min(fromIndex, path.length - 1));
  if (path.length - start < 2) return undefined;
  const step = costmap.resolution / 2;
  const from = Math.max(0, progress);
  const samples = resample(path, start, from + p.window + p.ramp, step);
  if (samples.length < 2) return undefined;

  // The first obstructed run ahead of the robot, and where it ends.
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    const q = samples[i]!;
    if (q.s < from) continue;
    const blocked = !passable(costmap, q.x, q.y);
    if (blocked && first < 0) {
      if (q.s > from + p.window) return undefined;
      first = i;
    }
    if (first >= 0) {
      if (blocked) last = i;
      else if (q.s - samples[last]!.s > p.ramp) break;
    }
  }
  if (first < 0) return undefined;
  const runStart = samples[first]!.s;
  const runEnd = samples[last]!.s;
  const endOfPath = samples[samples.length - 1]!.s;
  // Past the end of the samples the path was not looked at: the ramp out must fit in them.
  if (runEnd + p.ramp > endOfPath + 1e-9 && samples[samples.length - 1]!.pose < path.length - 1)
    return undefined;
  const rampIn = Math.max(from, runStart - p.ramp);
  const rampOut = Math.min(endOfPath, runEnd + p.ramp);

  // Each sample moves along its own segment's normal (to the same side of the path), so a stretch round a
  // corner is offset like a parallel curve; the straight joins between samples are checked too. A path
  // doubling back (a turn sharper than `maxBend`) has no such curve and is not shifted.
  const stretch = samples.filter((q) => q.s >= rampIn - 1e-9 && q.s <= rampOut + 1e-9);
  let prevHeading = samples[first]!.heading;
  for (const q of stretch) {
    if (Math.abs(angleBetween(q.heading, prevHeading)) > p.maxBend) return undefined;
    prevHeading = q.heading;
  }

  const weight = (s: number): number => {
    if (s < runStart) return runStart - rampIn > 1e-9 ? (s - rampIn) / (runStart - rampIn) : 1;
    if (s > runEnd) return rampOut - runEnd > 1e-9 ? (rampOut - s) / (rampOut - runEnd) : 1;
    return 1;
  };
  const shiftedPoint = (q: Sample, d: number): { x: number; y: number } => {
    const w = d * weight(q.s);
    return { x: q.x - Math.sin(q.heading) * w, y: q.y + Math.cos(q.heading) * w };
  };
  let best: number | undefined;
  for (let k = 1; k * p.shiftStep <= p.maxShift + 1e-9 && best === undefined; k++) {
    for (const side of [1, -1]) {
      const d = side * k * p.shiftStep;
      let clear = true;
      let prev: { x: number; y: number } | undefined;
      for (const q of stretch) {
        const at = shiftedPoint(q, d);
        if (!passable(costmap, at.x, at.y) || (prev && !lineClear(costmap, prev, at, step))) {
          clear = false;
          break;
        }
        prev = at;
      }
      if (clear) {
        best = d;
        break;
      }
    }
  }
  if (best === undefined) return undefined;

  // Poses before the ramp in as they are, the shifted samples, then the poses after the ramp out.
  const out: T[] = [];
  const arc = arcLengths(path, start);
  let i = start;
  for (; i < path.length && arc[i - start]! < rampIn - 1e-9; i++) out.push(path[i]!);
  const shifted: T[] = stretch.map((q) => ({ ...path[q.pose]!, ...shiftedPoint(q, best), theta: q.heading }));
  for (let k = 0; k < shifted.length; k++) {
    const a = shifted[Math.max(0, k - 1)]!;
    const b = shifted[Math.min(shifted.length - 1, k + 1)]!;
    if (a !== b) shifted[k] = { ...shifted[k]!, theta: Math.atan2(b.y - a.y, b.x - a.x) };
  }
  out.push(...shifted);
  while (i < path.length && arc[i - start]! <= rampOut + 1e-9) i++;
  for (; i < path.length; i++) out.push(path[i]!);
  return out.length >= 2 ? out : undefined;
}

/** Points every `step` m along the path from pose `start`, up to `until` m, with each path pose included. */
function resample(path: readonly PathPose[], start: number, until: number, step: number): Sample[] {
  const out: Sample[] = [];
  let s = 0;
  for (let i = start; i < path.length - 1 && s <= until; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (length < 1e-9) continue;
    const heading = Math.atan2(b.y - a.y, b.x - a.x);
    const n = Math.max(1, Math.ceil(length / step));
    for (let k = 0; k < n; k++) {
      const t = k / n;
      out.push({
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
        heading,
        s: s + length * t,
        pose: i + 1,
      });
    }
    s += length;
    if (i + 1 === path.length - 1 || s > until) out.push({ x: b.x, y: b.y, heading, s, pose: i + 1 });
  }
  return out;
}

function arcLengths(path: readonly PathPose[], start: number): Float64Array {
  const out = new Float64Array(path.length - start);
  for (let i = start + 1; i < path.length; i++)
    out[i - start] =
      out[i - start - 1]! + Math.hypot(path[i]!.x - path[i - 1]!.x, path[i]!.y - path[i - 1]!.y);
  return out;
}

function lineClear(
  costmap: Costmap,
  a: { x: number; y: number },
  b: { x: number; y: number },
  step: number,
): boolean {
  const n = Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / step);
  for (let k = 1; k < n; k++) {
    const t = k / n;
    if (!passable(costmap, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)) return false;
  }
  return true;
}

/** Free enough for the robot's centre: known and below the inscribed cost. */
function passable(costmap: Costmap, x: number, y: number): boolean {
  const cx = Math.floor((x - costmap.origin.x) / costmap.resolution);
  const cy = Math.floor((y - costmap.origin.y) / costmap.resolution);
  if (cx < 0 || cy < 0 || cx >= costmap.width || cy >= costmap.height) return false;
  return costmap.costs[cy * costmap.width + cx]! < INSCRIBED;
}

function angleBetween(a: number, b: number): number {
  return Math.atan2(Math.sin(a - b), Math.cos(a - b));
}

export const SlideParamsSchema = z.strictObject({
  maxSlides: z
    .number()
    .int()
    .nonnegative()
    .default(4)
    .describe('one-sided bumps slid past on one way out of a pocket; 0: never slide'),
  step: z
    .number()
    .positive()
    .default(0.025)
    .describe(
      'm the way moves away from the bumped side per bump, beyond where the robot touched and beyond the last slide',
    ),
  maxShift: z.number().positive().default(0.1).describe('m: the largest shift from the path'),
  behind: z.number().positive().default(0.15).describe('m of path before the bump the shift ramps in over'),
  hold: z.number().positive().default(0.35).describe('m of path past the bump the full shift holds'),
  ramp: z.number().positive().default(0.2).describe('m of path the shift ramps out over after that'),
  maxBend: z
    .number()
    .positive()
    .default(2.2)
    .describe('rad: a sharper turn between two samples (a path doubling back) is not shifted'),
});
export type SlideParams = z.output<typeof SlideParamsSchema>;

/** m between the path samples a slide is worked out on */
const SLIDE_SAMPLE_SPACING = 0.025;

/**
 * Sliding past what the bumper grazed: the rest of `path` from a little before the bump on, shifted away from
 * the bumped side to `step` beyond where the robot touched (its offset from the path at `bump`) and beyond
 * `previous` (the shift of the last slide along this path, m to the left, if any), ramping in before the bump,
 * holding past it and ramping out again. A one-sided bump in a gap a few centimetres wider than the robot
 * (beside a shoe the LIDAR cannot see, with a wall on the other side) is a graze: the obstacle is beside the
 * robot, not ahead, and the way on is the same path a little further from it. Undefined when the shift would
 * exceed `maxShift` or the path doubles back within the stretch.
 */
export function slidePast<T extends PathPose>(
  path: readonly T[],
  bump: { x: number; y: number },
  side: 'left' | 'right',
  params: z.input<typeof SlideParamsSchema> = {},
  previous?: number,
): { path: T[]; shift: number } | undefined {
  const p = SlideParamsSchema.parse(params);
  if (path.length < 2) return undefined;
  const samples = resample(path, 0, Infinity, SLIDE_SAMPLE_SPACING);
  // Where the bump happened along the path, and how far left of it the robot was.
  let at: { s: number; lateral: number } | undefined;
  let best = Infinity;
  for (let i = 0; i + 1 < samples.length; i++) {
    const a = samples[i]!;
    const b = samples[i + 1]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy);
    if (length < 1e-12) continue;
    const t = Math.max(0, Math.min(1, ((bump.x - a.x) * dx + (bump.y - a.y) * dy) / (length * length)));
    const d = Math.hypot(bump.x - a.x - t * dx, bump.y - a.y - t * dy);
    if (d < best) {
      best = d;
      at = { s: a.s + t * length, lateral: (dx * (bump.y - a.y) - dy * (bump.x - a.x)) / length };
    }
  }
  if (!at) return undefined;
  // Each slide on one side goes further than the last: the robot tracks its ramp a little inside.
  const from = previous ?? at.lateral;
  const shift = side === 'right' ? Math.max(at.lateral, from) + p.step : Math.min(at.lateral, from) - p.step;
  if (Math.abs(shift) > p.maxShift + 1e-9) return undefined;
  const rampIn = Math.max(0, at.s - p.behind);
  const holdEnd = at.s + p.hold;
  const rampOut = holdEnd + p.ramp;
  const stretch = samples.filter((q) => q.s >= rampIn - 1e-9 && q.s <= rampOut + 1e-9);
  if (stretch.length < 2) return undefined;
  for (let k = 1; k < stretch.length; k++)
    if (Math.abs(angleBetween(stretch[k]!.heading, stretch[k - 1]!.heading)) > p.maxBend) return undefined;
  // Ramps in to the full shift a little before the bump: the robot is past the ramp where it touched.
  const fullFrom = Math.max(rampIn, at.s - 0.02);
  const weight = (s: number): number => {
    if (s < fullFrom) return fullFrom - rampIn > 1e-9 ? (s - rampIn) / (fullFrom - rampIn) : 1;
    if (s > holdEnd) return Math.max(0, (rampOut - s) / p.ramp);
    return 1;
  };
  const shifted: T[] = stretch.map((q) => {
    const w = shift * weight(q.s);
    return {
      ...path[q.pose]!,
      x: q.x - Math.sin(q.heading) * w,
      y: q.y + Math.cos(q.heading) * w,
      theta: q.heading,
    };
  });
  for (let k = 0; k < shifted.length; k++) {
    const a = shifted[Math.max(0, k - 1)]!;
    const b = shifted[Math.min(shifted.length - 1, k + 1)]!;
    if (a !== b) shifted[k] = { ...shifted[k]!, theta: Math.atan2(b.y - a.y, b.x - a.x) };
  }
  // The shifted stretch, then the poses after the ramp out.
  const arc = arcLengths(path, 0);
  const out: T[] = [...shifted];
  let i = 0;
  while (i < path.length && arc[i]! <= rampOut + 1e-9) i++;
  for (; i < path.length; i++) out.push(path[i]!);
  return out.length >= 2 ? { path: out, shift } : undefined;
}
