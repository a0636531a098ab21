/**
 * What the cleaning tool has swept: a byte grid marked with the tool's disk along the robot's path. The
 * daemon marks it from the estimated pose (to know what is left to clean); the simulator marks a second one
 * from the true pose (to score the run). Pure.
 */
import type { GridInfo } from '../../shared/occupancy-grid.ts';
import { stampDisk, sweepPolyline } from '../planning/footprint.ts';

export class CoverageTracker {
  readonly covered: Uint8Array;
  private last: { x: number; y: number } | undefined;
  /** cells marked at least once */
  count = 0;

  constructor(
    readonly info: GridInfo,
    /** radius of the tool's disk, m */
    readonly toolRadius: number,
  ) {
    this.covered = new Uint8Array(info.width * info.height);
  }

  /** Marks the tool's sweep from the previous position to (x, y); the first call marks a disk. */
  moveTo(x: number, y: number): void {
    const to = { x, y };
    this.count += sweepPolyline(this.info, this.covered, undefined, [this.last ?? to, to], this.toolRadius);
    this.last = to;
  }

  /** Forget the previous position (after a relocalization jump, so no phantom sweep is drawn). */
  lift(): void {
    this.last = undefined;
  }

  markDisk(x: number, y: number): void {
    this.count += stampDisk(this.info, this.covered, undefined, x, y, this.toolRadius);
  }

  /** Covered fraction of the cells set in `mask` (same geometry). */
  fractionOf(mask: Uint8Array): number {
    let total = 0;
    let hit = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) continue;
      total++;
      if (this.covered[i] !== 0) hit++;
    }
    return total > 0 ? hit / total : 0;
  }
}

/**
 * The swept mask with gaps one or two cells wide between swept cells closed (a morphological closing with
 * a 3 × 3 square): the slivers two neighbouring sweeps leave between them when the robot tracks its rows a
 * centimetre apart. Planning on the raw mask would send the robot back down a whole row for them. A gap
 * beside unswept floor, a wall or unknown space is left as it is. Returns a new mask.
 */
export function closeSlivers(mask: Uint8Array, width: number, height: number): Uint8Array {
  const grown = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let any = 0;
      for (let dy = -1; dy <= 1 && !any; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width && mask[yy * width + xx]) {
            any = 1;
            break;
          }
        }
      }
      grown[y * width + x] = any;
    }
  const closed = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i]) {
        closed[i] = 1;
        continue;
      }
      let all = 1;
      for (let dy = -1; dy <= 1 && all; dy++) {
        const yy = y + dy;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          // Outside the grid counts as not swept: a gap at the border stays open.
          if (yy < 0 || yy >= height || xx < 0 || xx >= width || !grown[yy * width + xx]) {
            all = 0;
            break;
          }
        }
      }
      closed[i] = all;
    }
  return closed;
}
