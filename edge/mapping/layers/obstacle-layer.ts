/**
 * The LIDAR obstacle layer (Nav2's ObstacleLayer): marks the cells where beams end within `obstacleRange`
 * and clears the cells beams pass through within `raytraceRange`, so an obstacle that moves away is erased
 * by the next beams that see past it. Marks live in their own grid, copied along when the map grows.
 *
 * A mark no beam has hit for `decay` seconds is dropped (like the spatio-temporal voxel layer's decay): a
 * person walking away from the robot leaves a trail of marks in the shadow of their own body that no beam
 * clears until the robot looks from elsewhere, and such a trail across a doorway cuts a room off. What is
 * really there is marked again as soon as it is in range, and the SLAM map holds everything that stays.
 */
import type { GridInfo } from '../../../shared/occupancy-grid.ts';
import type { RayBatch } from '../occupancy-map.ts';
import { traceRay } from '../ray-trace.ts';
import { LETHAL, regrid, sameGeometry, type Costmap, type CostmapLayer } from './costmap.ts';
import { hypot } from '../hypot.ts';

const CLEAR = 0;
const MARKED = 1;

export class LidarObstacleLayer implements CostmapLayer {
  readonly name = 'lidar-obstacles';
  private info: GridInfo | null = null;
  private marks: Uint8Array = new Uint8Array(0);
  /** clock time each cell was last marked */
  private markedAt: Float64Array = new Float64Array(0);
  /**
   * Cells that may be marked (every marked cell is listed once; cleared ones are dropped at the next
   * updateCosts), so applying the marks costs the marks, not the grid.
   */
  private listed: Uint8Array = new Uint8Array(0);
  private list: Int32Array = new Int32Array(64);
  private listLength = 0;

  constructor(
    private readonly obstacleRange = 2.5,
    private readonly raytraceRange = 3.0,
    private readonly decay = Infinity,
  ) {}

  private fit(info: GridInfo): void {
    if (this.info && sameGeometry(this.info, info)) return;
    this.marks = this.info
      ? regrid(this.marks, this.info, info, CLEAR)
      : new Uint8Array(info.width * info.height);
    this.markedAt = this.info
      ? regrid(this.markedAt, this.info, info, 0)
      : new Float64Array(info.width * info.height);
    this.info = {
      width: info.width,
      height: info.height,
      resolution: info.resolution,
      origin: { ...info.origin },
    };
    this.listed = new Uint8Array(this.marks.length);
    this.listLength = 0;
    for (let i = 0; i < this.marks.length; i++) if (this.marks[i] === MARKED) this.listCell(i);
  }

  private listCell(i: number): void {
    if (this.listed[i] === 1) return;
    this.listed[i] = 1;
    if (this.listLength === this.list.length) {
      const grown = new Int32Array(this.list.length * 2);
      grown.set(this.list);
      this.list = grown;
    }
    this.list[this.listLength++] = i;
  }

  /**
   * Clears along every beam (up to raytraceRange), then marks hits within obstacleRange (map frame rays),
   * seen at clock time `now`.
   */
  markAndClear(rays: RayBatch, info: GridInfo, now = 0): void {
    this.fit(info);
    const r = info.resolution;
    const w = info.width;
    const h = info.height;
    const sx = (rays.originX - info.origin.x) / r;
    const sy = (rays.originY - info.origin.y) / r;
    const marks = this.marks;
    const clear = (cx: number, cy: number): void => {
      if (cx >= 0 && cy >= 0 && cx < w && cy < h) marks[cy * w + cx] = CLEAR;
    };
    const startCx = Math.floor(sx);
    const startCy = Math.floor(sy);
    const startInside = startCx >= 0 && startCy >= 0 && startCx < w && startCy < h;
    for (let i = 0; i < rays.count; i++) {
      const dx = rays.endX[i]! - rays.originX;
      const dy = rays.endY[i]! - rays.originY;
      const len = hypot(dx, dy);
      const k = len > this.raytraceRange ? this.raytraceRange / len : 1;
      // The end cell of a hit is left to the marking pass; a clipped or no-return beam clears to its end.
      const ex = sx + (dx * k) / r;
      const ey = sy + (dy * k) / r;
      const includeEnd = rays.hit[i] === 0 || k < 1;
      const endCx = Math.floor(ex);
      const endCy = Math.floor(ey);
      if (!(startInside && endCx >= 0 && endCy >= 0 && endCx < w && endCy < h)) {
        traceRay(sx, sy, ex, ey, includeEnd, clear);
        continue;
      }
      // traceRay's traversal (same steps, same rounding) clearing cells directly: its first and last cells are
      // inside the grid, so every cell between them is too (the walk is monotone in x and y). It steps x when
      // y is done, y when x is done, else by tMaxX < tMaxY: the same, in three loops.
      const tdx = ex - sx;
      const tdy = ey - sy;
      const stepX = tdx > 0 ? 1 : -1;
      const stepIndexY = tdy > 0 ? w : -w;
      // traceRay's Infinity for an axis the beam does not move along is left out (that axis has no steps, so
      // its tMax is never read; 1 / 0 is Infinity anyway): with the constant in the loop's phis, V8 boxed
      // tMaxX and tMaxY, a heap number per cell.
      const tDeltaX = Math.abs(1 / tdx);
      const tDeltaY = Math.abs(1 / tdy);
      let tMaxX = tdx > 0 ? (startCx + 1 - sx) / tdx : (sx - startCx) / -tdx;
      let tMaxY = tdy > 0 ? (startCy + 1 - sy) / tdy : (sy - startCy) / -tdy;
      let nx = Math.abs(endCx - startCx);
      let ny = Math.abs(endCy - startCy);
      let index = startCy * w + startCx;
      while (nx > 0 && ny > 0) {
        marks[index] = CLEAR;
        if (tMaxX < tMaxY) {
          index += stepX;
          tMaxX += tDeltaX;
          nx--;
        } else {
          index += stepIndexY;
          tMaxY += tDeltaY;
          ny--;
        }
      }
      for (; nx > 0; nx--) {
        marks[index] = CLEAR;
        index += stepX;
      }
      for (; ny > 0; ny--) {
        marks[index] = CLEAR;
        index += stepIndexY;
      }
      if (includeEnd) marks[index] = CLEAR;
    }
    for (let i = 0; i < rays.count; i++) {
      if (rays.hit[i] === 0) continue;
      if (hypot(rays.endX[i]! - rays.originX, rays.endY[i]! - rays.originY) > this.obstacleRange) continue;
      const cx = Math.floor((rays.endX[i]! - info.origin.x) / r);
      const cy = Math.floor((rays.endY[i]! - info.origin.y) / r);
      if (cx >= 0 && cy >= 0 && cx < w && cy < h) {
        marks[cy * w + cx] = MARKED;
        this.markedAt[cy * w + cx] = now;
        this.listCell(cy * w + cx);
      }
    }
  }

  /**
   * Marked cells become lethal (max-combine: the layer never lowers another layer's cost); marks older than
   * the decay at clock time `now` are dropped.
   */
  updateCosts(master: Costmap, now: number): void {
    if (!this.info) return;
    this.fit(master);
    const costs = master.costs;
    const marks = this.marks;
    const list = this.list;
    const oldest = now - this.decay;
    let kept = 0;
    for (let k = 0; k < this.listLength; k++) {
      const i = list[k]!;
      if (marks[i] === MARKED && this.markedAt[i]! < oldest) marks[i] = CLEAR;
      if (marks[i] === MARKED) {
        costs[i] = LETHAL;
        list[kept++] = i;
      } else this.listed[i] = 0;
    }
    this.listLength = kept;
  }

  /** Whether a map-frame point's cell is currently marked. */
  isMarked(x: number, y: number): boolean {
    const info = this.info;
    if (!info) return false;
    const cx = Math.floor((x - info.origin.x) / info.resolution);
    const cy = Math.floor((y - info.origin.y) / info.resolution);
    return (
      cx >= 0 && cy >= 0 && cx < info.width && cy < info.height && this.marks[cy * info.width + cx] === MARKED
    );
  }
}
