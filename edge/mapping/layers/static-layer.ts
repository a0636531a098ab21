/** The SLAM (static) layer: the occupancy map as costs — occupied lethal, free free, unknown unknown. */
import type { OccupancyGrid } from '../../../shared/occupancy-grid.ts';
import {
  FREE_SPACE,
  LETHAL,
  NO_INFORMATION,
  sameGeometry,
  type Costmap,
  type CostmapLayer,
} from './costmap.ts';

export class StaticLayer implements CostmapLayer {
  readonly name = 'static';
  private grid: OccupancyGrid | null = null;
  /** the cost of each of the 256 byte values (the grid's Int8 values read as unsigned bytes) */
  private readonly table = new Uint8Array(256);
  /** the map values and costs of the last update */
  private last: { data: Uint8Array; costs: Uint8Array } | undefined;

  /**
   * @param lethalThreshold grid values at or above it are obstacles (0…100)
   * @param trackUnknown false: unknown cells count as free (planning through unexplored space)
   */
  constructor(
    private readonly lethalThreshold = 65,
    private readonly trackUnknown = true,
  ) {
    const unknown = trackUnknown ? NO_INFORMATION : FREE_SPACE;
    for (let b = 0; b < 256; b++) {
      const v = b < 128 ? b : b - 256;
      this.table[b] = v < 0 || v > 100 ? unknown : v >= lethalThreshold ? LETHAL : FREE_SPACE;
    }
  }

  /** Replaces the map (from SLAM after each update, or a stored map). Its geometry must match the master's. */
  setMap(grid: OccupancyGrid): void {
    this.grid = grid;
  }

  updateCosts(master: Costmap): void {
    const grid = this.grid;
    if (!grid) return;
    if (!sameGeometry(grid, master))
      throw new Error(
        'static layer: map geometry differs from the costmap (resize the costmap to the map first)',
      );
    const costs = master.costs;
    const n = costs.length;
    const data = new Uint8Array(grid.data.buffer, grid.data.byteOffset, n);
    const table = this.table;
    // The costs of the last update's map, redone only where its cells changed (the next map is mostly the
    // same), compared four cells at a time where the data is word-aligned.
    let last = this.last;
    if (!last || last.data.length !== n) {
      last = { data: data.slice(), costs: new Uint8Array(n) };
      for (let i = 0; i < n; i++) last.costs[i] = table[data[i]!]!;
      this.last = last;
    } else {
      const seen = last.data;
      const cached = last.costs;
      let start = 0;
      if (data.byteOffset % 4 === 0) {
        const words = n >> 2;
        const now32 = new Int32Array(data.buffer, data.byteOffset, words);
        const seen32 = new Int32Array(seen.buffer, seen.byteOffset, words);
        for (let k = 0; k < words; k++) {
          const word = now32[k]!;
          if (word === seen32[k]) continue;
          seen32[k] = word;
          for (let i = 4 * k; i < 4 * k + 4; i++) cached[i] = table[data[i]!]!;
        }
        start = words * 4;
      }
      for (let i = start; i < n; i++) {
        const v = data[i]!;
        if (v === seen[i]) continue;
        seen[i] = v;
        cached[i] = table[v]!;
      }
    }
    costs.set(last.costs);
  }
}
