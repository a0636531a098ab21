/**
 * What the cleaning tool has swept: a byte grid marked with the tool's disk along the robot's path. The
 * daemon marks it from the estimated pose (to know what is left to clean); the simulator marks a second one
 * from the true pose (to score the run). Pure.
 */
import type { GridInfo } from '../../shared/occupancy-grid.ts';

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
    const from = this.last ?? { x, y };
    const length = Math.hypot(x - from.x, y - from.y);
    const steps = Math.max(1, Math.ceil(length / (this.info.resolution / 2)));
    for (let k = this.last ? 1 : 0; k <= steps; k++) {
      const f = k / steps;
      this.markDisk(from.x + f * (x - from.x), from.y + f * (y - from.y));
    }
    this.last = { x, y };
  }

  /** Forget the previous position (after a relocalization jump, so no phantom sweep is drawn). */
  lift(): void {
    this.last = undefined;
  }

  markDisk(x: number, y: number): void {
    const { width, height, resolution, origin } = this.info;
    const r = this.toolRadius;
    const r2 = r * r;
    const x0 = Math.max(0, Math.floor((x - r - origin.x) / resolution));
    const x1 = Math.min(width - 1, Math.floor((x + r - origin.x) / resolution));
    const y0 = Math.max(0, Math.floor((y - r - origin.y) / resolution));
    const y1 = Math.min(height - 1, Math.floor((y + r - origin.y) / resolution));
    for (let cy = y0; cy <= y1; cy++) {
      const dy = origin.y + (cy + 0.5) * resolution - y;
      for (let cx = x0; cx <= x1; cx++) {
        const dx = origin.x + (cx + 0.5) * resolution - x;
        if (dx * dx + dy * dy > r2) continue;
        const i = cy * width + cx;
        if (this.covered[i] === 0) {
          this.covered[i] = 1;
          this.count++;
        }
      }
    }
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
