/**
 * Boustrophedon decomposition on a rotated row lattice. Rows run along the sweep direction (any angle, not
 * only x or y), spaced less than a tool width apart; each row is cut into segments where it leaves the
 * sweepable space; segments in consecutive rows that overlap one-to-one form a cell (a region monotone
 * across the rows) that one zig-zag covers without transit. The sweep direction comes from the walls: the
 * dominant orientation of obstacle edges, tried against its perpendicular and the grid axes, keeping the
 * one with the fewest segments (every segment costs a U-turn). Pure.
 */
import type { Point2D } from '../../shared/geometry.ts';
import type { GridInfo } from '../../shared/occupancy-grid.ts';
import { squaredDistanceCells } from '../mapping/distance-field.ts';

export interface RowSegment {
  row: number;
  /** position along the row (m, in the rotated frame) of the first and last sweepable sample */
  u0: number;
  u1: number;
}

export interface Lattice {
  /** sweep direction, rad */
  angle: number;
  /** row offsets (m, across the sweep direction, in the rotated frame) */
  rows: Float64Array;
  segments: RowSegment[];
}

/** One boustrophedon cell: segments of consecutive rows, in row order. */
export interface SweepCell {
  segments: RowSegment[];
}

/** A point of the rotated frame (u along the rows, v across) in map metres. */
export function latticePoint(angle: number, u: number, v: number): Point2D {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return { x: u * c - v * s, y: u * s + v * c };
}

/**
 * The dominant wall orientation in [0, π/2): a histogram of the directions of the distance field's gradient
 * a few cells away from obstacles (smooth there, unlike the staircase of the obstacle cells themselves),
 * weighted equally per cell, folded modulo a right angle because rooms are mostly rectangular.
 */
export function dominantWallAngle(info: GridInfo, isObstacle: Uint8Array): number | undefined {
  const { width, height } = info;
  const sq = squaredDistanceCells(width, height, (i) => isObstacle[i] === 1);
  const bins = 90;
  const hist = new Float64Array(bins);
  const sumSin = new Float64Array(bins);
  const sumCos = new Float64Array(bins);
  let samples = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const s = sq[i]!;
      if (s < 9 || s > 64) continue;
      const gx = Math.sqrt(sq[i + 1]!) - Math.sqrt(sq[i - 1]!);
      const gy = Math.sqrt(sq[i + width]!) - Math.sqrt(sq[i - width]!);
      if (!Number.isFinite(gx) || !Number.isFinite(gy) || gx * gx + gy * gy < 1) continue;
      // Folding modulo π/2 is a 4× angle on the circle.
      const a4 = 4 * Math.atan2(gy, gx);
      const folded = (((Math.atan2(gy, gx) % (Math.PI / 2)) + Math.PI / 2) % (Math.PI / 2)) / (Math.PI / 2);
      const b = Math.min(bins - 1, Math.floor(folded * bins));
      hist[b]!++;
      sumSin[b]! += Math.sin(a4);
      sumCos[b]! += Math.cos(a4);
      samples++;
    }
  }
  if (samples === 0) return undefined;
  let best = 0;
  let bestScore = -1;
  for (let b = 0; b < bins; b++) {
    const score = hist[(b + bins - 1) % bins]! + 2 * hist[b]! + hist[(b + 1) % bins]!;
    if (score > bestScore) {
      bestScore = score;
      best = b;
    }
  }
  // Refine with the circular mean of the peak's bins.
  let s = 0;
  let c = 0;
  for (const b of [(best + bins - 1) % bins, best, (best + 1) % bins]) {
    s += sumSin[b]!;
    c += sumCos[b]!;
  }
  const angle = Math.atan2(s, c) / 4;
  return ((angle % (Math.PI / 2)) + Math.PI / 2) % (Math.PI / 2);
}

/** Rows across `sweepable` at `angle`, at most `spacing` m apart, cut into segments of sweepable samples. */
export function buildLattice(info: GridInfo, sweepable: Uint8Array, angle: number, spacing: number): Lattice {
  const { width, height, resolution, origin } = info;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  let umin = Infinity;
  let umax = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (let y = 0; y < height; y++) {
    const py = origin.y + (y + 0.5) * resolution;
    for (let x = 0; x < width; x++) {
      if (!sweepable[y * width + x]) continue;
      const px = origin.x + (x + 0.5) * resolution;
      const u = px * c + py * s;
      const v = -px * s + py * c;
      if (u < umin) umin = u;
      if (u > umax) umax = u;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
  }
  if (umin > umax) return { angle, rows: new Float64Array(0), segments: [] };
  const count = vmax - vmin < 1e-9 ? 1 : Math.ceil((vmax - vmin) / spacing - 1e-9) + 1;
  const rows = new Float64Array(count);
  for (let k = 0; k < count; k++)
    rows[k] = count === 1 ? (vmin + vmax) / 2 : vmin + ((vmax - vmin) * k) / (count - 1);
  const step = resolution / 2;
  const n = Math.ceil((umax - umin) / step);
  const segments: RowSegment[] = [];
  for (let k = 0; k < count; k++) {
    const v = rows[k]!;
    let runStart = NaN;
    let last = NaN;
    for (let j = 0; j <= n; j++) {
      const u = Math.min(umax, umin + j * step);
      const px = u * c - v * s;
      const py = u * s + v * c;
      const cx = Math.floor((px - origin.x) / resolution);
      const cy = Math.floor((py - origin.y) / resolution);
      const inside = cx >= 0 && cy >= 0 && cx < width && cy < height && sweepable[cy * width + cx] === 1;
      if (inside) {
        if (Number.isNaN(runStart)) runStart = u;
        last = u;
      } else if (!Number.isNaN(runStart)) {
        segments.push({ row: k, u0: runStart, u1: last });
        runStart = NaN;
      }
    }
    if (!Number.isNaN(runStart)) segments.push({ row: k, u0: runStart, u1: last });
  }
  return { angle, rows, segments };
}

/**
 * Groups segments into boustrophedon cells: a segment continues the cell of the one segment it overlaps in
 * the previous row when that segment overlaps only it; any split or merge (an obstacle's top or bottom)
 * starts new cells.
 */
export function decompose(lattice: Lattice): SweepCell[] {
  const byRow: RowSegment[][] = Array.from({ length: lattice.rows.length }, () => []);
  for (const s of lattice.segments) byRow[s.row]!.push(s);
  const cells: SweepCell[] = [];
  let prevCells: number[] = [];
  for (let r = 0; r < byRow.length; r++) {
    const row = byRow[r]!;
    const prev = r > 0 ? byRow[r - 1]! : [];
    const overlaps = (a: RowSegment, b: RowSegment) => a.u0 <= b.u1 && b.u0 <= a.u1;
    const cellsHere: number[] = [];
    for (const seg of row) {
      const below = prev.map((p, k) => (overlaps(p, seg) ? k : -1)).filter((k) => k >= 0);
      let cell = -1;
      if (below.length === 1) {
        const p = prev[below[0]!]!;
        if (row.filter((q) => overlaps(p, q)).length === 1) cell = prevCells[below[0]!]!;
      }
      if (cell < 0) {
        cell = cells.length;
        cells.push({ segments: [] });
      }
      cells[cell]!.segments.push(seg);
      cellsHere.push(cell);
    }
    prevCells = cellsHere;
  }
  return cells;
}

/**
 * The zig-zag through a cell as polylines (one per row), entering at the first or last row and at the low
 * or high end of the first segment visited.
 */
export function cellSweeps(
  lattice: Lattice,
  cell: SweepCell,
  fromFirstRow: boolean,
  startLow: boolean,
): Point2D[][] {
  const segs = fromFirstRow ? cell.segments : [...cell.segments].reverse();
  return segs.map((seg, k) => {
    const low = latticePoint(lattice.angle, seg.u0, lattice.rows[seg.row]!);
    const high = latticePoint(lattice.angle, seg.u1, lattice.rows[seg.row]!);
    return (k % 2 === 0) === startLow ? [low, high] : [high, low];
  });
}
