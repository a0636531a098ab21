/**
 * A tiny SimWorldQuery for the drive-base tests: axis-aligned boxes as obstacles, rectangles of missing
 * floor (cliffs) and rectangles of carpet. Test support only; the simulator's real world lives elsewhere.
 */
import type { SimWorldQuery, WorldContact } from './world-query.ts';

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface BoxObstacle extends Rect {
  id: string;
  /** m */
  height: number;
}

export class BoxWorld implements SimWorldQuery {
  readonly boxes: BoxObstacle[] = [];
  readonly cliffs: Rect[] = [];
  readonly carpets: Rect[] = [];

  setTime(): void {}

  contacts(x: number, y: number, radius: number): WorldContact[] {
    const out: WorldContact[] = [];
    for (const b of this.boxes) {
      const cx = Math.min(b.x1, Math.max(b.x0, x));
      const cy = Math.min(b.y1, Math.max(b.y0, y));
      const d = Math.hypot(cx - x, cy - y);
      if (d >= radius) continue;
      // A centre inside the box: point at the nearest face.
      const bearing =
        d > 0
          ? Math.atan2(cy - y, cx - x)
          : [
              [x - b.x0, Math.PI],
              [b.x1 - x, 0],
              [y - b.y0, -Math.PI / 2],
              [b.y1 - y, Math.PI / 2],
            ].sort((p, q) => p[0]! - q[0]!)[0]![1]!;
      out.push({ bearing, depth: radius - d, height: b.height, bottom: 0, id: b.id, moving: false });
    }
    return out;
  }

  raycast(x: number, y: number, z: number, angle: number, maxRange: number): number {
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    let best = Infinity;
    for (const b of this.boxes) {
      if (b.height < z) continue;
      let t0 = 0;
      let t1 = maxRange;
      for (const [o, d, lo, hi] of [
        [x, dx, b.x0, b.x1],
        [y, dy, b.y0, b.y1],
      ] as const) {
        if (Math.abs(d) < 1e-12) {
          if (o < lo || o > hi) t0 = Infinity;
          continue;
        }
        const ta = (lo - o) / d;
        const tb = (hi - o) / d;
        t0 = Math.max(t0, Math.min(ta, tb));
        t1 = Math.min(t1, Math.max(ta, tb));
      }
      if (t0 <= t1 && t0 < best) best = t0;
    }
    return best;
  }

  isCliff(x: number, y: number): boolean {
    return this.cliffs.some((r) => inside(r, x, y));
  }

  floorTypeAt(x: number, y: number): string {
    return this.carpets.some((r) => inside(r, x, y)) ? 'carpet' : 'wood';
  }
}

const inside = (r: Rect, x: number, y: number): boolean => x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1;
