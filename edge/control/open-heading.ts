/**
 * Which way is open: the heading along which the robot's disk travels farthest through the LIDAR returns
 * around it. Used when the robot cannot back straight away from what stopped it (something behind it too,
 * in a doorway a person walks through): turning on the spot towards open floor and driving there gets it
 * clear where reversing again would not.
 *
 * Pure: base_link points in, a heading out.
 */

export interface OpenHeadingParams {
  /** m: the disk that must pass (the robot's radius plus a margin) */
  radius: number;
  /** m: travel beyond this counts as open, however much more there is */
  maxDistance: number;
  /** directions tried, evenly spread over the full turn */
  candidates: number;
}

export interface OpenHeading {
  /** rad, base_link (0 ahead, counter-clockwise) */
  angle: number;
  /** m the disk travels that way before touching a point (at most maxDistance) */
  free: number;
  /** m between the centre's way (that far) and the nearest point ahead of the start: the air over the move */
  air: number;
}

/** m: headings whose free travel differs by less than this are equally open */
const TIE = 0.02;
/** m: among equally open headings, more air than this wins; within it, the smaller turn */
const AIR_TIE = 0.01;

/** How far a disk of `radius` at the origin travels along the unit vector (ux, uy) before touching a point. */
export function freeTravel(
  points: Float32Array,
  ux: number,
  uy: number,
  radius: number,
  limit: number,
): number {
  let free = limit;
  const r2 = radius * radius;
  for (let k = 0; k + 1 < points.length; k += 2) {
    const px = points[k]!;
    const py = points[k + 1]!;
    const along = px * ux + py * uy;
    // A point behind the motion is left behind, whatever its distance.
    if (along <= 0) continue;
    const lateral = px * uy - py * ux;
    const l2 = lateral * lateral;
    if (l2 >= r2) continue;
    const touch = along - Math.sqrt(r2 - l2);
    if (touch < free) free = Math.max(0, touch);
  }
  return free;
}

/**
 * The distance from the segment the centre travels (from the origin `travel` m along (ux, uy)) to the
 * nearest point ahead of the start; Infinity when there is none.
 */
export function airAlong(points: Float32Array, ux: number, uy: number, travel: number): number {
  let air = Infinity;
  for (let k = 0; k + 1 < points.length; k += 2) {
    const px = points[k]!;
    const py = points[k + 1]!;
    const along = px * ux + py * uy;
    if (along <= 0) continue;
    const lateral = Math.abs(px * uy - py * ux);
    const d = along <= travel ? lateral : Math.hypot(along - travel, lateral);
    if (d < air) air = d;
  }
  return air;
}

/**
 * The most open heading among `candidates` directions: the farthest travel; among equally far ones, the
 * most air over the move (a bump mark is only a guess at where the shoe is: a move that grazes it grazes
 * the shoe), then the smallest turn from ahead.
 */
export function openHeading(points: Float32Array, p: OpenHeadingParams): OpenHeading {
  let best: OpenHeading = { angle: 0, free: -1, air: -1 };
  for (let k = 0; k < p.candidates; k++) {
    // 0, +step, −step, +2·step, …: ahead first, so ties keep the smaller turn.
    const m = Math.ceil(k / 2);
    const angle = (k % 2 === 1 ? 1 : -1) * m * ((2 * Math.PI) / p.candidates);
    if (Math.abs(angle) > Math.PI + 1e-9) continue;
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    const free = freeTravel(points, ux, uy, p.radius, p.maxDistance);
    const air = airAlong(points, ux, uy, free);
    const farther = free > best.free + TIE;
    const airier = free >= best.free - TIE && air > best.air + AIR_TIE;
    if (farther || airier) best = { angle: angle === 0 ? 0 : angle, free, air };
  }
  return best;
}
