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

/** Inclusive cell index bounds [x0, y0, x1, y1] that hold every set cell of a mask. */
export type CellBounds = readonly [number, number, number, number];

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
 * The dominant wall orientation in [0, π/2), folded modulo a right angle because rooms are mostly
 * rectangular: the angle at which the obstacle border cells, projected onto the two axes of a frame turned
 * by it, pile up in the fewest bins (the sum of squared bin counts peaks when long walls line up with the
 * bins). Searched at 1°, then refined at 0.1°. Undefined when there are no obstacles.
 */
export function dominantWallAngle(info: GridInfo, isObstacle: Uint8Array): number | undefined {
  const { width, height } = info;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 1; y < height - 1; y++)
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (
        isObstacle[i] &&
        (!isObstacle[i - 1] || !isObstacle[i + 1] || !isObstacle[i - width] || !isObstacle[i + width])
      ) {
        xs.push(x);
        ys.push(y);
      }
    }
  if (xs.length === 0) return undefined;
  const reach = Math.ceil(Math.hypot(width, height)) + 2;
  const binsU = new Int32Array(2 * reach);
  const binsV = new Int32Array(2 * reach);
  const score = (angle: number): number => {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    binsU.fill(0);
    binsV.fill(0);
    for (let k = 0; k < xs.length; k++) {
      binsU[Math.floor(xs[k]! * c + ys[k]! * s) + reach]!++;
      binsV[Math.floor(-xs[k]! * s + ys[k]! * c) + reach]!++;
    }
    let sum = 0;
    for (let b = 0; b < binsU.length; b++) sum += binsU[b]! * binsU[b]! + binsV[b]! * binsV[b]!;
    return sum;
  };
  let best = 0;
  let bestScore = -1;
  for (let deg = 0; deg < 90; deg++) {
    const sc = score((deg * Math.PI) / 180);
    if (sc > bestScore) {
      bestScore = sc;
      best = deg;
    }
  }
  let refined = best;
  for (let tenth = -9; tenth <= 9; tenth++) {
    const deg = best + tenth / 10;
    const sc = score((deg * Math.PI) / 180);
    if (sc > bestScore) {
      bestScore = sc;
      refined = deg;
    }
  }
  const angle = (refined * Math.PI) / 180;
  return ((angle % (Math.PI / 2)) + Math.PI / 2) % (Math.PI / 2);
}

/** Rows across `sweepable` at `angle`, at most `spacing` m apart, cut into segments of sweepable samples. */
export function buildLattice(
  info: GridInfo,
  sweepable: Uint8Array,
  angle: number,
  spacing: number,
  bounds?: CellBounds,
): Lattice {
  const { width, height, resolution, origin } = info;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  let umin = Infinity;
  let umax = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  const [bx0, by0, bx1, by1] = bounds ?? [0, 0, width - 1, height - 1];
  for (let y = by0; y <= by1; y++) {
    const py = origin.y + (y + 0.5) * resolution;
    for (let x = bx0; x <= bx1; x++) {
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
 * the previous row when that segment overlaps only it and neither end moves by more than `maxJump` m; any
 * split or merge (an obstacle's top or bottom) or a step in the outline (a room's corner, as where an
 * L-shaped room's arm begins) starts new cells, each of which may then take its own sweep direction.
 */
export function decompose(lattice: Lattice, maxJump = 1): SweepCell[] {
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
        const jump = Math.max(Math.abs(p.u0 - seg.u0), Math.abs(p.u1 - seg.u1));
        if (row.filter((q) => overlaps(p, q)).length === 1 && jump <= maxJump) cell = prevCells[below[0]!]!;
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

/**
 * The sweepable cells each boustrophedon cell sweeps: every cell is given to the segment of the nearest row
 * that spans it. Returns, per boustrophedon cell, its mask's bounds and the list of its grid cells.
 */
export function cellRegions(
  info: GridInfo,
  sweepable: Uint8Array,
  lattice: Lattice,
  cells: readonly SweepCell[],
): { bounds: CellBounds; members: Int32Array }[] {
  const { width, height, resolution, origin } = info;
  const rows = lattice.rows;
  const owner = new Map<RowSegment, number>();
  cells.forEach((cell, k) => cell.segments.forEach((seg) => owner.set(seg, k)));
  const byRow: RowSegment[][] = Array.from({ length: rows.length }, () => []);
  for (const seg of lattice.segments) byRow[seg.row]!.push(seg);
  const c = Math.cos(lattice.angle);
  const s = Math.sin(lattice.angle);
  const step = rows.length > 1 ? (rows[rows.length - 1]! - rows[0]!) / (rows.length - 1) : 1;
  const lists: number[][] = cells.map(() => []);
  const tolerance = resolution;
  for (let y = 0; y < height; y++) {
    const py = origin.y + (y + 0.5) * resolution;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!sweepable[i]) continue;
      const px = origin.x + (x + 0.5) * resolution;
      const u = px * c + py * s;
      const v = -px * s + py * c;
      const k = Math.min(rows.length - 1, Math.max(0, Math.round((v - rows[0]!) / step)));
      for (const seg of byRow[k]!)
        if (u >= seg.u0 - tolerance && u <= seg.u1 + tolerance) {
          lists[owner.get(seg)!]!.push(i);
          break;
        }
    }
  }
  return lists.map((list) => {
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (const i of list) {
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    return { bounds: [x0, y0, x1, y1] as const, members: Int32Array.from(list) };
  });
}

/**
 * The small islands of a mask: 4-connected components outside `mask` that `mask` encloses (they touch
 * neither the grid's edge nor a component that does) and whose bounding box is at most `maxSize` m on its
 * longer side: a table or chair leg, a bin, a speck of map noise, with the clearance around it. Returns a
 * mask of their cells. Sweeping and edge cleaning lay out the space as if they were not there (no cell
 * boundary at each leg, no loop around it); the rows then step around them.
 */
export function smallIslands(info: GridInfo, mask: Uint8Array, maxSize: number): Uint8Array {
  const { width, height, resolution } = info;
  const n = width * height;
  const out = new Uint8Array(n);
  if (maxSize <= 0) return out;
  const seen = new Uint8Array(n);
  const maxCells = Math.floor(maxSize / resolution + 1e-9);
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (mask[s] || seen[s]) continue;
    stack.length = 0;
    stack.push(s);
    seen[s] = 1;
    let edge = false;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let k = 0; k < stack.length; k++) {
      const i = stack[k]!;
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) {
        edge = true;
        continue;
      }
      for (const j of [i - 1, i + 1, i - width, i + width])
        if (!mask[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
    }
    if (!edge && x1 - x0 + 1 <= maxCells && y1 - y0 + 1 <= maxCells) for (const i of stack) out[i] = 1;
  }
  return out;
}
