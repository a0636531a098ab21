/**
 * Exact LIDAR scans of a world made of wall segments, for tests and benchmarks of the mapping pipeline
 * (the simulator's richer world lives in edge/sim; this one has no dependencies and is trivially checkable).
 */
import type { Pose2D } from '../../shared/geometry.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import type { Rng } from '../sim/rng.ts';

/** Wall segments [x1, y1, x2, y2] in metres. */
export type Segment = readonly [number, number, number, number];

/** Distance along the ray from (px, py) at angle a to the first wall, or Infinity. */
export function castRay(walls: readonly Segment[], px: number, py: number, a: number): number {
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  let best = Infinity;
  for (const [x1, y1, x2, y2] of walls) {
    const ex = x2 - x1;
    const ey = y2 - y1;
    const den = dx * ey - dy * ex;
    if (Math.abs(den) < 1e-12) continue;
    const t = ((x1 - px) * ey - (y1 - py) * ex) / den;
    const u = ((x1 - px) * dy - (y1 - py) * dx) / den;
    if (t > 1e-9 && u >= 0 && u <= 1 && t < best) best = t;
  }
  return best;
}

/** A closed polygon's edges. */
export function polygonWalls(points: ReadonlyArray<readonly [number, number]>): Segment[] {
  return points.map((p, i) => {
    const q = points[(i + 1) % points.length]!;
    return [p[0], p[1], q[0], q[1]] as const;
  });
}

/** An irregular room with a pillar and a recess, so every pose is pinned down. */
export const IRREGULAR_ROOM: Segment[] = [
  ...polygonWalls([
    [-4.03, -3.01],
    [5.02, -3.01],
    [5.02, 0.4],
    [6.1, 0.4],
    [6.1, 1.9],
    [5.02, 1.9],
    [5.02, 3.97],
    [-1.2, 3.97],
    [-4.03, 2.1],
  ]),
  ...polygonWalls([
    [1.0, 0.5],
    [1.7, 0.5],
    [1.7, 1.3],
    [1.0, 1.3],
  ]),
];
export interface SyntheticScanOptions {
  beams: number;
  /** first beam angle and total field of view (rad); a 360° scanner: -π and 2π */
  startAngle: number;
  fov: number;
  maxRange: number;
  /** range noise σ (m) */
  noise?: number;
  rng?: Rng;
}

/** A scan from a laser at `laserPose` (map frame); beams that hit nothing within maxRange report 0. */
export function syntheticScan(
  walls: readonly Segment[],
  laserPose: Pose2D,
  opts: SyntheticScanOptions,
  stamp = 0,
  seq = 0,
): LaserScan {
  const n = opts.beams;
  const angles = new Float32Array(n);
  const ranges = new Float32Array(n);
  const qualities = new Uint8Array(n);
  const full = Math.abs(opts.fov - 2 * Math.PI) < 1e-9;
  const step = opts.fov / (full ? n : Math.max(1, n - 1));
  for (let i = 0; i < n; i++) {
    const a = opts.startAngle + i * step;
    angles[i] = a;
    const r = castRay(walls, laserPose.x, laserPose.y, laserPose.theta + a);
    if (r <= opts.maxRange) {
      ranges[i] = Math.max(0.01, r + (opts.noise && opts.rng ? opts.rng.gaussian(0, opts.noise) : 0));
      qualities[i] = 255;
    }
  }
  return { stamp, duration: 0, angles, ranges, qualities, seq };
}
