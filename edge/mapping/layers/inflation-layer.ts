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

  updateCosts(master: Costmap): void {
    const { width, height, resolution, costs } = master;
    const sq = squaredDistanceCells(width, height, (i) => costs[i] === LETHAL);
    // Costs per squared cell distance are few: look them up instead of exp() per cell.
    const maxSq = Math.ceil((this.inflationRadius / resolution) ** 2);
    const table = new Uint8Array(maxSq + 1);
    for (let s = 0; s <= maxSq; s++) table[s] = this.costAt(Math.sqrt(s) * resolution);
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
}
