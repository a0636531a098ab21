/**
 * A log-odds occupancy grid that grows to fit what the robot explores. Each cell holds its clamped log-odds
 * as a fixed-point Int16 (1/1024 units, UNKNOWN_CELL = never observed), so an update is an integer add and a
 * clamp — and the clamp lets an obstacle that moves away fade out after a few passes of free rays.
 * Rays are traversed exactly (Amanatides–Woo, as in ray-trace.ts); within one scan every cell is updated at most once, hits first,
 * so grazing rays of the same scan cannot erase the wall they end on.
 */
import { z } from 'zod';
import type { Pose2D } from '../../shared/geometry.ts';
import { FREE, OCCUPIED, UNKNOWN, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { hypot } from './hypot.ts';

/** Fixed-point scale of the stored log-odds. */
export const LOG_ODDS_SCALE = 1024;
/** Stored value of a cell no ray has touched. */
export const UNKNOWN_CELL = -32768;

const logit = (p: number): number => Math.log(p / (1 - p));
/** Rounds to the nanometre, so origins print as −49.45 rather than −49.45000000000001. */
const snap = (v: number): number => Math.round(v * 1e9) / 1e9;

export const OccupancyMapParamsSchema = z
  .object({
    resolution: z.number().positive().default(0.05).describe('m per cell'),
    hitProbability: z.number().gt(0.5).lt(1).default(0.7).describe('update for the cell a beam ends in'),
    missProbability: z.number().gt(0).lt(0.5).default(0.4).describe('update for cells a beam passes through'),
    minProbability: z.number().gt(0).lt(0.5).default(0.12).describe('clamp: how free a cell can get'),
    maxProbability: z.number().gt(0.5).lt(1).default(0.97).describe('clamp: how occupied a cell can get'),
    occupiedThreshold: z.number().gt(0).lt(1).default(0.65).describe('export: p ≥ this → 100'),
    freeThreshold: z.number().gt(0).lt(1).default(0.45).describe('export: p ≤ this → 0'),
    growMargin: z.number().nonnegative().default(2).describe('m added on each side when the grid grows'),
    smoothing: z
      .number()
      .nonnegative()
      .default(0.075)
      .describe('m, σ of the Gaussian that spreads occupied cells into the matching likelihood (≥ 1 cell)'),
  })
  .refine((p) => p.freeThreshold < p.occupiedThreshold, {
    message: 'freeThreshold must be below occupiedThreshold',
  });
export type OccupancyMapParams = z.output<typeof OccupancyMapParamsSchema>;

/**
 * A batch of beams in the map frame, all from one sensor origin. Beam i ends at (endX[i], endY[i]); hit[i] = 1
 * marks the end cell occupied, 0 means the beam only clears (no return, or beyond the usable range).
 */
export interface RayBatch {
  originX: number;
  originY: number;
  endX: Float64Array;
  endY: Float64Array;
  hit: Uint8Array;
  count: number;
  /**
   * For rays from one scanner sweep, in order: the angle between consecutive beams (rad) and each ray's beam
   * number. Lets the clearing skip the stretch near the sensor where neighbouring beams cross the same cells.
   */
  beamSpacing?: number;
  beamIndex?: Uint32Array;
}

/**
 * A rectangle of stored log-odds cells (UNKNOWN_CELL where never observed), cut from a map with `crop()` and
 * added into another with `stamp()`: a submap's evidence, kept apart from the map it is drawn into.
 */
export interface CellPatch {
  /** map-frame position of cell (0, 0)'s lower-left corner */
  originX: number;
  originY: number;
  resolution: number;
  width: number;
  height: number;
  /** row-major from the bottom row */
  cells: Int16Array;
  /**
   * Per row, the first and last known cell (first > last: none), so a stamp skips the unknown stretches — most
   * of a patch's box when its scans saw corridors
   */
  rowSpans?: Int32Array;
}

export class OccupancyMap {
  readonly params: OccupancyMapParams;
  readonly resolution: number;
  /** 1 / resolution: every world→cell conversion multiplies by it, so all of them agree at cell borders */
  readonly inverseResolution: number;
  /** map-frame position of cell (0, 0)'s lower-left corner */
  originX = 0;
  originY = 0;
  width = 0;
  height = 0;
  /** fixed-point log-odds per cell, row-major from the bottom row */
  cells: Int16Array = new Int16Array(0);
  /**
   * Smoothed occupancy evidence for scan matching: Σ over cells of kernel(distance) · max(0, 2p − 1), with a
   * Gaussian kernel whose centre weight is 1. Kept up to date cell by cell as the log-odds change, so matching
   * never has to blur the whole map. Walls seen as dotted lines by a sparse LIDAR become continuous ridges.
   */
  likelihood: Float32Array = new Float32Array(0);
  /**
   * scan id (mod 256, cleared on wrap-around) of the last update per cell, so one scan updates a cell once;
   * one byte per cell keeps the ray walk within fewer cache lines
   */
  private touched: Uint8Array = new Uint8Array(0);
  private scanId = 0;
  private readonly hitDelta: number;
  private readonly missDelta: number;
  private readonly minValue: number;
  private readonly maxValue: number;
  private readonly occupiedValue: number;
  private readonly freeValue: number;
  private readonly evidence: Float32Array;
  private readonly kernel: Float32Array;
  private readonly kernelRadius: number;
  /**
   * Coarser pyramid levels fed from this map: every change of a cell's evidence here is spread into them too
   * (scaled by resolution ratio, since a wall crosses about that many of our cells per coarse cell), so they
   * need no ray casting of their own. Their log-odds cells stay unknown: only their likelihood is used.
   */
  private readonly coarser: OccupancyMap[] = [];
  /** false: only the log-odds are kept (a submap, never matched against); `likelihood` stays all zeros */
  private readonly keepsLikelihood: boolean;

  constructor(params: Partial<OccupancyMapParams> = {}, options: { likelihood?: boolean } = {}) {
    this.params = OccupancyMapParamsSchema.parse(params);
    this.keepsLikelihood = options.likelihood ?? true;
    const p = this.params;
    this.resolution = p.resolution;
    this.inverseResolution = 1 / p.resolution;
    this.hitDelta = Math.round(logit(p.hitProbability) * LOG_ODDS_SCALE);
    this.missDelta = Math.round(logit(p.missProbability) * LOG_ODDS_SCALE);
    this.minValue = Math.round(logit(p.minProbability) * LOG_ODDS_SCALE);
    this.maxValue = Math.round(logit(p.maxProbability) * LOG_ODDS_SCALE);
    this.occupiedValue = Math.round(logit(p.occupiedThreshold) * LOG_ODDS_SCALE);
    this.freeValue = Math.round(logit(p.freeThreshold) * LOG_ODDS_SCALE);
    this.evidence = new Float32Array(65536);
    for (let v = this.minValue; v <= this.maxValue; v++)
      this.evidence[v + 32768] = Math.max(0, 2 / (1 + Math.exp(-v / LOG_ODDS_SCALE)) - 1);
    const sigma = Math.max(1, p.smoothing / p.resolution);
    const radius = Math.ceil(2.5 * sigma);
    this.kernelRadius = radius;
    this.kernel = new Float32Array((2 * radius + 1) ** 2);
    for (let dy = -radius; dy <= radius; dy++)
      for (let dx = -radius; dx <= radius; dx++)
        this.kernel[(dy + radius) * (2 * radius + 1) + dx + radius] = Math.exp(
          -(dx * dx + dy * dy) / (2 * sigma * sigma),
        );
  }

  /**
   * Makes `level` (coarser than this map) follow this map's smoothed evidence from now on, instead of being
   * integrated with rays itself: the pyramid costs one ray casting instead of one per level.
   */
  feedCoarser(level: OccupancyMap): void {
    if (!(level.resolution > this.resolution)) throw new Error('a fed level must be coarser');
    this.coarser.push(level);
  }

  /** Cell holding a map-frame point (may lie outside the grid). */
  cellX(x: number): number {
    return Math.floor((x - this.originX) * this.inverseResolution);
  }
  cellY(y: number): number {
    return Math.floor((y - this.originY) * this.inverseResolution);
  }

  /** Occupancy probability of a cell, or NaN when unknown / outside. */
  probabilityAt(cx: number, cy: number): number {
    if (cx < 0 || cy < 0 || cx >= this.width || cy >= this.height) return NaN;
    const v = this.cells[cy * this.width + cx]!;
    return v === UNKNOWN_CELL ? NaN : 1 / (1 + Math.exp(-v / LOG_ODDS_SCALE));
  }

  /**
   * Makes the grid cover the box [minX, maxX] × [minY, maxY], reallocating with `growMargin` on every side when
   * it does not. Cell boundaries stay where they were, so existing cells are copied unchanged.
   */
  ensureContains(minX: number, minY: number, maxX: number, maxY: number): void {
    const r = this.resolution;
    if (
      this.width > 0 &&
      minX >= this.originX &&
      minY >= this.originY &&
      maxX < this.originX + this.width * r &&
      maxY < this.originY + this.height * r
    )
      return;
    const m = this.params.growMargin;
    let lo = { x: minX - m, y: minY - m };
    let hi = { x: maxX + m, y: maxY + m };
    if (this.width > 0) {
      lo = { x: Math.min(lo.x, this.originX), y: Math.min(lo.y, this.originY) };
      hi = {
        x: Math.max(hi.x, this.originX + this.width * r),
        y: Math.max(hi.y, this.originY + this.height * r),
      };
      // Whole cells relative to the old origin, so old cells map onto new cells exactly.
      const shiftX = Math.ceil((this.originX - lo.x) / r);
      const shiftY = Math.ceil((this.originY - lo.y) / r);
      const newOriginX = snap(this.originX - shiftX * r);
      const newOriginY = snap(this.originY - shiftY * r);
      const newWidth = Math.ceil((hi.x - newOriginX) / r) + 1;
      const newHeight = Math.ceil((hi.y - newOriginY) / r) + 1;
      const cells = new Int16Array(newWidth * newHeight).fill(UNKNOWN_CELL);
      const touched = new Uint8Array(newWidth * newHeight);
      const likelihood = new Float32Array(newWidth * newHeight);
      for (let y = 0; y < this.height; y++) {
        const src = y * this.width;
        const dst = (y + shiftY) * newWidth + shiftX;
        cells.set(this.cells.subarray(src, src + this.width), dst);
        touched.set(this.touched.subarray(src, src + this.width), dst);
        likelihood.set(this.likelihood.subarray(src, src + this.width), dst);
      }
      this.originX = newOriginX;
      this.originY = newOriginY;
      this.width = newWidth;
      this.height = newHeight;
      this.cells = cells;
      this.touched = touched;
      this.likelihood = likelihood;
    } else {
      // First allocation: align the origin to whole cells so maps built at the same place line up.
      this.originX = snap(Math.floor(lo.x / r) * r);
      this.originY = snap(Math.floor(lo.y / r) * r);
      this.width = Math.ceil((hi.x - this.originX) / r) + 1;
      this.height = Math.ceil((hi.y - this.originY) / r) + 1;
      this.cells = new Int16Array(this.width * this.height).fill(UNKNOWN_CELL);
      this.touched = new Uint8Array(this.width * this.height);
      this.likelihood = new Float32Array(this.width * this.height);
    }
  }

  /**
   * Grows this map and the coarser levels fed from it to cover the box, every cell in it a kernel radius away
   * from the border, so a marked cell's whole kernel lies inside the grid.
   */
  private growPadded(minX: number, minY: number, maxX: number, maxY: number): void {
    const pad = (this.kernelRadius + 1) * this.resolution;
    this.ensureContains(minX - pad, minY - pad, maxX + pad, maxY + pad);
    for (const level of this.coarser) {
      const coarsePad = (level.kernelRadius + 1) * level.resolution;
      level.ensureContains(minX - coarsePad, minY - coarsePad, maxX + coarsePad, maxY + coarsePad);
    }
  }

  /**
   * Integrates one scan's beams: the end cell of every hit becomes more occupied, every other cell a beam passes
   * through becomes more free. Grows the grid first if needed.
   */
  integrate(rays: RayBatch): void {
    let minX = rays.originX;
    let maxX = rays.originX;
    let minY = rays.originY;
    let maxY = rays.originY;
    for (let i = 0; i < rays.count; i++) {
      const x = rays.endX[i]!;
      const y = rays.endY[i]!;
      if (x < minX) minX = x;
      else if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      else if (y > maxY) maxY = y;
    }
    this.growPadded(minX, minY, maxX, maxY);
    this.scanId = (this.scanId + 1) & 0xff;
    if (this.scanId === 0) {
      this.touched.fill(0);
      this.scanId = 1;
    }
    const inv = this.inverseResolution;
    const sx = (rays.originX - this.originX) * inv;
    const sy = (rays.originY - this.originY) * inv;
    for (let i = 0; i < rays.count; i++) {
      if (rays.hit[i] === 0) continue;
      const cx = Math.floor((rays.endX[i]! - this.originX) * inv);
      const cy = Math.floor((rays.endY[i]! - this.originY) * inv);
      this.update(cy * this.width + cx, this.hitDelta);
    }
    this.clearRays(rays, sx, sy);
  }

  /**
   * Miss updates along every beam. The Amanatides–Woo walk of ray-trace.ts, inlined with the cell update:
   * this loop is most of the mapping time, and the callback version is three times slower.
   */
  private clearRays(rays: RayBatch, sx: number, sy: number): void {
    const inv = this.inverseResolution;
    const w = this.width;
    const cells = this.cells;
    const touched = this.touched;
    const scanId = this.scanId;
    const miss = this.missDelta;
    const min = this.minValue;
    const firstMiss = miss < min ? min : miss;
    // Beam decimation: beams whose number is a multiple of 2^(L+1) lie beamSpacing·2^(L+1) apart, so they are
    // at least a cell apart from 1 / (beamSpacing·2^(L+1)) cells out; a beam with exactly L trailing zero bits
    // is traced from there on (beam 0 from the sensor). Every cell within one cell of a beam is still cleared.
    const spacing = rays.beamSpacing ?? 0;
    const beams = spacing > 0 ? rays.beamIndex : undefined;
    // Each beam's length in cells, by beam number (0 where a beam is missing): a beam's near part is only
    // covered by its two neighbours one level up as far as they reach.
    let lengths: Float64Array | undefined;
    if (beams) {
      let maxBeam = 0;
      for (let i = 0; i < rays.count; i++) maxBeam = Math.max(maxBeam, beams[i]!);
      lengths = new Float64Array(maxBeam + 1);
      for (let i = 0; i < rays.count; i++)
        lengths[beams[i]!] = hypot(
          (rays.endX[i]! - this.originX) * inv - sx,
          (rays.endY[i]! - this.originY) * inv - sy,
        );
    }
    // Consecutive beams ending in the same cell cross the same cells (to within one): trace only the first.
    // On coarse levels and with dense scanners this skips most rays.
    let lastCx = NaN;
    let lastCy = NaN;
    let lastHit = -1;
    let lastStart = 0;
    for (let i = 0; i < rays.count; i++) {
      const ex = (rays.endX[i]! - this.originX) * inv;
      const ey = (rays.endY[i]! - this.originY) * inv;
      const endCx = Math.floor(ex);
      const endCy = Math.floor(ey);
      const hit = rays.hit[i]!;
      // Where this beam starts being traced, in cells from the sensor (0: from the sensor).
      let start = 0;
      if (beams && lengths) {
        const beam = beams[i]!;
        if (beam !== 0) {
          const half = 2 ** Math.min(20, 31 - Math.clz32(beam & -beam));
          const reach = Math.min(lengths[beam - half] ?? 0, lengths[beam + half] ?? 0);
          start = Math.max(0, Math.min(1 / (spacing * 2 * half), reach - 1));
        }
      }
      // A beam ending in the cell the last traced beam ended in, and starting no nearer, adds nothing.
      if (endCx === lastCx && endCy === lastCy && hit === lastHit && start >= lastStart) continue;
      const length = hypot(ex - sx, ey - sy);
      if (start > 1 && start >= length - 1) continue;
      lastCx = endCx;
      lastCy = endCy;
      lastHit = hit;
      lastStart = start;
      let ox = sx;
      let oy = sy;
      if (start > 1) {
        ox = sx + ((ex - sx) * start) / length;
        oy = sy + ((ey - sy) * start) / length;
      }
      let cx = Math.floor(ox);
      let cy = Math.floor(oy);
      const dx = ex - ox;
      const dy = ey - oy;
      const stepX = dx > 0 ? 1 : -1;
      const stepY = dy > 0 ? 1 : -1;
      const stepIndexY = stepY * w;
      // No Infinity constant for an axis the beam does not move along (1 / 0 is Infinity anyway, and that
      // axis's tMax is never read: its cell is already the end cell's): with it in the loop's phis, V8 boxed
      // tMaxX and tMaxY, a heap number per cell.
      const tDeltaX = Math.abs(1 / dx);
      const tDeltaY = Math.abs(1 / dy);
      let tMaxX = dx > 0 ? (cx + 1 - ox) / dx : (ox - cx) / -dx;
      let tMaxY = dy > 0 ? (cy + 1 - oy) / dy : (oy - cy) / -dy;
      let remaining = Math.abs(endCx - cx) + Math.abs(endCy - cy) + (hit === 0 ? 1 : 0);
      let index = cy * w + cx;
      while (remaining > 0) {
        if (touched[index] !== scanId) {
          touched[index] = scanId;
          const v = cells[index]!;
          if (v === UNKNOWN_CELL) cells[index] = firstMiss;
          else if (v <= 0) cells[index] = v + miss < min ? min : v + miss;
          else this.missOnOccupied(index, v);
        }
        if (--remaining === 0) break;
        // Forcing the axis once the other is done keeps rounding from walking past the end cell.
        if (cy === endCy || (cx !== endCx && tMaxX < tMaxY)) {
          cx += stepX;
          index += stepX;
          tMaxX += tDeltaX;
        } else {
          cy += stepY;
          index += stepIndexY;
          tMaxY += tDeltaY;
        }
      }
    }
  }

  /** A miss on a cell with positive log-odds: its smoothed evidence changes too. */
  private missOnOccupied(index: number, v: number): void {
    let next = v + this.missDelta;
    if (next < this.minValue) next = this.minValue;
    this.cells[index] = next;
    if (!this.keepsLikelihood) return;
    const change = this.evidence[next + 32768]! - this.evidence[v + 32768]!;
    if (change !== 0) this.spread(index, change);
  }

  private readonly markMiss = (cx: number, cy: number): void =>
    this.update(cy * this.width + cx, this.missDelta);

  private update(index: number, delta: number): void {
    if (this.touched[index] === this.scanId) return;
    this.touched[index] = this.scanId;
    const v = this.cells[index]!;
    let next = (v === UNKNOWN_CELL ? 0 : v) + delta;
    next = next < this.minValue ? this.minValue : next > this.maxValue ? this.maxValue : next;
    this.cells[index] = next;
    if ((next <= 0 && v <= 0) || !this.keepsLikelihood) return; // free stays free: no evidence change (the common case on rays)
    const change = this.evidence[next + 32768]! - this.evidence[v + 32768]!;
    if (change !== 0) this.spread(index, change);
  }

  /** Adds change · kernel around a cell to the likelihood, here and in the coarser levels fed from here. */
  private spread(index: number, change: number): void {
    if (!this.keepsLikelihood) return;
    const w = this.width;
    const cx = index % w;
    const cy = (index - cx) / w;
    this.spreadAt(cx, cy, change);
    if (this.coarser.length === 0) return;
    const x = this.originX + (cx + 0.5) * this.resolution;
    const y = this.originY + (cy + 0.5) * this.resolution;
    for (const level of this.coarser)
      level.spreadAt(level.cellX(x), level.cellY(y), (change * this.resolution) / level.resolution);
  }

  private spreadAt(cx: number, cy: number, change: number): void {
    const w = this.width;
    const r = this.kernelRadius;
    const side = 2 * r + 1;
    const x0 = Math.max(0, cx - r);
    const x1 = Math.min(w - 1, cx + r);
    const y0 = Math.max(0, cy - r);
    const y1 = Math.min(this.height - 1, cy + r);
    const like = this.likelihood;
    const kernel = this.kernel;
    for (let y = y0; y <= y1; y++) {
      const row = y * w;
      const krow = (y - cy + r) * side - cx + r;
      for (let x = x0; x <= x1; x++) like[row + x] += change * kernel[krow + x]!;
    }
  }

  /**
   * Adds a patch's log-odds into this map, the patch placed at `pose` (patch frame → map frame): every cell of
   * this map whose centre falls on a known patch cell gets that cell's value added (unknown counting as 0),
   * clamped as an update is. Grows the map to fit. The likelihood is left as it was: call
   * `rebuildLikelihood()` after the last stamp.
   */
  stamp(patch: CellPatch, pose: Pose2D): void {
    if (patch.width === 0 || patch.height === 0) return;
    if (Math.abs(patch.resolution - this.resolution) > 1e-9)
      throw new Error('a stamped patch must have the map resolution');
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    const pw = patch.width * patch.resolution;
    const ph = patch.height * patch.resolution;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [u, v] of [
      [0, 0],
      [pw, 0],
      [0, ph],
      [pw, ph],
    ] as const) {
      const x = pose.x + c * (patch.originX + u) - s * (patch.originY + v);
      const y = pose.y + s * (patch.originX + u) + c * (patch.originY + v);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    this.growPadded(minX, minY, maxX, maxY);
    const r = this.resolution;
    const inv = this.inverseResolution;
    const x0 = Math.max(0, this.cellX(minX));
    const x1 = Math.min(this.width - 1, this.cellX(maxX));
    const y0 = Math.max(0, this.cellY(minY));
    const y1 = Math.min(this.height - 1, this.cellY(maxY));
    const w = this.width;
    const cells = this.cells;
    const source = patch.cells;
    const sw = patch.width;
    const sh = patch.height;
    const min = this.minValue;
    const max = this.maxValue;
    // Patch cell coordinates (in cells, from the patch origin) of this map's cell centres: a rotation by −θ,
    // stepped incrementally along each row.
    const du = c * r * inv;
    const dv = -s * r * inv;
    const spans = patch.rowSpans;
    for (let y = y0; y <= y1; y++) {
      const wy = this.originY + (y + 0.5) * r - pose.y;
      const wx = this.originX + (x0 + 0.5) * r - pose.x;
      const u0 = (c * wx + s * wy - patch.originX) * inv;
      const v0 = (-s * wx + c * wy - patch.originY) * inv;
      let from = x0;
      let to = x1;
      if (spans && Math.abs(du) > 1e-6) {
        // The patch rows this map row crosses, the known stretch of their union, and back to map columns.
        const vEnd = v0 + dv * (x1 - x0);
        const j0 = Math.max(0, Math.floor(Math.min(v0, vEnd)));
        const j1 = Math.min(sh - 1, Math.floor(Math.max(v0, vEnd)));
        let a = sw;
        let b = -1;
        for (let j = j0; j <= j1; j++) {
          a = Math.min(a, spans[2 * j]!);
          b = Math.max(b, spans[2 * j + 1]!);
        }
        if (a > b) continue;
        const xa = x0 + (a - u0) / du;
        const xb = x0 + (b + 1 - u0) / du;
        from = Math.max(x0, Math.floor(Math.min(xa, xb)) - 1);
        to = Math.min(x1, Math.ceil(Math.max(xa, xb)) + 1);
      }
      let index = y * w + from;
      for (let x = from; x <= to; x++, index++) {
        const u = u0 + du * (x - x0);
        const v = v0 + dv * (x - x0);
        const i = Math.floor(u);
        const j = Math.floor(v);
        if (i < 0 || j < 0 || i >= sw || j >= sh) continue;
        const add = source[j * sw + i]!;
        if (add === UNKNOWN_CELL) continue;
        const old = cells[index]!;
        const next = (old === UNKNOWN_CELL ? 0 : old) + add;
        cells[index] = next < min ? min : next > max ? max : next;
      }
    }
  }

  /** Recomputes the likelihood, here and in the coarser levels fed from here, from the log-odds alone. */
  rebuildLikelihood(): void {
    if (!this.keepsLikelihood) return;
    this.likelihood.fill(0);
    for (const level of this.coarser) level.likelihood.fill(0);
    const cells = this.cells;
    const evidence = this.evidence;
    for (let i = 0; i < cells.length; i++) {
      const e = evidence[cells[i]! + 32768]!;
      if (e > 0) this.spread(i, e);
    }
  }

  /** The smallest patch holding every known cell (0 × 0 when none is). */
  crop(): CellPatch {
    let x0 = this.width;
    let x1 = -1;
    let y0 = this.height;
    let y1 = -1;
    for (let y = 0; y < this.height; y++) {
      const row = y * this.width;
      for (let x = 0; x < this.width; x++) {
        if (this.cells[row + x] === UNKNOWN_CELL) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
    const width = Math.max(0, x1 - x0 + 1);
    const height = Math.max(0, y1 - y0 + 1);
    const cells = new Int16Array(width * height);
    const rowSpans = new Int32Array(2 * height);
    for (let y = 0; y < height; y++) {
      const src = (y + y0) * this.width + x0;
      cells.set(this.cells.subarray(src, src + width), y * width);
      let first = width;
      let last = -1;
      for (let x = 0; x < width; x++)
        if (cells[y * width + x] !== UNKNOWN_CELL) {
          if (first === width) first = x;
          last = x;
        }
      rowSpans[2 * y] = first;
      rowSpans[2 * y + 1] = last;
    }
    return {
      originX: snap(this.originX + (width > 0 ? x0 : 0) * this.resolution),
      originY: snap(this.originY + (height > 0 ? y0 : 0) * this.resolution),
      resolution: this.resolution,
      width,
      height,
      cells,
      rowSpans,
    };
  }

  /** ROS values: 100 at p ≥ occupiedThreshold, 0 at p ≤ freeThreshold, −1 unknown or undecided. */
  toOccupancyGrid(): OccupancyGrid {
    const n = this.width * this.height;
    const data = new Int8Array(n);
    const occ = this.occupiedValue;
    const free = this.freeValue;
    for (let i = 0; i < n; i++) {
      const v = this.cells[i]!;
      data[i] = v === UNKNOWN_CELL ? UNKNOWN : v >= occ ? OCCUPIED : v <= free ? FREE : UNKNOWN;
    }
    return {
      width: this.width,
      height: this.height,
      resolution: this.resolution,
      origin: { x: this.originX, y: this.originY, theta: 0 },
      data,
    };
  }

  /**
   * Takes a saved grid's cells as evidence (a stored map to continue on): the grid's area is allocated here and
   * in the coarser levels fed from here, and each known cell starts at the log-odds of its value. The grid must
   * have this map's resolution.
   */
  load(grid: OccupancyGrid): void {
    const r = this.resolution;
    if (Math.abs(grid.resolution - r) > 1e-9)
      throw new Error(`a loaded grid must have the map's resolution (${r} m), not ${grid.resolution} m`);
    const minX = grid.origin.x;
    const minY = grid.origin.y;
    const maxX = minX + (grid.width - 0.5) * r;
    const maxY = minY + (grid.height - 0.5) * r;
    this.ensureContains(minX, minY, maxX, maxY);
    for (const level of this.coarser) {
      const pad = (level.kernelRadius + 1) * level.resolution;
      level.ensureContains(minX - pad, minY - pad, maxX + pad, maxY + pad);
    }
    for (let gy = 0; gy < grid.height; gy++) {
      const cy = this.cellY(minY + (gy + 0.5) * r);
      for (let gx = 0; gx < grid.width; gx++) {
        const v = grid.data[gy * grid.width + gx]!;
        if (v < 0 || v > 100) continue;
        const index = cy * this.width + this.cellX(minX + (gx + 0.5) * r);
        const p = Math.min(this.params.maxProbability, Math.max(this.params.minProbability, v / 100));
        const value = Math.round(logit(p) * LOG_ODDS_SCALE);
        const old = this.cells[index]!;
        this.cells[index] = value;
        const change = this.evidence[value + 32768]! - this.evidence[old + 32768]!;
        if (change !== 0) this.spread(index, change);
      }
    }
  }

  /** An empty map (every cell unknown) with the same parameters and exactly the same geometry. */
  static emptyLike(map: OccupancyMap): OccupancyMap {
    const out = new OccupancyMap(map.params);
    out.originX = map.originX;
    out.originY = map.originY;
    out.width = map.width;
    out.height = map.height;
    out.cells = new Int16Array(map.width * map.height).fill(UNKNOWN_CELL);
    out.touched = new Uint8Array(map.width * map.height);
    out.likelihood = new Float32Array(map.width * map.height);
    return out;
  }

  /** Resets to the values of a saved grid (0/100/−1 or 0…100): known cells start at the matching log-odds. */
  static fromOccupancyGrid(grid: OccupancyGrid, params: Partial<OccupancyMapParams> = {}): OccupancyMap {
    const map = new OccupancyMap({ ...params, resolution: grid.resolution });
    map.originX = grid.origin.x;
    map.originY = grid.origin.y;
    map.width = grid.width;
    map.height = grid.height;
    map.cells = new Int16Array(grid.width * grid.height);
    map.touched = new Uint8Array(grid.width * grid.height);
    map.likelihood = new Float32Array(grid.width * grid.height);
    for (let i = 0; i < map.cells.length; i++) {
      const v = grid.data[i]!;
      if (v < 0 || v > 100) map.cells[i] = UNKNOWN_CELL;
      else {
        const p = Math.min(map.params.maxProbability, Math.max(map.params.minProbability, v / 100));
        const value = Math.round(logit(p) * LOG_ODDS_SCALE);
        map.cells[i] = value;
        const e = map.evidence[value + 32768]!;
        if (e > 0) map.spread(i, e);
      }
    }
    return map;
  }
}
