/**
 * The camera obstacle layer: perception reports obstacle points on the floor (already projected into the map
 * frame); each marks its cell lethal until `decaySeconds` pass without a new sighting, so a pet or a sock that
 * leaves the camera's view fades out instead of blocking the map forever. `clearPoints` removes marks where
 * perception sees free floor.
 */
import type { Point2D } from '../../../shared/geometry.ts';
import type { GridInfo } from '../../../shared/occupancy-grid.ts';
import { LETHAL, type Costmap, type CostmapLayer } from './costmap.ts';

export class CameraObstacleLayer implements CostmapLayer {
  readonly name = 'camera-obstacles';
  /** last sighting per cell, keyed by map-frame cell coordinates (independent of the grid's growth) */
  private readonly sightings = new Map<string, { cx: number; cy: number; stamp: number }>();

  constructor(
    private readonly resolution: number,
    private readonly decaySeconds = 5,
  ) {}

  private key(p: Point2D): { key: string; cx: number; cy: number } {
    const cx = Math.floor(p.x / this.resolution);
    const cy = Math.floor(p.y / this.resolution);
    return { key: `${cx},${cy}`, cx, cy };
  }

  /** Marks obstacle points (map frame, metres) seen at clock time `stamp`. */
  markObstacles(points: readonly Point2D[], stamp: number): void {
    for (const p of points) {
      const { key, cx, cy } = this.key(p);
      const old = this.sightings.get(key);
      if (!old || old.stamp < stamp) this.sightings.set(key, { cx, cy, stamp });
    }
  }

  /** Removes marks at points perception now sees as free floor. */
  clearPoints(points: readonly Point2D[]): void {
    for (const p of points) this.sightings.delete(this.key(p).key);
  }

  /** Drops marks older than the decay time. */
  decay(now: number): void {
    for (const [key, s] of this.sightings) if (now - s.stamp > this.decaySeconds) this.sightings.delete(key);
  }

  get size(): number {
    return this.sightings.size;
  }

  updateCosts(master: Costmap, now: number): void {
    this.decay(now);
    const info: GridInfo = master;
    const r = info.resolution;
    for (const s of this.sightings.values()) {
      // Mark the master cell under this sighting's cell centre (the layer and master may differ in origin).
      const x = (s.cx + 0.5) * this.resolution;
      const y = (s.cy + 0.5) * this.resolution;
      const mx = Math.floor((x - info.origin.x) / r);
      const my = Math.floor((y - info.origin.y) / r);
      if (mx >= 0 && my >= 0 && mx < info.width && my < info.height)
        master.costs[my * info.width + mx] = LETHAL;
    }
  }
}
