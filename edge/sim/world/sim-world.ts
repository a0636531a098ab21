/**
 * The simulator's world: every wall, piece of furniture, low obstacle, person and pet reduced to vertical
 * prisms (oriented boxes and cylinders, each with a bottom and a top height), held in a uniform grid so a
 * horizontal ray only tests what lies in the cells it crosses. Pure: no I/O, no clocks; time comes in
 * through setTime().
 */
import { createGrid, OCCUPIED, FREE, type OccupancyGrid } from '../../../shared/occupancy-grid.ts';
import type { SimWorldQuery, WorldContact } from '../world-query.ts';
import { CLASS_COLOUR, CLASS_ID, type WorldClass } from './classes.ts';
import { FLOOR_TYPES, type FloorType, type WorldPoint, type WorldSpec } from './schema.ts';

/** One thing in the world, possibly made of several prisms (a table's top and legs). */
export interface WorldObject {
  id: string;
  cls: WorldClass;
  /** Label byte (CLASS_ID[cls]). */
  classId: number;
  moving: boolean;
  /** sRGB colour the camera paints it with. */
  colour: readonly [number, number, number];
}

/** Heights (m above the floor) that count: a prism counts if its vertical extent overlaps [min, max]. */
export interface HeightBand {
  min: number;
  max: number;
}

export interface SimWorldOptions {
  /**
   * Height of the robot's top (LIDAR housing included), m: parts whose bottom is above it pass over the
   * robot, so contacts() ignores them and obstacleGrid() leaves them out by default.
   */
  overheadClearance?: number;
  /** Side of the spatial index's cells, m. */
  cellSize?: number;
  /** Resolution of the floor-type raster the camera samples, m. */
  floorRasterResolution?: number;
}

/** Hits along one horizontal ray, every height, for the camera renderer (caller-owned buffers). */
export interface HitBuffer {
  /** horizontal distance where the ray enters / leaves the prism, m */
  rin: Float64Array;
  rout: Float64Array;
  zb: Float64Array;
  zt: Float64Array;
  obj: Int32Array;
  /** 0.5–1: brightness from the angle between the ray and the face it enters */
  shade: Float32Array;
}

export function createHitBuffer(capacity: number): HitBuffer {
  return {
    rin: new Float64Array(capacity),
    rout: new Float64Array(capacity),
    zb: new Float64Array(capacity),
    zt: new Float64Array(capacity),
    obj: new Int32Array(capacity),
    shade: new Float32Array(capacity),
  };
}

/** One static prism, as footprints() lists them (for pictures and diagnostics). */
export interface Footprint {
  shape: 'box' | 'circle';
  x: number;
  y: number;
  /** box half extents along its rotated axes; a circle's radius in both */
  halfWidth: number;
  halfDepth: number;
  rotation: number;
  /** vertical extent, m above the floor */
  bottom: number;
  top: number;
  /** index into objects */
  object: number;
}

/** The floor types as raster bytes; CLIFF_CELL marks a cell without floor. */
export const CLIFF_CELL = 255;

export interface FloorRaster {
  originX: number;
  originY: number;
  resolution: number;
  width: number;
  height: number;
  /** index into FLOOR_TYPES, or CLIFF_CELL; row-major from the bottom row */
  data: Uint8Array;
}

/** s a person or pet stands waiting for the robot to get out of its way before it turns back */
const MOVER_PATIENCE = 5;
const BOX = 0;
const CIRCLE = 1;

/** Default gaps under soft furniture when the file gives none, m. */
const DEFAULT_CLEARANCE: Record<string, number> = { sofa: 0.08, bed: 0.12 };

interface PrimitiveDraft {
  kind: number;
  cx: number;
  cy: number;
  /** box half-width along its axis, or circle radius */
  a: number;
  /** box half-depth */
  b: number;
  rot: number;
  zb: number;
  zt: number;
  obj: number;
}

interface Mover {
  obj: number;
  radius: number;
  height: number;
  /** expanded path (loop closed, pingpong mirrored) and cumulative lengths */
  xs: Float64Array;
  ys: Float64Array;
  cum: Float64Array;
  speed: number;
  startDelay: number;
}

/** Small deterministic hash of a string to [0, 1). */
function hash01(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10007) / 10007;
}

export function pointInPolygon(poly: readonly WorldPoint[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export class SimWorld implements SimWorldQuery {
  readonly spec: WorldSpec;
  readonly objects: WorldObject[] = [];
  /** Axis-aligned bounds of everything in the world, m. */
  readonly bounds: { minX: number; minY: number; maxX: number; maxY: number };
  readonly overheadClearance: number;

  // Static prisms, structure of arrays (moving ones live in the mover arrays below).
  private readonly nPrim: number;
  private readonly pKind: Uint8Array;
  private readonly pCx: Float64Array;
  private readonly pCy: Float64Array;
  private readonly pA: Float64Array;
  private readonly pB: Float64Array;
  private readonly pCos: Float64Array;
  private readonly pSin: Float64Array;
  private readonly pZb: Float64Array;
  private readonly pZt: Float64Array;
  private readonly pObj: Int32Array;
  /** Per-prism stamp so a prism spanning several cells is tested once per query. */
  private readonly mark: Uint32Array;
  private stamp = 0;

  // Uniform grid in compressed rows: items of cell c are cellItems[cellStart[c] .. cellStart[c + 1]).
  private readonly gx0: number;
  private readonly gy0: number;
  private readonly cs: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;

  private readonly movers: Mover[] = [];
  /** Current positions of the movers. */
  private readonly mX: Float64Array;
  private readonly mY: Float64Array;
  private readonly mR: Float64Array;
  private readonly mH: Float64Array;
  private readonly mObj: Int32Array;
  private time = 0;
  /** seconds each mover has stood still, yielding to the keep-out disk */
  private mWaited: Float64Array = new Float64Array(0);
  /**
   * each mover's way along its path (+1 as given, −1 back the way it came), the arc length its walk is
   * measured from, and how long it has stood still in a row
   */
  private mDir: Int8Array = new Int8Array(0);
  private mBase: Float64Array = new Float64Array(0);
  private mStill: Float64Array = new Float64Array(0);
  private keepOut: { x: number; y: number; radius: number } | undefined;

  private readonly floorRasterResolution: number;
  private floorRasterCache: FloorRaster | undefined;

  constructor(spec: WorldSpec, options: SimWorldOptions = {}) {
    this.spec = spec;
    this.overheadClearance = options.overheadClearance ?? 0.15;
    this.floorRasterResolution = options.floorRasterResolution ?? 0.025;
    const drafts = this.compile(spec);

    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const grow = (x: number, y: number): void => {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    };
    for (const d of drafts) {
      const [ex, ey] = extent(d);
      grow(d.cx - ex, d.cy - ey);
      grow(d.cx + ex, d.cy + ey);
    }
    for (const f of spec.floors) for (const [x, y] of f.polygon) grow(x, y);
    for (const c of spec.cliffs) for (const [x, y] of c.polygon) grow(x, y);
    for (const m of this.movers)
      for (let i = 0; i < m.xs.length; i++) {
        grow(m.xs[i]! - m.radius, m.ys[i]! - m.radius);
        grow(m.xs[i]! + m.radius, m.ys[i]! + m.radius);
      }
    grow(spec.start.x, spec.start.y);
    this.bounds = { minX, minY, maxX, maxY };

    const n = drafts.length;
    this.nPrim = n;
    this.pKind = new Uint8Array(n);
    this.pCx = new Float64Array(n);
    this.pCy = new Float64Array(n);
    this.pA = new Float64Array(n);
    this.pB = new Float64Array(n);
    this.pCos = new Float64Array(n);
    this.pSin = new Float64Array(n);
    this.pZb = new Float64Array(n);
    this.pZt = new Float64Array(n);
    this.pObj = new Int32Array(n);
    this.mark = new Uint32Array(n);
    drafts.forEach((d, i) => {
      this.pKind[i] = d.kind;
      this.pCx[i] = d.cx;
      this.pCy[i] = d.cy;
      this.pA[i] = d.a;
      this.pB[i] = d.b;
      this.pCos[i] = Math.cos(d.rot);
      this.pSin[i] = Math.sin(d.rot);
      this.pZb[i] = d.zb;
      this.pZt[i] = d.zt;
      this.pObj[i] = d.obj;
    });

    // Spatial index over the static prisms.
    const cs = options.cellSize ?? 0.5;
    this.cs = cs;
    this.gx0 = Math.floor(minX / cs) * cs - cs;
    this.gy0 = Math.floor(minY / cs) * cs - cs;
    this.nx = Math.max(1, Math.ceil((maxX - this.gx0) / cs) + 1);
    this.ny = Math.max(1, Math.ceil((maxY - this.gy0) / cs) + 1);
    const counts = new Int32Array(this.nx * this.ny + 1);
    const visitCells = (i: number, fn: (cell: number) => void): void => {
      const [ex, ey] = extent(drafts[i]!);
      const d = drafts[i]!;
      const x0 = Math.max(0, Math.floor((d.cx - ex - this.gx0) / cs));
      const x1 = Math.min(this.nx - 1, Math.floor((d.cx + ex - this.gx0) / cs));
      const y0 = Math.max(0, Math.floor((d.cy - ey - this.gy0) / cs));
      const y1 = Math.min(this.ny - 1, Math.floor((d.cy + ey - this.gy0) / cs));
      for (let cy = y0; cy <= y1; cy++)
        for (let cx = x0; cx <= x1; cx++) {
          // Skip cells a long thin rotated box does not touch.
          if (
            d.kind === BOX &&
            this.primDistance(i, this.gx0 + (cx + 0.5) * cs, this.gy0 + (cy + 0.5) * cs) > cs * 0.7072
          )
            continue;
          fn(cy * this.nx + cx);
        }
    };
    for (let i = 0; i < n; i++) visitCells(i, (c) => counts[c + 1]!++);
    for (let c = 0; c < this.nx * this.ny; c++) counts[c + 1]! += counts[c]!;
    this.cellStart = counts.slice();
    this.cellItems = new Int32Array(counts[this.nx * this.ny]!);
    const fill = counts.slice();
    for (let i = 0; i < n; i++) visitCells(i, (c) => (this.cellItems[fill[c]!++] = i));

    const m = this.movers.length;
    this.mX = new Float64Array(m);
    this.mY = new Float64Array(m);
    this.mR = new Float64Array(m);
    this.mH = new Float64Array(m);
    this.mObj = new Int32Array(m);
    this.movers.forEach((mv, i) => {
      this.mR[i] = mv.radius;
      this.mH[i] = mv.height;
      this.mObj[i] = mv.obj;
    });
    this.setTime(0);
  }

  /** Number of static prisms (for diagnostics and the docs). */
  get primitiveCount(): number {
    return this.nPrim;
  }

  get movingCount(): number {
    return this.movers.length;
  }

  /** Current clock time of the moving obstacles. */
  get currentTime(): number {
    return this.time;
  }

  /**
   * A disk (the robot) that moving obstacles do not walk into: a person or pet whose next step would
   * bring it closer while touching the disk waits instead, as people step aside for a robot.
   */
  setKeepOut(keepOut: { x: number; y: number; radius: number } | undefined): void {
    this.keepOut = keepOut;
  }

  setTime(t: number): void {
    const dt = t - this.time;
    const m = this.movers.length;
    if (this.mWaited.length !== m || dt < 0) {
      this.mWaited = new Float64Array(m);
      this.mDir = new Int8Array(m).fill(1);
      this.mBase = new Float64Array(m);
      this.mStill = new Float64Array(m);
    }
    this.time = t;
    const keep = this.keepOut;
    for (let i = 0; i < m; i++) {
      const mv = this.movers[i]!;
      const [x, y] = this.moverPosition(mv, t - this.mWaited[i]!, this.mDir[i]!, this.mBase[i]!);
      if (keep && dt > 0) {
        const reach = keep.radius + this.mR[i]!;
        const dNew = Math.hypot(x - keep.x, y - keep.y);
        const dOld = Math.hypot(this.mX[i]! - keep.x, this.mY[i]! - keep.y);
        if (dNew < reach && dNew < dOld) {
          this.mWaited[i] = this.mWaited[i]! + dt;
          this.mStill[i] = this.mStill[i]! + dt;
          // Nobody waits for ever for a robot in the way: after MOVER_PATIENCE s the mover turns back, and
          // walks its path the other way round from where it stands.
          if (this.mStill[i]! >= MOVER_PATIENCE && t - this.mWaited[i]! > mv.startDelay) {
            const walked = mv.speed * (t - this.mWaited[i]! - mv.startDelay);
            const here = this.mBase[i]! + this.mDir[i]! * walked;
            this.mDir[i] = -this.mDir[i]!;
            this.mBase[i] = here - this.mDir[i]! * walked;
            this.mStill[i] = 0;
          }
          continue;
        }
      }
      this.mStill[i] = 0;
      this.mX[i] = x;
      this.mY[i] = y;
    }
  }

  /** Where `mv` is after walking for `t` s (its own clock: waits left out) way `dir` from arc length `base`. */
  private moverPosition(mv: Mover, t: number, dir: number, base: number): [number, number] {
    const total = mv.cum[mv.cum.length - 1]!;
    let s = base + dir * (mv.speed * Math.max(0, t - mv.startDelay));
    if (total > 0) {
      s %= total;
      if (s < 0) s += total;
    } else s = 0;
    let k = 0;
    while (k < mv.cum.length - 2 && mv.cum[k + 1]! < s) k++;
    const segLen = mv.cum[k + 1]! - mv.cum[k]!;
    const f = segLen > 0 ? (s - mv.cum[k]!) / segLen : 0;
    return [mv.xs[k]! + f * (mv.xs[k + 1]! - mv.xs[k]!), mv.ys[k]! + f * (mv.ys[k + 1]! - mv.ys[k]!)];
  }

  /** Every static prism. */
  footprints(): Footprint[] {
    const out: Footprint[] = [];
    for (let i = 0; i < this.nPrim; i++)
      out.push({
        shape: this.pKind[i] === CIRCLE ? 'circle' : 'box',
        x: this.pCx[i]!,
        y: this.pCy[i]!,
        halfWidth: this.pA[i]!,
        halfDepth: this.pB[i]!,
        rotation: Math.atan2(this.pSin[i]!, this.pCos[i]!),
        bottom: this.pZb[i]!,
        top: this.pZt[i]!,
        object: this.pObj[i]!,
      });
    return out;
  }

  /** Where each moving obstacle is now. */
  movingPositions(): { id: string; x: number; y: number; radius: number; height: number }[] {
    return this.movers.map((mv, i) => ({
      id: this.objects[mv.obj]!.id,
      x: this.mX[i]!,
      y: this.mY[i]!,
      radius: this.mR[i]!,
      height: this.mH[i]!,
    }));
  }

  private nextStamp(): number {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  raycast(x: number, y: number, z: number, angle: number, maxRange: number): number {
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    let best = maxRange;
    let hit = false;

    for (let i = 0; i < this.mX.length; i++) {
      if (z > this.mH[i]! || z < 0) continue;
      const t = rayCircle(x - this.mX[i]!, y - this.mY[i]!, dx, dy, this.mR[i]!);
      if (t <= best) {
        best = t;
        hit = true;
      }
    }

    const cs = this.cs;
    const gx0 = this.gx0;
    const gy0 = this.gy0;
    const nx = this.nx;
    const ny = this.ny;
    // Clip the ray to the grid.
    let t0 = 0;
    let t1 = best;
    const gx1 = gx0 + nx * cs;
    const gy1 = gy0 + ny * cs;
    if (dx !== 0) {
      let a = (gx0 - x) / dx;
      let b = (gx1 - x) / dx;
      if (a > b) [a, b] = [b, a];
      if (a > t0) t0 = a;
      if (b < t1) t1 = b;
    } else if (x < gx0 || x >= gx1) t1 = -1;
    if (dy !== 0) {
      let a = (gy0 - y) / dy;
      let b = (gy1 - y) / dy;
      if (a > b) [a, b] = [b, a];
      if (a > t0) t0 = a;
      if (b < t1) t1 = b;
    } else if (y < gy0 || y >= gy1) t1 = -1;
    if (t0 > t1) return hit ? best : Infinity;

    const px = x + dx * t0;
    const py = y + dy * t0;
    let ix = Math.min(nx - 1, Math.max(0, Math.floor((px - gx0) / cs)));
    let iy = Math.min(ny - 1, Math.max(0, Math.floor((py - gy0) / cs)));
    const stepX = dx > 0 ? 1 : -1;
    const stepY = dy > 0 ? 1 : -1;
    const tDeltaX = dx !== 0 ? Math.abs(cs / dx) : Infinity;
    const tDeltaY = dy !== 0 ? Math.abs(cs / dy) : Infinity;
    let tMaxX = dx !== 0 ? (gx0 + (ix + (dx > 0 ? 1 : 0)) * cs - x) / dx : Infinity;
    let tMaxY = dy !== 0 ? (gy0 + (iy + (dy > 0 ? 1 : 0)) * cs - y) / dy : Infinity;
    let tEnter = t0;

    const stamp = this.nextStamp();
    const mark = this.mark;
    const cellStart = this.cellStart;
    const cellItems = this.cellItems;
    const pKind = this.pKind;
    const pCx = this.pCx;
    const pCy = this.pCy;
    const pA = this.pA;
    const pB = this.pB;
    const pCos = this.pCos;
    const pSin = this.pSin;
    const pZb = this.pZb;
    const pZt = this.pZt;

    for (;;) {
      if (tEnter > best) break;
      const c = iy * nx + ix;
      const end = cellStart[c + 1]!;
      for (let k = cellStart[c]!; k < end; k++) {
        const i = cellItems[k]!;
        if (mark[i] === stamp) continue;
        mark[i] = stamp;
        if (z < pZb[i]! || z > pZt[i]!) continue;
        const ox = x - pCx[i]!;
        const oy = y - pCy[i]!;
        let t: number;
        if (pKind[i] === CIRCLE) {
          t = rayCircle(ox, oy, dx, dy, pA[i]!);
        } else {
          const co = pCos[i]!;
          const si = pSin[i]!;
          const lx = ox * co + oy * si;
          const ly = oy * co - ox * si;
          const ldx = dx * co + dy * si;
          const ldy = dy * co - dx * si;
          const hw = pA[i]!;
          const hd = pB[i]!;
          let tmin = 0;
          let tmax = Infinity;
          if (ldx !== 0) {
            const inv = 1 / ldx;
            let ta = (-hw - lx) * inv;
            let tb = (hw - lx) * inv;
            if (ta > tb) {
              const tmp = ta;
              ta = tb;
              tb = tmp;
            }
            if (ta > tmin) tmin = ta;
            if (tb < tmax) tmax = tb;
          } else if (lx < -hw || lx > hw) continue;
          if (ldy !== 0) {
            const inv = 1 / ldy;
            let ta = (-hd - ly) * inv;
            let tb = (hd - ly) * inv;
            if (ta > tb) {
              const tmp = ta;
              ta = tb;
              tb = tmp;
            }
            if (ta > tmin) tmin = ta;
            if (tb < tmax) tmax = tb;
          } else if (ly < -hd || ly > hd) continue;
          t = tmin <= tmax ? tmin : Infinity;
        }
        if (t <= best) {
          best = t;
          hit = true;
        }
      }
      if (tMaxX < tMaxY) {
        tEnter = tMaxX;
        ix += stepX;
        if (ix < 0 || ix >= nx) break;
        tMaxX += tDeltaX;
      } else {
        tEnter = tMaxY;
        iy += stepY;
        if (iy < 0 || iy >= ny) break;
        tMaxY += tDeltaY;
      }
      if (tEnter > t1) break;
    }
    return hit ? best : Infinity;
  }

  /**
   * Every prism the horizontal ray from (x, y) crosses within maxRange, at any height, sorted by entry
   * distance. Stops collecting behind a prism standing on the floor whose top is at least
   * `stopZ0 + stopSlope · r` at the distance r where the ray enters it (it hides everything behind it from
   * rays no higher than that). Returns the number of hits written to `out` (at most `capacity`).
   */
  castAll(
    x: number,
    y: number,
    angle: number,
    maxRange: number,
    stopZ0: number,
    stopSlope: number,
    out: HitBuffer,
    offset: number,
    capacity: number,
  ): number {
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    let limit = maxRange;
    let n = 0;
    const add = (rin: number, rout: number, zb: number, zt: number, obj: number, shade: number): void => {
      if (rin > limit) return;
      if (zb <= 0 && zt >= stopZ0 + stopSlope * rin && rin < limit) limit = rin;
      if (n < capacity) {
        const j = offset + n++;
        out.rin[j] = rin;
        out.rout[j] = rout;
        out.zb[j] = zb;
        out.zt[j] = zt;
        out.obj[j] = obj;
        out.shade[j] = shade;
      }
    };

    for (let i = 0; i < this.mX.length; i++) {
      const r = this.mR[i]!;
      const ox = x - this.mX[i]!;
      const oy = y - this.mY[i]!;
      const b = ox * dx + oy * dy;
      const c = ox * ox + oy * oy - r * r;
      const disc = b * b - c;
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      const tout = -b + sq;
      if (tout < 0) continue;
      const tin = Math.max(0, -b - sq);
      add(tin, tout, 0, this.mH[i]!, this.mObj[i]!, circleShade(ox, oy, dx, dy, tin, r));
    }

    const cs = this.cs;
    const nx = this.nx;
    const ny = this.ny;
    let t0 = 0;
    let t1 = limit;
    const gx1 = this.gx0 + nx * cs;
    const gy1 = this.gy0 + ny * cs;
    if (dx !== 0) {
      let a = (this.gx0 - x) / dx;
      let b = (gx1 - x) / dx;
      if (a > b) [a, b] = [b, a];
      t0 = Math.max(t0, a);
      t1 = Math.min(t1, b);
    } else if (x < this.gx0 || x >= gx1) t1 = -1;
    if (dy !== 0) {
      let a = (this.gy0 - y) / dy;
      let b = (gy1 - y) / dy;
      if (a > b) [a, b] = [b, a];
      t0 = Math.max(t0, a);
      t1 = Math.min(t1, b);
    } else if (y < this.gy0 || y >= gy1) t1 = -1;

    if (t0 <= t1) {
      let ix = Math.min(nx - 1, Math.max(0, Math.floor((x + dx * t0 - this.gx0) / cs)));
      let iy = Math.min(ny - 1, Math.max(0, Math.floor((y + dy * t0 - this.gy0) / cs)));
      const stepX = dx > 0 ? 1 : -1;
      const stepY = dy > 0 ? 1 : -1;
      const tDeltaX = dx !== 0 ? Math.abs(cs / dx) : Infinity;
      const tDeltaY = dy !== 0 ? Math.abs(cs / dy) : Infinity;
      let tMaxX = dx !== 0 ? (this.gx0 + (ix + (dx > 0 ? 1 : 0)) * cs - x) / dx : Infinity;
      let tMaxY = dy !== 0 ? (this.gy0 + (iy + (dy > 0 ? 1 : 0)) * cs - y) / dy : Infinity;
      let tEnter = t0;
      const stamp = this.nextStamp();
      for (;;) {
        if (tEnter > limit) break;
        const c = iy * nx + ix;
        for (let k = this.cellStart[c]!; k < this.cellStart[c + 1]!; k++) {
          const i = this.cellItems[k]!;
          if (this.mark[i] === stamp) continue;
          this.mark[i] = stamp;
          const ox = x - this.pCx[i]!;
          const oy = y - this.pCy[i]!;
          if (this.pKind[i] === CIRCLE) {
            const r = this.pA[i]!;
            const b = ox * dx + oy * dy;
            const disc = b * b - (ox * ox + oy * oy - r * r);
            if (disc < 0) continue;
            const sq = Math.sqrt(disc);
            const tout = -b + sq;
            if (tout < 0) continue;
            const tin = Math.max(0, -b - sq);
            add(tin, tout, this.pZb[i]!, this.pZt[i]!, this.pObj[i]!, circleShade(ox, oy, dx, dy, tin, r));
          } else {
            const co = this.pCos[i]!;
            const si = this.pSin[i]!;
            const lx = ox * co + oy * si;
            const ly = oy * co - ox * si;
            const ldx = dx * co + dy * si;
            const ldy = dy * co - dx * si;
            const hw = this.pA[i]!;
            const hd = this.pB[i]!;
            let tmin = -Infinity;
            let tmax = Infinity;
            let entryAlongX = true;
            if (ldx !== 0) {
              let ta = (-hw - lx) / ldx;
              let tb = (hw - lx) / ldx;
              if (ta > tb) [ta, tb] = [tb, ta];
              tmin = ta;
              tmax = tb;
            } else if (lx < -hw || lx > hw) continue;
            if (ldy !== 0) {
              let ta = (-hd - ly) / ldy;
              let tb = (hd - ly) / ldy;
              if (ta > tb) [ta, tb] = [tb, ta];
              if (ta > tmin) {
                tmin = ta;
                entryAlongX = false;
              }
              tmax = Math.min(tmax, tb);
            } else if (ly < -hd || ly > hd) continue;
            if (tmin > tmax || tmax < 0) continue;
            const cosInc = tmin < 0 ? 1 : Math.abs(entryAlongX ? ldx : ldy);
            add(Math.max(0, tmin), tmax, this.pZb[i]!, this.pZt[i]!, this.pObj[i]!, 0.5 + 0.5 * cosInc);
          }
        }
        if (tMaxX < tMaxY) {
          tEnter = tMaxX;
          ix += stepX;
          if (ix < 0 || ix >= nx) break;
          tMaxX += tDeltaX;
        } else {
          tEnter = tMaxY;
          iy += stepY;
          if (iy < 0 || iy >= ny) break;
          tMaxY += tDeltaY;
        }
        if (tEnter > t1) break;
      }
    }

    // Drop what the blocking prism hides, then sort by entry distance (few hits: insertion sort).
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const j = offset + k;
      if (out.rin[j]! > limit) continue;
      const d = offset + kept++;
      if (d !== j) {
        out.rin[d] = out.rin[j]!;
        out.rout[d] = out.rout[j]!;
        out.zb[d] = out.zb[j]!;
        out.zt[d] = out.zt[j]!;
        out.obj[d] = out.obj[j]!;
        out.shade[d] = out.shade[j]!;
      }
    }
    for (let k = 1; k < kept; k++) {
      const j = offset + k;
      const rin = out.rin[j]!;
      const rout = out.rout[j]!;
      const zb = out.zb[j]!;
      const zt = out.zt[j]!;
      const obj = out.obj[j]!;
      const shade = out.shade[j]!;
      let m = j - 1;
      while (m >= offset && out.rin[m]! > rin) {
        out.rin[m + 1] = out.rin[m]!;
        out.rout[m + 1] = out.rout[m]!;
        out.zb[m + 1] = out.zb[m]!;
        out.zt[m + 1] = out.zt[m]!;
        out.obj[m + 1] = out.obj[m]!;
        out.shade[m + 1] = out.shade[m]!;
        m--;
      }
      out.rin[m + 1] = rin;
      out.rout[m + 1] = rout;
      out.zb[m + 1] = zb;
      out.zt[m + 1] = zt;
      out.obj[m + 1] = obj;
      out.shade[m + 1] = shade;
    }
    return kept;
  }

  contacts(x: number, y: number, radius: number): WorldContact[] {
    const found: WorldContact[] = [];
    const stamp = this.nextStamp();
    const cs = this.cs;
    const x0 = Math.max(0, Math.floor((x - radius - this.gx0) / cs));
    const x1 = Math.min(this.nx - 1, Math.floor((x + radius - this.gx0) / cs));
    const y0 = Math.max(0, Math.floor((y - radius - this.gy0) / cs));
    const y1 = Math.min(this.ny - 1, Math.floor((y + radius - this.gy0) / cs));
    for (let cy = y0; cy <= y1; cy++)
      for (let cx = x0; cx <= x1; cx++) {
        const c = cy * this.nx + cx;
        for (let k = this.cellStart[c]!; k < this.cellStart[c + 1]!; k++) {
          const i = this.cellItems[k]!;
          if (this.mark[i] === stamp) continue;
          this.mark[i] = stamp;
          if (this.pZb[i]! > this.overheadClearance) continue;
          const contact = this.primContact(i, x, y, radius);
          if (contact) found.push(contact);
        }
      }
    for (let i = 0; i < this.mX.length; i++) {
      const ddx = this.mX[i]! - x;
      const ddy = this.mY[i]! - y;
      const d = Math.hypot(ddx, ddy);
      const depth = radius + this.mR[i]! - d;
      if (depth > 0)
        found.push({
          bearing: Math.atan2(ddy, ddx),
          depth,
          height: this.mH[i]!,
          bottom: 0,
          id: this.objects[this.mObj[i]!]!.id,
          moving: true,
        });
    }
    return found;
  }

  private primContact(i: number, x: number, y: number, radius: number): WorldContact | undefined {
    const obj = this.objects[this.pObj[i]!]!;
    const ox = x - this.pCx[i]!;
    const oy = y - this.pCy[i]!;
    let nearX: number; // world-frame vector from the disk centre to the nearest obstacle point
    let nearY: number;
    let inside: boolean;
    if (this.pKind[i] === CIRCLE) {
      const d = Math.hypot(ox, oy);
      const r = this.pA[i]!;
      inside = d < r;
      const ux = d > 0 ? ox / d : 1;
      const uy = d > 0 ? oy / d : 0;
      nearX = ux * r - ox;
      nearY = uy * r - oy;
    } else {
      const co = this.pCos[i]!;
      const si = this.pSin[i]!;
      const lx = ox * co + oy * si;
      const ly = oy * co - ox * si;
      const hw = this.pA[i]!;
      const hd = this.pB[i]!;
      inside = Math.abs(lx) < hw && Math.abs(ly) < hd;
      let qx: number;
      let qy: number;
      if (inside) {
        // The nearest face is the way out.
        if (hw - Math.abs(lx) < hd - Math.abs(ly)) {
          qx = Math.sign(lx || 1) * hw;
          qy = ly;
        } else {
          qx = lx;
          qy = Math.sign(ly || 1) * hd;
        }
      } else {
        qx = Math.min(hw, Math.max(-hw, lx));
        qy = Math.min(hd, Math.max(-hd, ly));
      }
      const lnx = qx - lx;
      const lny = qy - ly;
      nearX = lnx * co - lny * si;
      nearY = lnx * si + lny * co;
    }
    const dist = Math.hypot(nearX, nearY);
    if (!inside && dist >= radius) return undefined;
    return {
      // Inside, the obstacle lies opposite the way out.
      bearing: inside ? Math.atan2(-nearY, -nearX) : Math.atan2(nearY, nearX),
      depth: inside ? radius + dist : radius - dist,
      height: this.pZt[i]!,
      bottom: this.pZb[i]!,
      id: obj.id,
      moving: false,
    };
  }

  /** Distance from a point to static prism i's footprint (0 inside). */
  private primDistance(i: number, x: number, y: number): number {
    const ox = x - this.pCx[i]!;
    const oy = y - this.pCy[i]!;
    if (this.pKind[i] === CIRCLE) return Math.max(0, Math.hypot(ox, oy) - this.pA[i]!);
    const lx = ox * this.pCos[i]! + oy * this.pSin[i]!;
    const ly = oy * this.pCos[i]! - ox * this.pSin[i]!;
    return Math.hypot(Math.max(0, Math.abs(lx) - this.pA[i]!), Math.max(0, Math.abs(ly) - this.pB[i]!));
  }

  isCliff(x: number, y: number): boolean {
    for (const c of this.spec.cliffs) if (pointInPolygon(c.polygon, x, y)) return true;
    return false;
  }

  floorTypeAt(x: number, y: number): FloorType {
    const floors = this.spec.floors;
    for (let i = floors.length - 1; i >= 0; i--)
      if (pointInPolygon(floors[i]!.polygon, x, y)) return floors[i]!.type;
    return this.spec.defaultFloor;
  }

  /** Floor types (and cliffs) sampled on a grid, for per-pixel lookups by the camera renderer. */
  floorRaster(): FloorRaster {
    if (this.floorRasterCache) return this.floorRasterCache;
    const res = this.floorRasterResolution;
    const originX = Math.floor(this.bounds.minX / res) * res;
    const originY = Math.floor(this.bounds.minY / res) * res;
    const width = Math.max(1, Math.ceil((this.bounds.maxX - originX) / res));
    const height = Math.max(1, Math.ceil((this.bounds.maxY - originY) / res));
    const data = new Uint8Array(width * height).fill(FLOOR_TYPES.indexOf(this.spec.defaultFloor));
    const paint = (poly: readonly WorldPoint[], value: number): void => {
      let x0 = Infinity;
      let x1 = -Infinity;
      let y0 = Infinity;
      let y1 = -Infinity;
      for (const [px, py] of poly) {
        x0 = Math.min(x0, px);
        x1 = Math.max(x1, px);
        y0 = Math.min(y0, py);
        y1 = Math.max(y1, py);
      }
      const c0 = Math.max(0, Math.floor((x0 - originX) / res));
      const c1 = Math.min(width - 1, Math.floor((x1 - originX) / res));
      const r0 = Math.max(0, Math.floor((y0 - originY) / res));
      const r1 = Math.min(height - 1, Math.floor((y1 - originY) / res));
      for (let r = r0; r <= r1; r++)
        for (let c = c0; c <= c1; c++)
          if (pointInPolygon(poly, originX + (c + 0.5) * res, originY + (r + 0.5) * res))
            data[r * width + c] = value;
    };
    for (const f of this.spec.floors) paint(f.polygon, FLOOR_TYPES.indexOf(f.type));
    for (const c of this.spec.cliffs) paint(c.polygon, CLIFF_CELL);
    this.floorRasterCache = { originX, originY, resolution: res, width, height, data };
    return this.floorRasterCache;
  }

  /**
   * Ground truth as an occupancy grid: a cell is occupied (100) when a prism whose vertical extent
   * overlaps `band` covers it (closer than half a cell to its centre, so thin cables still show), free (0)
   * otherwise. Cliffs count as occupied when `cliffs` is set; moving obstacles only when `moving` is set.
   * The grid covers the world's bounds plus `margin`.
   */
  rasterize(
    resolution: number,
    band: HeightBand,
    options: { cliffs?: boolean; moving?: boolean; margin?: number } = {},
  ): OccupancyGrid {
    const margin = options.margin ?? 0.5;
    const originX = Math.floor((this.bounds.minX - margin) / resolution) * resolution;
    const originY = Math.floor((this.bounds.minY - margin) / resolution) * resolution;
    const width = Math.ceil((this.bounds.maxX + margin - originX) / resolution);
    const height = Math.ceil((this.bounds.maxY + margin - originY) / resolution);
    const grid = createGrid(
      { width, height, resolution, origin: { x: originX, y: originY, theta: 0 } },
      FREE,
    );
    const half = resolution / 2;
    const overlaps = (zb: number, zt: number): boolean => zb <= band.max && zt >= band.min && zt > 0;
    const stampShape = (
      ex: number,
      ey: number,
      cx0: number,
      cy0: number,
      dist: (x: number, y: number) => number,
    ) => {
      const c0 = Math.max(0, Math.floor((cx0 - ex - half - originX) / resolution));
      const c1 = Math.min(width - 1, Math.floor((cx0 + ex + half - originX) / resolution));
      const r0 = Math.max(0, Math.floor((cy0 - ey - half - originY) / resolution));
      const r1 = Math.min(height - 1, Math.floor((cy0 + ey + half - originY) / resolution));
      for (let r = r0; r <= r1; r++)
        for (let c = c0; c <= c1; c++)
          if (dist(originX + (c + 0.5) * resolution, originY + (r + 0.5) * resolution) < half)
            grid.data[r * width + c] = OCCUPIED;
    };
    for (let i = 0; i < this.nPrim; i++) {
      if (!overlaps(this.pZb[i]!, this.pZt[i]!)) continue;
      const a = this.pA[i]!;
      const b = this.pB[i]!;
      const ex = this.pKind[i] === CIRCLE ? a : Math.abs(a * this.pCos[i]!) + Math.abs(b * this.pSin[i]!);
      const ey = this.pKind[i] === CIRCLE ? a : Math.abs(a * this.pSin[i]!) + Math.abs(b * this.pCos[i]!);
      stampShape(ex, ey, this.pCx[i]!, this.pCy[i]!, (x, y) => this.primDistance(i, x, y));
    }
    if (options.moving)
      for (let i = 0; i < this.mX.length; i++) {
        if (!overlaps(0, this.mH[i]!)) continue;
        const r = this.mR[i]!;
        const mx = this.mX[i]!;
        const my = this.mY[i]!;
        stampShape(r, r, mx, my, (x, y) => Math.max(0, Math.hypot(x - mx, y - my) - r));
      }
    if (options.cliffs)
      for (let r = 0; r < height; r++)
        for (let c = 0; c < width; c++)
          if (this.isCliff(originX + (c + 0.5) * resolution, originY + (r + 0.5) * resolution))
            grid.data[r * width + c] = OCCUPIED;
    return grid;
  }

  /**
   * What a robot of this height (default: overheadClearance) cannot drive through: every part reaching
   * into [0, robotHeight], and cliffs.
   */
  obstacleGrid(resolution: number, robotHeight = this.overheadClearance): OccupancyGrid {
    return this.rasterize(resolution, { min: 0, max: robotHeight }, { cliffs: true });
  }

  /** What a LIDAR scanning at this height can see. */
  lidarPlaneGrid(resolution: number, lidarHeight: number): OccupancyGrid {
    return this.rasterize(resolution, { min: lidarHeight, max: lidarHeight });
  }

  // --- building the prisms from the world file ---------------------------------------------------------

  private addObject(id: string, cls: WorldClass, moving: boolean): number {
    const base = CLASS_COLOUR[cls];
    const v = 0.8 + 0.4 * hash01(id);
    const colour = [0, 1, 2].map((k) => Math.min(255, Math.round(base[k]! * v))) as unknown as readonly [
      number,
      number,
      number,
    ];
    this.objects.push({ id, cls, classId: CLASS_ID[cls], moving, colour });
    return this.objects.length - 1;
  }

  private compile(spec: WorldSpec): PrimitiveDraft[] {
    const out: PrimitiveDraft[] = [];
    const counters = new Map<string, number>();
    const autoId = (kind: string): string => {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${kind}-${n}`;
    };
    const box = (
      obj: number,
      cx: number,
      cy: number,
      w: number,
      d: number,
      rot: number,
      zb: number,
      zt: number,
    ) => out.push({ kind: BOX, cx, cy, a: w / 2, b: d / 2, rot, zb, zt, obj });
    const circle = (obj: number, cx: number, cy: number, r: number, zb: number, zt: number) =>
      out.push({ kind: CIRCLE, cx, cy, a: r, b: r, rot: 0, zb, zt, obj });
    /** A thick segment with square caps, so consecutive segments close their corners. */
    const segment = (obj: number, p: WorldPoint, q: WorldPoint, thickness: number, zt: number) => {
      const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
      // A zero-length segment is a square post (its caps meet).
      box(
        obj,
        (p[0] + q[0]) / 2,
        (p[1] + q[1]) / 2,
        len + thickness,
        thickness,
        Math.atan2(q[1] - p[1], q[0] - p[0]),
        0,
        zt,
      );
    };

    for (const w of spec.walls) {
      const obj = this.addObject(w.id ?? autoId('wall'), 'wall', false);
      const pts = w.closed ? [...w.points, w.points[0]!] : w.points;
      for (let i = 0; i + 1 < pts.length; i++) segment(obj, pts[i]!, pts[i + 1]!, w.thickness, w.height);
    }

    for (const f of spec.furniture) {
      const cls: WorldClass = f.kind === 'solid' || f.kind === 'cabinet' ? 'furniture' : f.kind;
      const obj = this.addObject(f.id ?? autoId(f.kind), cls, false);
      const ls = f.legSize;
      const onLegs = f.kind === 'table' || f.kind === 'chair';
      const soft = f.kind === 'sofa' || f.kind === 'bed';
      // Legs stand from the floor to the underside of the top (tables) or of the body (sofas, beds).
      const underside = onLegs
        ? f.height - f.topThickness
        : soft
          ? (f.clearance ?? DEFAULT_CLEARANCE[f.kind]!)
          : 0;
      if (f.shape === 'circle') {
        circle(obj, f.x, f.y, f.radius, underside, f.height);
        if (underside > 0) circle(obj, f.x, f.y, Math.min(ls, f.radius), 0, underside);
      } else {
        box(obj, f.x, f.y, f.width, f.depth, f.rotation, underside, f.height);
        if (underside > 0) {
          const c = Math.cos(f.rotation);
          const s = Math.sin(f.rotation);
          const lx = Math.max(0, f.width / 2 - ls / 2);
          const ly = Math.max(0, f.depth / 2 - ls / 2);
          for (const [sx, sy] of [
            [1, 1],
            [-1, 1],
            [-1, -1],
            [1, -1],
          ] as const) {
            const px = sx * lx;
            const py = sy * ly;
            box(
              obj,
              f.x + c * px - s * py,
              f.y + s * px + c * py,
              Math.min(ls, f.width),
              Math.min(ls, f.depth),
              f.rotation,
              0,
              underside,
            );
          }
        }
      }
    }

    for (const o of spec.lowObstacles) {
      const obj = this.addObject(o.id ?? autoId(o.kind), o.kind, false);
      if (o.shape === 'circle') circle(obj, o.x, o.y, o.radius, 0, o.height);
      else if (o.shape === 'rect') box(obj, o.x, o.y, o.width, o.depth, o.rotation, 0, o.height);
      else
        for (let i = 0; i + 1 < o.points.length; i++)
          segment(obj, o.points[i]!, o.points[i + 1]!, o.width, o.height);
    }

    for (const m of spec.movingObstacles) {
      const obj = this.addObject(m.id ?? autoId(m.kind), m.kind, true);
      const pts: WorldPoint[] =
        m.mode === 'loop' ? [...m.path, m.path[0]!] : [...m.path, ...m.path.slice(0, -1).reverse()];
      const xs = new Float64Array(pts.map((p) => p[0]));
      const ys = new Float64Array(pts.map((p) => p[1]));
      const cum = new Float64Array(pts.length);
      for (let i = 1; i < pts.length; i++)
        cum[i] = cum[i - 1]! + Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
      this.movers.push({
        obj,
        radius: m.radius,
        height: m.height,
        xs,
        ys,
        cum,
        speed: m.speed,
        startDelay: m.startDelay,
      });
    }
    return out;
  }
}

/** Half extents of a prism's axis-aligned bounding box. */
function extent(d: PrimitiveDraft): [number, number] {
  if (d.kind === CIRCLE) return [d.a, d.a];
  const c = Math.abs(Math.cos(d.rot));
  const s = Math.abs(Math.sin(d.rot));
  return [d.a * c + d.b * s, d.a * s + d.b * c];
}

/** Entry distance of a ray (origin relative to the circle centre, unit direction) into a disk, 0 if inside. */
function rayCircle(ox: number, oy: number, dx: number, dy: number, r: number): number {
  const b = ox * dx + oy * dy;
  const c = ox * ox + oy * oy - r * r;
  if (c <= 0) return 0;
  if (b >= 0) return Infinity;
  const disc = b * b - c;
  if (disc < 0) return Infinity;
  return -b - Math.sqrt(disc);
}

/** Brightness of a cylinder where the ray enters it: bright head-on, darker at grazing angles. */
function circleShade(ox: number, oy: number, dx: number, dy: number, tin: number, r: number): number {
  if (tin <= 0) return 1;
  const nx = (ox + dx * tin) / r;
  const ny = (oy + dy * tin) / r;
  return 0.5 + 0.5 * Math.abs(nx * dx + ny * dy);
}
