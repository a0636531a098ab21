/**
 * Submaps: what the map is rebuilt from after a loop closure moves the pose graph. Consecutive graph nodes
 * are grouped into submaps of `nodesPerSubmap`; a submap's scans are integrated on their own into a patch of
 * log-odds (built lazily, at the first rebuild that needs it, at its nodes' poses then), and the patch is
 * afterwards treated as rigid: a rebuild draws it into the new map at the rigid motion that best maps its
 * nodes' poses at build time onto their optimised poses. So a rebuild costs the patches' cells, not the scans:
 * only the submap still growing and submaps the optimisation bent beyond `tolerance` (their nodes no longer
 * fit one rigid motion) are re-integrated from their scans, at most a few submaps' worth of scans.
 *
 * The patches are combined in the order they were built, each added to the log-odds under it and clamped like
 * a scan update. Within a submap that is exactly the scan-by-scan integration; across submaps it is the
 * same while nothing saturates, and an obstacle that went away fades once the later submaps' free evidence
 * outweighs the earlier ones' (a few submaps instead of a few scans).
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry.ts';
import { OccupancyMap, type CellPatch, type OccupancyMapParams, type RayBatch } from './occupancy-map.ts';

export interface Submap {
  /** the first graph node, and one past the last */
  first: number;
  end: number;
  /** the log-odds of its scans in the map frame at `builtPoses`; null until built (or after it grew) */
  patch: CellPatch | null;
  /** its nodes' poses when the patch was built */
  builtPoses: Pose2D[];
}

export interface SubmapTolerance {
  /** m: largest distance of a node from where the submap's rigid motion puts it */
  position: number;
  /** rad: the same for headings */
  heading: number;
}

export interface RenderStats {
  submaps: number;
  /** submaps built (or rebuilt) from their scans during this render, and the scans that took */
  built: number;
  scans: number;
}

/** The rigid motion (map frame → map frame) that best carries `before` onto `after`, and how well it fits. */
export function rigidFit(
  before: readonly Pose2D[],
  after: readonly Pose2D[],
): { motion: Pose2D; positionResidual: number; headingResidual: number } {
  const n = before.length;
  let sin = 0;
  let cos = 0;
  let bx = 0;
  let by = 0;
  let ax = 0;
  let ay = 0;
  for (let i = 0; i < n; i++) {
    const d = after[i]!.theta - before[i]!.theta;
    sin += Math.sin(d);
    cos += Math.cos(d);
    bx += before[i]!.x;
    by += before[i]!.y;
    ax += after[i]!.x;
    ay += after[i]!.y;
  }
  if (n === 0) return { motion: { x: 0, y: 0, theta: 0 }, positionResidual: 0, headingResidual: 0 };
  // Headings: their mean change; positions: centroid onto centroid (for a given rotation, the least-squares
  // translation).
  const theta = Math.atan2(sin, cos);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  bx /= n;
  by /= n;
  ax /= n;
  ay /= n;
  const motion = { x: ax - (c * bx - s * by), y: ay - (s * bx + c * by), theta };
  let positionResidual = 0;
  let headingResidual = 0;
  for (let i = 0; i < n; i++) {
    const p = before[i]!;
    const x = motion.x + c * p.x - s * p.y;
    const y = motion.y + s * p.x + c * p.y;
    positionResidual = Math.max(positionResidual, Math.hypot(after[i]!.x - x, after[i]!.y - y));
    headingResidual = Math.max(headingResidual, Math.abs(normalizeAngle(after[i]!.theta - p.theta - theta)));
  }
  return { motion, positionResidual, headingResidual };
}

export class SubmapSet {
  private readonly submaps: Submap[] = [];

  constructor(
    readonly nodesPerSubmap: number,
    /** parameters of the finest map level: the patches share its resolution and its log-odds updates */
    readonly mapParams: OccupancyMapParams,
    readonly tolerance: SubmapTolerance,
  ) {}

  get count(): number {
    return this.submaps.length;
  }

  /** The submaps so far, oldest first (read-only view, for tests and statistics). */
  get list(): readonly Readonly<Submap>[] {
    return this.submaps;
  }

  /** Node `k` (the next one) was added to the graph: it joins the growing submap or starts a new one. */
  addNode(k: number): void {
    const last = this.submaps[this.submaps.length - 1];
    if (last && last.end !== k)
      throw new Error(`submap nodes must come in order (${k} after ${last.end - 1})`);
    if (!last || last.end - last.first >= this.nodesPerSubmap)
      this.submaps.push({ first: k, end: k + 1, patch: null, builtPoses: [] });
    else {
      last.end = k + 1;
      last.patch = null;
    }
  }

  clear(): void {
    this.submaps.length = 0;
  }

  /**
   * Draws every submap into `target` (a finest map level, possibly with coarser levels fed from it and a
   * stored map already loaded) at the nodes' current `poses`, building the patches missing or bent, then
   * recomputes the target's likelihood. `rays(node, pose)` gives a node's scan as rays from that pose.
   */
  render(
    target: OccupancyMap,
    poses: readonly Pose2D[],
    rays: (node: number, pose: Pose2D) => RayBatch,
  ): RenderStats {
    const stats: RenderStats = { submaps: this.submaps.length, built: 0, scans: 0 };
    for (const submap of this.submaps) {
      const now = poses.slice(submap.first, submap.end);
      let motion: Pose2D = { x: 0, y: 0, theta: 0 };
      let fresh = submap.patch === null;
      if (submap.patch) {
        const fit = rigidFit(submap.builtPoses, now);
        motion = fit.motion;
        fresh =
          fit.positionResidual > this.tolerance.position || fit.headingResidual > this.tolerance.heading;
      }
      if (fresh) {
        const map = new OccupancyMap(this.mapParams, { likelihood: false });
        const batches: RayBatch[] = [];
        let minX = Infinity;
        let minY = Infinity;
        let maxX = -Infinity;
        let maxY = -Infinity;
        for (let j = submap.first; j < submap.end; j++) {
          const batch = rays(j, poses[j]!);
          batches.push(batch);
          minX = Math.min(minX, batch.originX);
          maxX = Math.max(maxX, batch.originX);
          minY = Math.min(minY, batch.originY);
          maxY = Math.max(maxY, batch.originY);
          for (let i = 0; i < batch.count; i++) {
            minX = Math.min(minX, batch.endX[i]!);
            maxX = Math.max(maxX, batch.endX[i]!);
            minY = Math.min(minY, batch.endY[i]!);
            maxY = Math.max(maxY, batch.endY[i]!);
          }
        }
        // Sized once for all its scans (growing scan by scan would copy the grid again and again).
        const pad = 1;
        map.ensureContains(minX - pad, minY - pad, maxX + pad, maxY + pad);
        for (const batch of batches) map.integrate(batch);
        submap.patch = map.crop();
        submap.builtPoses = now.map((p) => ({ ...p }));
        motion = { x: 0, y: 0, theta: 0 };
        stats.built++;
        stats.scans += submap.end - submap.first;
      }
      target.stamp(submap.patch!, motion);
    }
    target.rebuildLikelihood();
    return stats;
  }
}
