/**
 * The LIDAR obstacle layer (Nav2's ObstacleLayer): marks the cells where beams end within `obstacleRange`
 * and clears the cells beams pass through within `raytraceRange`, so an obstacle that moves away is erased
 * by the next beams that see past it. Marks live in their own grid, copied along when the map grows.
 */
import type { GridInfo } from '../../../shared/occupancy-grid.ts';
import type { RayBatch } from '../occupancy-map.ts';
import { traceRay } from '../ray-trace.ts';
import { LETHAL, regrid, sameGeometry, type Costmap, type CostmapLayer } from './costmap.ts';

const CLEAR = 0;
const MARKED = 1;

export class LidarObstacleLayer implements CostmapLayer {
  readonly name = 'lidar-obstacles';
  private info: GridInfo | null = null;
  private marks: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly obstacleRange = 2.5,
    private readonly raytraceRange = 3.0,
  ) {}

  private fit(info: GridInfo): void {
    if (this.info && sameGeometry(this.info, info)) return;
    this.marks = this.info
      ? regrid(this.marks, this.info, info, CLEAR)
      : new Uint8Array(info.width * info.height);
    this.info = {
      width: info.width,
      height: info.height,
      resolution: info.resolution,
      origin: { ...info.origin },
    };
  }

  /** Clears along every beam (up to raytraceRange), then marks hits within obstacleRange (map frame rays). */
  markAndClear(rays: RayBatch, info: GridInfo): void {
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
    for (let i = 0; i < rays.count; i++) {
      const dx = rays.endX[i]! - rays.originX;
      const dy = rays.endY[i]! - rays.originY;
      const len = Math.hypot(dx, dy);
      const k = len > this.raytraceRange ? this.raytraceRange / len : 1;
      // The end cell of a hit is left to the marking pass; a clipped or no-return beam clears to its end.
      traceRay(sx, sy, sx + (dx * k) / r, sy + (dy * k) / r, rays.hit[i] === 0 || k < 1, clear);
    }
    for (let i = 0; i < rays.count; i++) {
      if (rays.hit[i] === 0) continue;
      if (Math.hypot(rays.endX[i]! - rays.originX, rays.endY[i]! - rays.originY) > this.obstacleRange)
        continue;
      const cx = Math.floor((rays.endX[i]! - info.origin.x) / r);
      const cy = Math.floor((rays.endY[i]! - info.origin.y) / r);
      if (cx >= 0 && cy >= 0 && cx < w && cy < h) marks[cy * w + cx] = MARKED;
    }
  }

  /** Marked cells become lethal (max-combine: the layer never lowers another layer's cost). */
  updateCosts(master: Costmap): void {
    if (!this.info) return;
    this.fit(master);
    const costs = master.costs;
    const marks = this.marks;
    for (let i = 0; i < costs.length; i++) if (marks[i] === MARKED) costs[i] = LETHAL;
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
