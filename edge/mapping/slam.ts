/**
 * The mapping and localization pipeline the daemon runs for every LIDAR revolution:
 *   predict (map→odom correction ⊕ odometry) → match the scan against the map → accept the match or fall
 *   back to odometry → update the correction → integrate the scan into every level of the map pyramid →
 *   add a pose-graph node and, now and then, look for a loop closure (re-optimise the graph and rebuild the
 *   map from submaps — see submap.ts — so a rebuild costs the submaps' cells, not every scan again).
 * Pure: scans and odometry come in as values, poses and maps come out. Memory grows with the run: every
 * integrated scan is kept as a graph node (for loop closures and submaps), every submap as a patch of cells,
 * and every update as a trajectory entry.
 */
import { z } from 'zod';
import { composePose, invertPose, normalizeAngle, relativePose, type Pose2D } from '../../shared/geometry.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import { OccupancyMap, OccupancyMapParamsSchema, type RayBatch } from './occupancy-map.ts';
import { optimizePoseGraph, type PoseEdge } from './pose-graph.ts';
import { SubmapSet } from './submap.ts';
import {
  ScanMatcherParamsSchema,
  correlativeSearch,
  matchScan,
  voxelFilter,
  withinWindow,
  type PointSet,
} from './scan-matcher.ts';
import { hypot } from './hypot.ts';

export const SlamParamsSchema = z.object({
  map: OccupancyMapParamsSchema.prefault({}),
  matcher: ScanMatcherParamsSchema.prefault({}),
  levels: z.number().int().min(1).max(5).default(3).describe('map pyramid depth, each level 2× coarser'),
  minRange: z.number().nonnegative().default(0.1).describe('m; shorter returns are ignored (robot body)'),
  maxRange: z.number().positive().default(30).describe('m; longer returns only clear, up to this range'),
  noReturnClearRange: z.number().nonnegative().default(3).describe('m cleared along a beam with no return'),
  minScore: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('matches scoring below this fall back to odometry'),
  priorTranslationWeight: z
    .number()
    .nonnegative()
    .default(10)
    .describe(
      '1/m² per point: pull of the odometry prediction on the refined position (a corridor needs it)',
    ),
  priorSidewaysWeight: z
    .number()
    .nonnegative()
    .optional()
    .describe('1/m² per point: the pull across the robot heading (default: priorTranslationWeight)'),
  odometryPrior: z
    .object({
      enabled: z
        .boolean()
        .default(true)
        .describe('weight the pull per direction by the odometry step (off: the fixed weights above)'),
      scale: z.number().positive().default(0.01).describe('m² per point: weight = scale / σ²'),
      floor: z.number().positive().default(0.002).describe('m, σ of a standing robot'),
      forwardFraction: z.number().nonnegative().default(0.05).describe('σ forward per m driven'),
      sidewaysPerForward: z
        .number()
        .nonnegative()
        .default(0.005)
        .describe('σ sideways per m driven (heading error of the step)'),
      maxWeight: z.number().positive().default(1000).describe('1/m² per point: cap'),
    })
    .prefault({}),
  priorRotationWeight: z
    .number()
    .nonnegative()
    .default(0)
    .describe(
      '1/rad² per point: the same for heading (0: heading from the scan alone — gyro-less odometry drifts)',
    ),
  normalProjection: z
    .boolean()
    .default(true)
    .describe('refine each point only along its surface normal (no sliding along walls at the map frontier)'),
  minPoints: z.number().int().nonnegative().default(20).describe('fewer usable returns: odometry only'),
  maxUnmatchedBeforeIntegrating: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      'unmatched scans in a row before scans are integrated again (0: always integrate; on ACES holding them back cost more than it saved)',
    ),
  loopClosure: z
    .object({
      enabled: z.boolean().default(true),
      checkEvery: z.number().int().positive().default(5).describe('nodes between loop searches'),
      minNodeAge: z
        .number()
        .int()
        .positive()
        .default(30)
        .describe('nodes: how old a node must be to close a loop with'),
      searchRadius: z.number().positive().default(4).describe('m around the current pose'),
      neighbours: z
        .number()
        .int()
        .nonnegative()
        .default(5)
        .describe('nodes on each side mapped around the old node'),
      linearWindow: z.number().positive().default(0.8).describe('m searched for the closure'),
      angularWindow: z.number().positive().default(0.15).describe('rad searched for the closure'),
      minScore: z.number().min(0).max(1).default(0.5).describe('closures scoring below are ignored'),
      smoothing: z
        .number()
        .nonnegative()
        .optional()
        .describe('m, likelihood σ of the local maps closures match against (default: map.smoothing)'),
      minCorrection: z
        .number()
        .nonnegative()
        .default(0.1)
        .describe(
          'm: closures moving the robot less (and turning it less than minAngleCorrection) add an edge but do not re-optimise',
        ),
      minAngleCorrection: z
        .number()
        .nonnegative()
        .default(0.005)
        .describe(
          'rad: the same for the heading (a heading error shifts the map around the robot by it times the range)',
        ),
      stepSigma: z.number().positive().default(0.03).describe('m, σ of consecutive scan-matched steps'),
      confidentScore: z
        .number()
        .positive()
        .max(1)
        .default(0.7)
        .describe('steps matched below this score get σ scaled up by confidentScore / score'),
      stepAngleSigma: z.number().positive().default(0.005).describe('rad'),
      loopSigma: z.number().positive().default(0.03).describe('m, σ of a loop closure'),
      loopAngleSigma: z.number().positive().default(0.005).describe('rad'),
      submapNodes: z
        .number()
        .int()
        .positive()
        .default(40)
        .describe('graph nodes per submap: the rigid pieces the map is rebuilt from after a closure'),
      submapTolerance: z
        .number()
        .positive()
        .default(0.025)
        .describe('m: a submap whose nodes moved more than this from one rigid motion is re-integrated'),
      submapAngleTolerance: z.number().positive().default(0.005).describe('rad: the same for headings'),
    })
    .prefault({}),
  integrateDistance: z.number().nonnegative().default(0.05).describe('m moved before a scan is integrated'),
  integrateAngle: z.number().nonnegative().default(0.05).describe('rad turned before a scan is integrated'),
  integrateInterval: z.number().nonnegative().default(2).describe('s between integrations while standing'),
});
export type SlamParams = z.output<typeof SlamParamsSchema>;
export type SlamParamsInput = z.input<typeof SlamParamsSchema>;

/** rad a refined match may turn beyond its window */
const WINDOW_ANGULAR_SLACK = 0.05;

export interface SlamUpdate {
  /** base_link in the map frame */
  pose: Pose2D;
  /** match score 0…1 (0 when nothing was matched) */
  score: number;
  /** true when the scan matcher's pose was used; false when odometry alone was */
  matched: boolean;
  /** true when this scan was added to the map */
  integrated: boolean;
}

export class Slam {
  readonly params: SlamParams;
  /** the map pyramid, finest first */
  readonly levels: OccupancyMap[];
  private correction: Pose2D = { x: 0, y: 0, theta: 0 };
  private readonly nodes: Array<{ scan: LaserScan; mount: Pose2D; pose: Pose2D; points: PointSet }> = [];
  private readonly edges: PoseEdge[] = [];
  /** the graph's nodes grouped into submaps, which the map is rebuilt from */
  private readonly submaps: SubmapSet;
  /** what the last rebuild cost */
  private lastRender = { built: 0, scans: 0 };
  /** per update: the graph node it hangs off (−1: none) and its pose relative to that node */
  private readonly history: Array<{ node: number; offset: Pose2D }> = [];
  /** the stored map this run started on (startOnMap), under everything integrated since */
  private prior: OccupancyGrid | null = null;
  private loops = 0;
  /** closures whose match slid out of the searched window */
  private rejectedLoops = 0;
  private optimisations = 0;
  private lastIntegrated: { pose: Pose2D; stamp: number } | null = null;
  private scansSeen = 0;
  private unmatchedRun = 0;
  private previousOdom: Pose2D | null = null;

  constructor(params: SlamParamsInput = {}) {
    this.params = SlamParamsSchema.parse(params);
    this.levels = pyramid(this.params);
    const lc = this.params.loopClosure;
    this.submaps = new SubmapSet(lc.submapNodes, this.levels[0]!.params, {
      position: lc.submapTolerance,
      heading: lc.submapAngleTolerance,
    });
  }

  /** The finest level: what gets saved, drawn and planned on. */
  get map(): OccupancyMap {
    return this.levels[0]!;
  }

  /** map→odom: the transform that turns odometry poses into map poses. */
  get mapToOdom(): Pose2D {
    return { ...this.correction };
  }

  toOccupancyGrid(): OccupancyGrid {
    return this.map.toOccupancyGrid();
  }

  /**
   * Processes one scan. `laserMount` is the laser's pose on the robot (base_link → laser); `odom` is the
   * odometry pose of base_link at the scan's time.
   */
  update(scan: LaserScan, laserMount: Pose2D, odom: Pose2D): SlamUpdate {
    const p = this.params;
    const predicted = composePose(this.correction, odom);
    const points = scanToPoints(scan, laserMount, p.minRange, p.maxRange, p.normalProjection);
    const first = this.scansSeen === 0;
    this.scansSeen++;

    let pose = predicted;
    let score = 0;
    let matched = false;
    if (!first && points.count >= p.minPoints) {
      const pointsPerLevel = this.levels.map((level) => voxelFilter(points, level.resolution));
      const prior = {
        pose: predicted,
        ...this.translationPrior(odom),
        rotationWeight: p.priorRotationWeight,
      };
      const result = matchScan(this.levels, pointsPerLevel, predicted, p.matcher, prior);
      score = result.score;
      // Gauss–Newton may slide beyond the searched window along a featureless corridor: distrust that too.
      const inWindow = withinWindow(
        result.pose,
        predicted,
        p.matcher,
        this.windowSlack(),
        WINDOW_ANGULAR_SLACK,
      );
      if (result.score >= p.minScore && inWindow) {
        pose = result.pose;
        matched = true;
      }
    }
    this.correction = composePose(pose, invertPose(odom));
    this.previousOdom = odom;

    let integrated = false;
    const last = this.lastIntegrated;
    // An unmatched scan is only added while the map is young or after many unmatched scans in a row (the
    // robot has driven somewhere new): adding it at a drifting odometry pose would smear the map.
    const trusted = matched || first || this.unmatchedRun >= p.maxUnmatchedBeforeIntegrating;
    this.unmatchedRun = matched ? 0 : this.unmatchedRun + 1;
    if (
      !trusted
        ? false
        : last === null ||
          Math.hypot(pose.x - last.pose.x, pose.y - last.pose.y) >= p.integrateDistance ||
          Math.abs(normalizeAngle(pose.theta - last.pose.theta)) >= p.integrateAngle ||
          scan.stamp - last.stamp >= p.integrateInterval
    ) {
      // The coarser levels follow the finest one's evidence (see pyramid()).
      this.map.integrate(scanToRays(scan, laserMount, pose, p.minRange, p.maxRange, p.noReturnClearRange));
      this.lastIntegrated = { pose, stamp: scan.stamp };
      integrated = true;
      if (p.loopClosure.enabled) {
        const closed = this.addNode(scan, laserMount, pose, points, matched ? score : 0);
        if (closed) {
          pose = closed;
          this.correction = composePose(pose, invertPose(odom));
          this.lastIntegrated = { pose, stamp: scan.stamp };
        }
      }
    }
    const node = this.nodes.length - 1;
    this.history.push(
      node >= 0 ? { node, offset: relativePose(this.nodes[node]!.pose, pose) } : { node: -1, offset: pose },
    );
    return { pose, score, matched, integrated };
  }

  /** m a refined match may end beyond its window: one cell of the coarsest level. */
  private windowSlack(): number {
    const p = this.params;
    return p.map.resolution * 2 ** (p.levels - 1);
  }

  /** The odometry prior's translation weights (forward, sideways) for the step since the last update. */
  private translationPrior(odom: Pose2D): { translationWeight: number; sidewaysWeight?: number } {
    const p = this.params;
    const op = p.odometryPrior;
    if (!op.enabled || this.previousOdom === null) {
      return {
        translationWeight: p.priorTranslationWeight,
        ...(p.priorSidewaysWeight !== undefined ? { sidewaysWeight: p.priorSidewaysWeight } : {}),
      };
    }
    const step = relativePose(this.previousOdom, odom);
    const forward = Math.abs(step.x);
    const sigmaForward = op.floor + op.forwardFraction * forward;
    const sigmaSideways = op.floor + op.forwardFraction * Math.abs(step.y) + op.sidewaysPerForward * forward;
    return {
      translationWeight: Math.min(op.maxWeight, op.scale / sigmaForward ** 2),
      sidewaysWeight: Math.min(op.maxWeight, op.scale / sigmaSideways ** 2),
    };
  }

  /**
   * The pose of every update so far as best known now: with loop closure, later corrections move earlier
   * poses too (each hangs off its pose-graph node); without, the poses as they were returned.
   */
  trajectory(): Pose2D[] {
    return this.history.map((h) =>
      h.node >= 0 ? composePose(this.nodes[h.node]!.pose, h.offset) : { ...h.offset },
    );
  }

  /**
   * Re-optimises the pose graph with every edge found so far and rebuilds the map from the corrected poses
   * (online this happens only after a closure that moves the robot by minCorrection; call it before saving a
   * map). Keeps the current pose consistent: the map→odom correction follows the last node.
   */
  finish(): void {
    if (this.nodes.length < 2 || this.loops === 0) return;
    const last = this.nodes.length - 1;
    const before = this.nodes[last]!.pose;
    this.optimizeGraph();
    // map→odom = node ⊕ (old node)⁻¹ ⊕ old map→odom: the robot moves with its last node.
    this.correction = composePose(composePose(this.nodes[last]!.pose, invertPose(before)), this.correction);
  }

  /** Forgets everything: an empty map, no graph, the pose at the origin of a new map frame. */
  reset(): void {
    this.startOver(pyramid(this.params), null);
    this.correction = { x: 0, y: 0, theta: 0 };
    this.previousOdom = null;
    this.scansSeen = 0;
  }

  /** New map levels (on a stored map, or empty) and an empty pose graph and trajectory. */
  private startOver(levels: OccupancyMap[], prior: OccupancyGrid | null): void {
    levels.forEach((level, l) => (this.levels[l] = level));
    this.prior = prior;
    this.nodes.length = 0;
    this.edges.length = 0;
    this.submaps.clear();
    this.history.length = 0;
    this.loops = 0;
    this.lastIntegrated = null;
    this.unmatchedRun = 0;
  }

  /**
   * Starts over on a stored map (a later run at a known site): the map becomes the evidence every level starts
   * from (and stays under everything integrated later, rebuilds included), the pose graph starts empty, and
   * `scan` is matched against the map in a wide window around `guess` — an exhaustive search on the coarsest
   * level, then the usual refinement. Returns the pose found and its score (0…1); the caller judges the score.
   * `odom` is the odometry pose at the scan's time.
   */
  startOnMap(
    grid: OccupancyGrid,
    scan: LaserScan,
    laserMount: Pose2D,
    odom: Pose2D,
    guess: Pose2D,
    window: { linear: number; angular: number },
  ): { pose: Pose2D; score: number } {
    const p = this.params;
    const levels = pyramid(p);
    levels[0]!.load(grid);
    this.startOver(levels, grid);
    const points = scanToPoints(scan, laserMount, p.minRange, p.maxRange, p.normalProjection);
    const pointsPerLevel = this.levels.map((level) => voxelFilter(points, level.resolution));
    const top = this.levels.length - 1;
    // No pull toward the guess: the robot may have been put down anywhere in the window.
    const wide = {
      ...p.matcher,
      linearWindow: window.linear,
      angularWindow: window.angular,
      translationCost: 0,
      rotationCost: 0,
    };
    const rough = correlativeSearch(this.levels[top]!, pointsPerLevel[top]!, guess, wide);
    const { pose, score } = matchScan(this.levels, pointsPerLevel, rough, p.matcher);
    this.correction = composePose(pose, invertPose(odom));
    this.previousOdom = odom;
    this.scansSeen = Math.max(this.scansSeen, 1);
    return { pose, score };
  }

  private optimizeGraph(): void {
    const p = this.params;
    const optimised = optimizePoseGraph(
      this.nodes.map((n) => n.pose),
      this.edges,
    );
    this.optimisations++;
    optimised.forEach((q, i) => (this.nodes[i]!.pose = q));
    // Rebuild the pyramid with the same geometry as before (plus growth on demand): the stored map, then every
    // submap at its corrected pose.
    const rebuilt = this.levels.map((level) => OccupancyMap.emptyLike(level));
    for (let l = 1; l < rebuilt.length; l++) rebuilt[0]!.feedCoarser(rebuilt[l]!);
    if (this.prior) rebuilt[0]!.load(this.prior);
    const { built, scans } = this.submaps.render(rebuilt[0]!, optimised, (j, pose) => {
      const node = this.nodes[j]!;
      return scanToRays(node.scan, node.mount, pose, p.minRange, p.maxRange, p.noReturnClearRange);
    });
    this.lastRender = { built, scans };
    rebuilt.forEach((level, l) => (this.levels[l] = level));
  }

  /**
   * Number of pose-graph nodes, loop-closure edges, optimisations and submaps so far, and how many submaps
   * (and scans) the last rebuild re-integrated.
   */
  get graphStats(): {
    nodes: number;
    loops: number;
    rejectedLoops: number;
    optimisations: number;
    submaps: number;
    lastRebuild: { built: number; scans: number };
  } {
    return {
      nodes: this.nodes.length,
      loops: this.loops,
      rejectedLoops: this.rejectedLoops,
      optimisations: this.optimisations,
      submaps: this.submaps.count,
      lastRebuild: { ...this.lastRender },
    };
  }

  /**
   * Records an integrated scan as a pose-graph node and, every few nodes, looks for a loop closure: an old
   * node nearby whose neighbourhood, mapped on its own, matches this scan well. A closure that moves the
   * current pose enough re-optimises the graph and rebuilds the map from the corrected poses; the corrected
   * current pose is returned.
   */
  private addNode(
    scan: LaserScan,
    mount: Pose2D,
    pose: Pose2D,
    points: PointSet,
    score: number,
  ): Pose2D | null {
    const lc = this.params.loopClosure;
    const k = this.nodes.length;
    this.nodes.push({ scan, mount, pose, points });
    this.submaps.addNode(k);
    if (k > 0) {
      // A weakly matched step is where drift comes from: let loop closures bend the graph there first.
      const trust = Math.min(1, Math.max(score, 0.05) / lc.confidentScore) ** 2;
      this.edges.push({
        from: k - 1,
        to: k,
        measurement: relativePose(this.nodes[k - 1]!.pose, pose),
        information: [trust / lc.stepSigma ** 2, trust / lc.stepSigma ** 2, trust / lc.stepAngleSigma ** 2],
      });
    }
    if (k % lc.checkEvery !== 0 || k < lc.minNodeAge) return null;
    let best = -1;
    let bestDistance = lc.searchRadius;
    for (let j = 0; j <= k - lc.minNodeAge; j++) {
      const d = Math.hypot(this.nodes[j]!.pose.x - pose.x, this.nodes[j]!.pose.y - pose.y);
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (best < 0) return null;
    const p = this.params;
    const lo = Math.max(0, best - lc.neighbours);
    const hi = Math.min(k - lc.minNodeAge, best + lc.neighbours);
    const batches: RayBatch[] = [];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let j = lo; j <= hi; j++) {
      const node = this.nodes[j]!;
      const rays = scanToRays(node.scan, node.mount, node.pose, p.minRange, p.maxRange, p.noReturnClearRange);
      for (let i = 0; i < rays.count; i++) {
        minX = Math.min(minX, rays.endX[i]!);
        maxX = Math.max(maxX, rays.endX[i]!);
        minY = Math.min(minY, rays.endY[i]!);
        maxY = Math.max(maxY, rays.endY[i]!);
      }
      batches.push(rays);
    }
    const local = pyramid(p, lc.smoothing);
    if (minX <= maxX) local[0]!.ensureContains(minX, minY, maxX, maxY);
    for (const rays of batches) local[0]!.integrate(rays);
    const perLevel = local.map((level) => voxelFilter(points, level.resolution));
    const match = matchScan(local, perLevel, pose, {
      ...p.matcher,
      linearWindow: lc.linearWindow,
      angularWindow: lc.angularWindow,
    });
    // A closure is a measurement only where it was searched for: refined out of its window (round to the
    // wrong wall of a sparse local map) it would turn the whole graph — apartment seed 6 lost 54° that way.
    if (match.score < lc.minScore) return null;
    if (!withinWindow(match.pose, pose, lc, this.windowSlack(), WINDOW_ANGULAR_SLACK)) {
      this.rejectedLoops++;
      return null;
    }
    this.loops++;
    this.edges.push({
      from: best,
      to: k,
      measurement: relativePose(this.nodes[best]!.pose, match.pose),
      information: [1 / lc.loopSigma ** 2, 1 / lc.loopSigma ** 2, 1 / lc.loopAngleSigma ** 2],
    });
    const shift = Math.hypot(match.pose.x - pose.x, match.pose.y - pose.y);
    if (
      shift < lc.minCorrection &&
      Math.abs(normalizeAngle(match.pose.theta - pose.theta)) < lc.minAngleCorrection
    )
      return null;
    this.optimizeGraph();
    return { ...this.nodes[k]!.pose };
  }
}

/**
 * Empty map levels, finest first, each twice as coarse; the coarser ones are fed from the finest one's
 * evidence, so only the finest is integrated with rays.
 */
function pyramid(p: SlamParams, smoothing = p.map.smoothing): OccupancyMap[] {
  const levels: OccupancyMap[] = [];
  for (let k = 0; k < p.levels; k++) {
    levels.push(new OccupancyMap({ ...p.map, smoothing, resolution: p.map.resolution * 2 ** k }));
    if (k > 0) levels[0]!.feedCoarser(levels[k]!);
  }
  return levels;
}

/** rad: beams closer than this get the near-sensor decimation of OccupancyMap's clearing */
const DENSE_BEAM_SPACING = 0.01;

/** Returns within [minRange, maxRange] as points in the robot (base) frame. */
export function scanToPoints(
  scan: LaserScan,
  mount: Pose2D,
  minRange: number,
  maxRange: number,
  normals = false,
): PointSet {
  const n = scan.ranges.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const c = Math.cos(mount.theta);
  const s = Math.sin(mount.theta);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    if (!(r >= minRange && r <= maxRange)) continue;
    const a = scan.angles[i]!;
    const lx = r * Math.cos(a);
    const ly = r * Math.sin(a);
    x[count] = mount.x + c * lx - s * ly;
    y[count] = mount.y + s * lx + c * ly;
    count++;
  }
  const points: PointSet = { x: x.subarray(0, count), y: y.subarray(0, count), count };
  if (normals) estimateNormals(points);
  return points;
}

/**
 * Unit normals from each point's neighbours in scan order (0, 0 where the neighbours are too far apart to lie
 * on the same surface).
 */
export function estimateNormals(points: PointSet): void {
  const n = points.count;
  const nx = new Float32Array(n);
  const ny = new Float32Array(n);
  for (let i = 1; i + 1 < n; i++) {
    const tx = points.x[i + 1]! - points.x[i - 1]!;
    const ty = points.y[i + 1]! - points.y[i - 1]!;
    const len = hypot(tx, ty);
    const range = hypot(points.x[i]!, points.y[i]!);
    // Two beam steps at this range, with slack for oblique walls; farther means a different surface.
    if (!(len > 1e-6) || len > 0.1 + 0.15 * range) continue;
    nx[i] = -ty / len;
    ny[i] = tx / len;
  }
  points.nx = nx;
  points.ny = ny;
}

/**
 * Every beam as a ray in the map frame: returns within range end in a hit; longer returns clear up to
 * `maxRange`; beams with no return (range 0 or not finite) clear up to `noReturnClearRange`.
 */
export function scanToRays(
  scan: LaserScan,
  mount: Pose2D,
  pose: Pose2D,
  minRange: number,
  maxRange: number,
  noReturnClearRange: number,
): RayBatch {
  const n = scan.ranges.length;
  const sensor = composePose(pose, mount);
  const endX = new Float64Array(n);
  const endY = new Float64Array(n);
  const hit = new Uint8Array(n);
  const beamIndex = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = scan.ranges[i]!;
    let length: number;
    let isHit = 0;
    if (r > 0 && Number.isFinite(r)) {
      if (r < minRange) continue;
      if (r <= maxRange) {
        length = r;
        isHit = 1;
      } else length = maxRange;
    } else {
      if (noReturnClearRange <= 0) continue;
      length = noReturnClearRange;
    }
    const a = sensor.theta + scan.angles[i]!;
    endX[count] = sensor.x + length * Math.cos(a);
    endY[count] = sensor.y + length * Math.sin(a);
    hit[count] = isHit;
    beamIndex[count] = i;
    count++;
  }
  // Mean spacing: drivers deliver beams in sweep order, nearly evenly spaced. Decimate only dense scans
  // (< 0.57°, e.g. an RPLIDAR at 720+ points per turn): for sparse ones it saves little, and the ACES figures
  // in docs/mapping.md were measured without it.
  const spacing = n > 1 ? Math.abs(scan.angles[n - 1]! - scan.angles[0]!) / (n - 1) : 0;
  const dense = spacing > 0 && spacing < DENSE_BEAM_SPACING;
  return {
    originX: sensor.x,
    originY: sensor.y,
    endX,
    endY,
    hit,
    count,
    ...(dense ? { beamSpacing: spacing, beamIndex } : {}),
  };
}
