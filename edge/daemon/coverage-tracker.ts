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
