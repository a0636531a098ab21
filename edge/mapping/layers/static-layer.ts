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

  /**
   * @param lethalThreshold grid values at or above it are obstacles (0…100)
   * @param trackUnknown false: unknown cells count as free (planning through unexplored space)
   */
  constructor(
    private readonly lethalThreshold = 65,
    private readonly trackUnknown = true,
  ) {}

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
    const unknown = this.trackUnknown ? NO_INFORMATION : FREE_SPACE;
    // The cost of each of the 256 byte values (the grid's Int8 values read as unsigned bytes).
    const table = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const v = b < 128 ? b : b - 256;
      table[b] = v < 0 || v > 100 ? unknown : v >= this.lethalThreshold ? LETHAL : FREE_SPACE;
    }
    const data = new Uint8Array(grid.data.buffer, grid.data.byteOffset, costs.length);
    for (let i = 0; i < costs.length; i++) costs[i] = table[data[i]!]!;
  }
}
