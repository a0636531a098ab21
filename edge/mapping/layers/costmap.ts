/**
 * A layered costmap in the spirit of Nav2's costmap_2d: every layer writes into one master grid of byte costs,
 * in registration order, and the inflation layer (registered last) turns obstacles into a gradient the planner
 * and controller read. Costs: 0 free … 252 near an obstacle, 253 inscribed (the robot's centre here means a
 * collision), 254 lethal (an obstacle), 255 unknown.
 */
import type { GridInfo } from '../../../shared/occupancy-grid.ts';

export const FREE_SPACE = 0;
export const INSCRIBED = 253;
export const LETHAL = 254;
export const NO_INFORMATION = 255;

export interface Costmap extends GridInfo {
  /** row-major from the bottom row, like OccupancyGrid */
  costs: Uint8Array;
}

/** One layer: writes its view of the world into the master costs. */
export interface CostmapLayer {
  readonly name: string;
  /** Adds this layer's costs to `master` (whose geometry is `master`'s GridInfo) at clock time `now`. */
  updateCosts(master: Costmap, now: number): void;
}

/** The master grid and its layers; `update` recomputes the costs from every layer in order. */
export class LayeredCostmap {
  private readonly layers: CostmapLayer[] = [];
  private master: Costmap;

  constructor(info: GridInfo) {
    this.master = emptyCostmap(info);
  }

  /** Registers a layer; layers run in registration order (static first, inflation last). */
  add<L extends CostmapLayer>(layer: L): L {
    this.layers.push(layer);
    return layer;
  }

  get layerNames(): string[] {
    return this.layers.map((l) => l.name);
  }

  /** Changes the geometry (the SLAM map grew); the next update fills it. */
  resize(info: GridInfo): void {
    if (!sameGeometry(info, this.master)) this.master = emptyCostmap(info);
  }

  update(now: number): Costmap {
    this.master.costs.fill(NO_INFORMATION);
    for (const layer of this.layers) layer.updateCosts(this.master, now);
    return this.master;
  }

  get costmap(): Costmap {
    return this.master;
  }

  /**
   * The layers `include` admits, combined into a new costmap; the master is left as it is. A what-if view:
   * the map without the LIDAR's fresh marks tells a person walking past from a wall.
   */
  view(now: number, include: (layer: CostmapLayer) => boolean): Costmap {
    const out = emptyCostmap(this.master);
    for (const layer of this.layers) if (include(layer)) layer.updateCosts(out, now);
    return out;
  }
}

export function emptyCostmap(info: GridInfo): Costmap {
  return {
    width: info.width,
    height: info.height,
    resolution: info.resolution,
    origin: { ...info.origin },
    costs: new Uint8Array(info.width * info.height).fill(NO_INFORMATION),
  };
}

export function sameGeometry(a: GridInfo, b: GridInfo): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    a.resolution === b.resolution &&
    a.origin.x === b.origin.x &&
    a.origin.y === b.origin.y
  );
}

/**
 * Copies a same-resolution grid (bytes, or times) onto a new geometry (origins a whole number of cells
 * apart, as when a growing map is reallocated); cells outside the old grid get `fill`.
 */
export function regrid<T extends Uint8Array | Float64Array>(
  data: T,
  from: GridInfo,
  to: GridInfo,
  fill: number,
): T {
  // The same kind of array as the input.
  const out = new (data.constructor as new (length: number) => T)(to.width * to.height);
  out.fill(fill);
  const shiftX = Math.round((from.origin.x - to.origin.x) / to.resolution);
  const shiftY = Math.round((from.origin.y - to.origin.y) / to.resolution);
  for (let y = 0; y < from.height; y++) {
    const ty = y + shiftY;
    if (ty < 0 || ty >= to.height) continue;
    for (let x = 0; x < from.width; x++) {
      const tx = x + shiftX;
      if (tx >= 0 && tx < to.width) out[ty * to.width + tx] = data[y * from.width + x]!;
    }
  }
  return out;
}
