/**
 * Inflation (Nav2's InflationLayer): costs that fall off with the distance d to the nearest lethal cell —
 * 254 on it, 253 within the robot's inscribed radius, 252·e^(−k·(d − r)) out to the inflation radius, so
 * planners keep a margin from walls when they can and squeeze through when they must.
 */
import { squaredDistanceCells } from '../distance-field.ts';
import { FREE_SPACE, INSCRIBED, LETHAL, NO_INFORMATION, type Costmap, type CostmapLayer } from './costmap.ts';

export class InflationLayer implements CostmapLayer {
  readonly name = 'inflation';

  /**
   * @param inscribedRadius m: the robot's radius
   * @param inflationRadius m: beyond this the cost is free (≥ inscribedRadius; robot radius + margin)
   * @param costScaling 1/m: how fast the cost decays beyond the inscribed radius
   */
  constructor(
    private readonly inscribedRadius: number,
    private readonly inflationRadius: number,
    private readonly costScaling = 3,
  ) {
    if (!(inflationRadius >= inscribedRadius)) throw new Error('inflationRadius must be ≥ inscribedRadius');
  }

  /** The cost at distance d (m) from the nearest obstacle. */
  costAt(d: number): number {
    if (d === 0) return LETHAL;
    if (d <= this.inscribedRadius) return INSCRIBED;
    if (d > this.inflationRadius) return FREE_SPACE;
    return Math.floor((INSCRIBED - 1) * Math.exp(-this.costScaling * (d - this.inscribedRadius)));
  }

  /** lethal mask, clamped squared distances and geometry of the last update, to redo only what changed */
  private last: { lethal: Uint8Array; sq: Float64Array; key: string } | undefined;

  updateCosts(master: Costmap): void {
    const { resolution, costs } = master;
    // Costs per squared cell distance are few: look them up instead of exp() per cell.
    const maxSq = Math.ceil((this.inflationRadius / resolution) ** 2);
    const table = new Uint8Array(maxSq + 1);
    for (let s = 0; s <= maxSq; s++) table[s] = this.costAt(Math.sqrt(s) * resolution);
    const sq = this.distances(master, maxSq);
    for (let i = 0; i < costs.length; i++) {
      const s = sq[i]!;
      if (s > maxSq) continue;
      const cost = table[s]!;
      const old = costs[i]!;
      // Unknown cells only take costs that forbid the robot's centre (Nav2 with inflate_unknown off).
      if (old === NO_INFORMATION) {
        if (cost >= INSCRIBED) costs[i] = cost;
      } else if (cost > old) costs[i] = cost;
    }
  }

  /**
   * Squared cell distances to the nearest lethal cell, clamped to maxSq + 1 (beyond the inflation radius the
   * distance does not matter). Between updates most obstacles stay where they were: only the box around the
   * lethal cells that changed, grown by the inflation radius, is recomputed (from a window grown by the radius
   * again, which holds every obstacle that can be nearest to a cell of the box within the radius).
   */
  private distances(master: Costmap, maxSq: number): Float64Array {
    const { width, height, costs } = master;
    const n = width * height;
    const lethal = new Uint8Array(n);
    for (let i = 0; i < n; i++) lethal[i] = costs[i] === LETHAL ? 1 : 0;
    const key = `${width}x${height}@${master.origin.x},${master.origin.y}/${master.resolution}/${maxSq}`;
    const last = this.last;
    const far = maxSq + 1;
    if (!last || last.key !== key) {
      const sq = squaredDistanceCells(width, height, (i) => lethal[i] === 1);
      for (let i = 0; i < n; i++) if (sq[i]! > far) sq[i] = far;
      this.last = { lethal, sq, key };
      return sq;
    }
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        if (lethal[row + x] === last.lethal[row + x]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    const sq = last.sq;
    this.last = { lethal, sq, key };
    if (x1 < 0) return sq;
    const r = Math.ceil(Math.sqrt(maxSq)) + 1;
    // The box whose distances may change, and the window that decides them.
    const bx0 = Math.max(0, x0 - r);
    const by0 = Math.max(0, y0 - r);
    const bx1 = Math.min(width - 1, x1 + r);
    const by1 = Math.min(height - 1, y1 + r);
    const wx0 = Math.max(0, bx0 - r);
    const wy0 = Math.max(0, by0 - r);
    const ww = Math.min(width - 1, bx1 + r) - wx0 + 1;
    const wh = Math.min(height - 1, by1 + r) - wy0 + 1;
    const local = squaredDistanceCells(
      ww,
      wh,
      (i) => lethal[(wy0 + Math.floor(i / ww)) * width + wx0 + (i % ww)] === 1,
    );
    for (let y = by0; y <= by1; y++) {
      const row = y * width;
      const lrow = (y - wy0) * ww - wx0;
      for (let x = bx0; x <= bx1; x++) {
        const v = local[lrow + x]!;
        sq[row + x] = v > far ? far : v;
      }
    }
    return sq;
  }
}
