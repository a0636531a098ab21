/**
 * 2-D geometry in REP-103 conventions: x forward, y left, angles counter-clockwise in radians.
 * A Pose2D is the pose of a child frame expressed in its parent frame (e.g. base_link in odom).
 */
import { z } from 'zod';

export const Pose2DSchema = z.object({
  x: z.number().describe('m'),
  y: z.number().describe('m'),
  theta: z.number().describe('rad, counter-clockwise from +x'),
});
export type Pose2D = z.infer<typeof Pose2DSchema>;

export interface Point2D {
  x: number;
  y: number;
}

export const IDENTITY_POSE: Readonly<Pose2D> = Object.freeze({ x: 0, y: 0, theta: 0 });

const TWO_PI = 2 * Math.PI;

/** Wraps an angle into (-π, π]. */
export function normalizeAngle(a: number): number {
  let r = a % TWO_PI;
  if (r <= -Math.PI) r += TWO_PI;
  else if (r > Math.PI) r -= TWO_PI;
  return r;
}

/** Smallest signed difference a − b, in (-π, π]. */
export function angleDiff(a: number, b: number): number {
  return normalizeAngle(a - b);
}

/** a ⊕ b: the pose b (expressed in frame a) expressed in a's parent frame. */
export function composePose(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return {
    x: a.x + c * b.x - s * b.y,
    y: a.y + s * b.x + c * b.y,
    theta: normalizeAngle(a.theta + b.theta),
  };
}

/** ⊖a: the inverse transform, so that composePose(a, invertPose(a)) is the identity. */
export function invertPose(a: Pose2D): Pose2D {
  const c = Math.cos(a.theta);
  const s = Math.sin(a.theta);
  return { x: -c * a.x - s * a.y, y: s * a.x - c * a.y, theta: normalizeAngle(-a.theta) };
}

/** The pose b relative to a: invertPose(a) ⊕ b. */
export function relativePose(a: Pose2D, b: Pose2D): Pose2D {
  return composePose(invertPose(a), b);
}

/** Transforms a point given in the frame `pose` into the pose's parent frame. */
export function transformPoint(pose: Pose2D, p: Point2D): Point2D {
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  return { x: pose.x + c * p.x - s * p.y, y: pose.y + s * p.x + c * p.y };
}

export function distance(a: Point2D, b: Point2D): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export const degToRad = (d: number): number => (d * Math.PI) / 180;
export const radToDeg = (r: number): number => (r * 180) / Math.PI;
