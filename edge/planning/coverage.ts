/**
 * Coverage planning on a costmap. The plan is a list of cleaning runs (pieces): boustrophedon cells on a
 * row lattice turned to the dominant wall direction and, optionally, the border chains along walls and
 * furniture (edge cleaning), visited in one travelling-salesman order (or the borders first). Executing the
 * pieces (stitching them with straight moves or A* transit) drops the parts whose tool swath has nothing
 * left to clean and stops rows short of what is already swept, so rows along swept borders vanish and row
 * ends shrink; a gap-filling pass then visits whatever is still unswept.
 *
 * Replanning reuses the pieces: given the cells covered so far and a changed costmap, the remaining pieces
 * are cut where they now hit obstacles, pieces that cannot be reached now are set aside and retried at the
 * end of later plans, and only the gaps are planned afresh. Pure.
 */
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import {
  buildLattice,
  cellRegions,
  cellSweeps,
  decompose,
  dominantWallAngle,
  smallIslands,
  type Lattice,
  type RowSegment,
  type SweepCell,
} from './decomposition.ts';
import {
  diskHasUnswept,
  floodFill,
  forEachInDisk,
  forEachSample,
  growMask,
  sweepPolyline,
} from './footprint.ts';
import { perimeterPaths, splitPolyline } from './perimeter.ts';
import {
  chooseVariants,
  improveOrder,
  openTour,
  pathDistances,
  type CellVariant,
  type Precedence,
} from './tour.ts';
import {
  costAtClearance,
  densify,
  lineOfSight,
  nearestCell,
  nearestPassable,
  planClearTransit,
  TransitWorkspace,
  type CostGrid,
} from './transit.ts';

/** sweep: cleaning rows and spot visits; perimeter: edge cleaning; transit: moves between them. */
export type PoseKind = 'sweep' | 'transit' | 'perimeter';

export interface CoveragePose {
  x: number;
  y: number;
  theta: number;
  kind: PoseKind;
}

export interface CoverageParams {
  toolWidth: number;
  /**
   * fraction of the tool width that neighbouring rows overlap; default 0 (rows are spaced evenly and never
   * more than a tool width apart, so abutting swaths leave no gap; the daemon's replanning against the
   * swept mask catches what tracking errors miss)
   */
  overlap?: number;
  /** uncovered patches smaller than this many cells are left alone; default 2 */
  minGapCells?: number;
  /**
   * fraction of the cleanable floor (swept or not) that may be left unswept in patches of fewer than 20
   * cells, smallest first: each visit costs a detour and turns for a few square centimetres (on a SLAM map
   * the ragged band along walls leaves hundreds of such slivers). Specks left on a floor mostly swept are
   * dropped before planning; what remains of the budget goes to gap filling. Default 0.003; 0 visits every
   * patch
   */
  gapBudget?: number;
  /**
   * highest costmap cost a sweep centre may have (default: 5 cm of clearance beyond the robot radius, so
   * the safety gate does not stop the robot on every row end); transit may go closer, down to inscribed
   */
  maxSweepCost?: number;
  /** edge cleaning along walls and furniture; default true */
  perimeter?: boolean;
  /**
   * false (default): each border in the same tour as the cells, cleaned when the robot passes by (before
   * the cells whose rows end at it, when that does not cost more transit than it saves); true: the whole
   * perimeter pass before the sweeps
   */
  perimeterFirst?: boolean;
  /** sweep direction (rad); default: chosen from the walls */
  sweepAngle?: number;
  /**
   * obstacles that, with the space around them where no sweep centre fits, lie within a square of this
   * side (m) are not worked around: no cell boundaries at them and no edge-cleaning loop; rows step round
   * them along their border, and gap filling takes what is left (a chair or table leg, a bin, a speck of
   * map noise). Default 0.5 m; 0 works around every obstacle
   */
  smallObstacle?: number;
  /**
   * what a radian turned on the spot between two tour items costs in the tour, in metres of travel
   * (default 0.1; the robot's own trade is speed ÷ turn rate, 0.3 m at 0.3 m/s and 1 rad/s, but the link's
   * heading is only that of the straight line between the items). 0: distance only
   */
  turnCost?: number;
  /** borders are cut into pieces of at most this length (m), each a tour item of its own; default 6 */
  borderPiece?: number;
}

/** A cleaning run: a polyline of robot-centre points in map metres. */
export interface CoveragePiece {
  kind: 'sweep' | 'perimeter';
  points: Point2D[];
}

export interface CoverageResult {
  path: CoveragePose[];
  /** cleanable cells not covered before that the plan sweeps */
  plannedCells: number;
  /** cleanable cells (within the tool's reach of a reachable centre) not covered before planning */
  remainingCells: number;
  /** floor cells not yet covered that the tool could clean from some centre, but not from here */
  unreachableCells: number;
  /**
   * with unreachable floor: 1 on the centres with sweep clearance that cannot be reached from here (not yet
   * swept), in the grid's geometry — where the robot would have to be to clean the unreachable floor
   */
  cutOff?: Uint8Array;
  /** remaining cells the plan leaves unswept (patches too small or that no move reaches) */
  unsweptCells: number;
  /** sweep direction, rad */
  sweepAngle: number;
  /** boustrophedon cells in the decomposition (0 when replanning) */
  cellCount: number;
  /** cleaning runs in execution order, for replanning; runs blocked now come last */
  pieces: CoveragePiece[];
  /** runs that could not be reached now (retried at the end of the next replan) */
  blocked: CoveragePiece[];
}

interface Context {
  grid: CostGrid;
  toolRadius: number;
  minGapCells: number;
  startCell: number;
  /** cells the robot's centre can reach (cost below inscribed) */
  reachable: Uint8Array;
  /** reachable cells with sweep clearance */
  sweepable: Uint8Array;
  /** cells with sweep clearance, reachable or not */
  clear: Uint8Array;
  remaining: Uint8Array;
  remainingCells: number;
  /** cells that gap filling may leave unswept: the gap budget's share of the cleanable floor, less the specks */
  gapBudgetCells: number;
  unreachableCells: number;
  cutOff: Uint8Array | undefined;
  maxSweepCost: number;
}

function prepare(
  grid: CostGrid,
  start: Pose2D,
  covered: Uint8Array | undefined,
  params: CoverageParams,
): Context {
  const { width, height, resolution, origin, costs } = grid;
  const n = width * height;
  const startCell = nearestPassable(
    grid,
    Math.floor((start.x - origin.x) / resolution),
    Math.floor((start.y - origin.y) / resolution),
    Math.ceil(0.3 / resolution),
  );
  const passable = new Uint8Array(n);
  const clear = new Uint8Array(n);
  const maxSweepCost = params.maxSweepCost ?? costAtClearance(0.05);
  for (let i = 0; i < n; i++) {
    passable[i] = costs[i]! <= 252 ? 1 : 0;
    clear[i] = costs[i]! <= maxSweepCost ? 1 : 0;
  }
  const reachable = floodFill(width, height, passable, startCell);
  // What to sweep is what the robot reaches with sweep clearance all the way: floor beyond a gap it would
  // squeeze through (between chair legs, under a table) is a trap where one more scan can close the gap
  // behind it, and its own safety gate stops it in there anyway.
  const clearStart =
    startCell < 0
      ? -1
      : nearestCell(
          grid,
          startCell % width,
          Math.floor(startCell / width),
          Math.ceil(0.3 / resolution),
          (i) => clear[i] === 1 && reachable[i] === 1,
        );
  const sweepable = clearStart < 0 ? new Uint8Array(n) : floodFill(width, height, clear, clearStart);
  const toolRadius = params.toolWidth / 2;
  const cleanable = growMask(grid, sweepable, toolRadius);
  const remaining = new Uint8Array(n);
  let remainingCells = 0;
  let cleanableCells = 0;
  for (let i = 0; i < n; i++) {
    if (costs[i]! >= 254 || !cleanable[i]) continue;
    cleanableCells++;
    if (!(covered && covered[i])) {
      remaining[i] = 1;
      remainingCells++;
    }
  }
  // Specks left on a floor mostly swept (the tool's edge missed them by a cell, the pose was a cell off)
  // would each cost a trip of their own: within the gap budget of the whole floor, smallest first, they
  // are not planned.
  let gapBudgetCells = Math.floor((params.gapBudget ?? 0.003) * cleanableCells);
  if (covered) {
    for (const speck of skippedSmallest(
      patchesOf(width, height, remaining, 1),
      gapBudgetCells,
      SMALL_GAP_CELLS,
    )) {
      for (const i of speck) remaining[i] = 0;
      gapBudgetCells -= speck.length;
    }
  }
  // Unreachable: floor the tool could clean from a centre with clearance, were that centre reachable
  // (behind a closed door, past a new obstacle), not yet covered. The band along walls that no centre
  // reaches is not counted: it is never cleanable.
  let unreachableCells = 0;
  let cutOff: Uint8Array | undefined;
  for (let i = 0; i < n && !cutOff; i++) if (clear[i] && !sweepable[i]) cutOff = new Uint8Array(n);
  if (cutOff) {
    const anywhere = growMask(grid, clear, toolRadius);
    for (let i = 0; i < n; i++) {
      if (anywhere[i] && !cleanable[i] && costs[i]! < 254 && !(covered && covered[i])) unreachableCells++;
      if (clear[i] && !sweepable[i] && !(covered && covered[i])) cutOff[i] = 1;
    }
    if (unreachableCells === 0) cutOff = undefined;
  }
  return {
    grid,
    toolRadius,
    minGapCells: params.minGapCells ?? 2,
    gapBudgetCells,
    startCell,
    reachable,
    sweepable,
    clear,
    remaining,
    remainingCells,
    unreachableCells,
    cutOff,
    maxSweepCost,
  };
}

/** Candidate sweep directions: the dominant wall direction, its perpendicular and the grid axes. */
function candidateAngles(grid: CostGrid): number[] {
  const obstacle = new Uint8Array(grid.costs.length);
  for (let i = 0; i < obstacle.length; i++) obstacle[i] = grid.costs[i]! >= 254 ? 1 : 0;
  const wall = dominantWallAngle(grid, obstacle);
  const out: number[] = [];
  for (const a of wall === undefined ? [0, Math.PI / 2] : [wall, wall + Math.PI / 2, 0, Math.PI / 2])
    if (!out.some((b) => Math.abs(Math.sin(a - b)) < 0.02)) out.push(a);
  return out;
}

/** Plans coverage of the cleanable cells not in `covered` (in the costmap's geometry), from `start`. */
export function planCoverage(
  grid: CostGrid,
  start: Pose2D,
  covered: Uint8Array | undefined,
  params: CoverageParams,
): CoverageResult {
  const ctx = prepare(grid, start, covered, params);
  if (ctx.startCell < 0 || ctx.remainingCells === 0) return emptyResult(ctx, start, params.sweepAngle ?? 0);
  const spacing = Math.max(grid.resolution, params.toolWidth * (1 - (params.overlap ?? 0)));
  // The space as laid out: the sweepable cells with the small obstacles' islands filled in.
  const islands = smallIslands(grid, ctx.sweepable, params.smallObstacle ?? 0.5);
  const layout = new Uint8Array(grid.costs.length);
  for (let i = 0; i < layout.length; i++) layout[i] = ctx.sweepable[i]! | islands[i]!;
  // The direction with the fewest segments has the fewest turns. Segments shorter than the tool is wide
  // do not count: they are the jagged ends of rows running along a wall that is not quite parallel.
  let lattice: Lattice | undefined;
  let fewest = Infinity;
  for (const angle of params.sweepAngle !== undefined ? [params.sweepAngle] : candidateAngles(grid)) {
    const l = buildLattice(grid, layout, angle, spacing);
    const turns = l.segments.filter((s) => s.u1 - s.u0 >= params.toolWidth).length;
    if (turns < fewest) {
      fewest = turns;
      lattice = l;
    }
  }
  const cells = decompose(lattice!);

  // Tour items, each with four ways through (entry corner or direction): the boustrophedon cells and,
  // for edge cleaning, the border chains.
  const options = [
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ] as const;
  const chains =
    (params.perimeter ?? true)
      ? perimeterPaths(grid, layout, params.toolWidth).flatMap((chain) =>
          splitPolyline(chain, params.borderPiece ?? 6),
        )
      : [];
  // A cell's first or last row that sweeps nothing the border chains do not sweep (a row along a wall
  // parallel to the rows) is left to the perimeter pass, so that the tour sees the rows that remain.
  const bordersSwept = new Uint8Array(grid.costs.length);
  for (const chain of chains) sweepPolyline(grid, bordersSwept, undefined, chain, ctx.toolRadius);
  const judge = judgeRadius(ctx.toolRadius, grid.resolution);
  const redundant = (lat: Lattice, seg: RowSegment): boolean => {
    if (chains.length === 0) return false;
    const [a, b] = cellSweeps(lat, { segments: [seg] }, true, true)[0]!;
    let useful = false;
    forEachSample([a!, b!], grid.resolution / 2, (x, y) => {
      if (!useful) useful = diskHasUnswept(grid, bordersSwept, ctx.remaining, x, y, judge);
    });
    return !useful;
  };
  const withoutBorderRows = (lat: Lattice, cell: SweepCell): SweepCell => {
    let lo = 0;
    let hi = cell.segments.length - 1;
    while (lo <= hi && redundant(lat, cell.segments[lo]!)) lo++;
    while (hi > lo && redundant(lat, cell.segments[hi]!)) hi--;
    return { segments: cell.segments.slice(lo, hi + 1) };
  };
  const itemsOf = (lat: Lattice, group: readonly SweepCell[]) =>
    group
      .map((cell) => withoutBorderRows(lat, cell))
      .filter((cell) => cell.segments.length > 0)
      .map((cell) => {
        const seg = cell.segments[Math.floor(cell.segments.length / 2)]!;
        const [a, b] = cellSweeps(lat, { segments: [seg] }, true, true)[0]!;
        return {
          reps: { x: (a!.x + b!.x) / 2, y: (a!.y + b!.y) / 2 },
          ways: options.map(([first, low]) =>
            cellSweeps(lat, cell, first, low).map((points) => ({ kind: 'sweep' as const, points })),
          ),
        };
      });
  // A direction per region: each cell's area is also swept at right angles to the global direction
  // when that takes fewer rows (an L-shaped room's arm, a corridor off a hall). Every extra cell the
  // turned sweep needs costs a transit, counted as two turns.
  const items: { reps: Point2D; ways: CoveragePiece[][]; border?: Point2D[] }[] = [];
  const regions = params.sweepAngle === undefined ? cellRegions(grid, layout, lattice!, cells) : [];
  const mask = new Uint8Array(grid.costs.length);
  let cellCount = 0;
  const longRows = (l: Lattice) => l.segments.filter((seg) => seg.u1 - seg.u0 >= params.toolWidth).length;
  cells.forEach((cell, k) => {
    const region = regions[k];
    if (region && cell.segments.length >= 3) {
      for (const i of region.members) mask[i] = 1;
      const turned = buildLattice(grid, mask, lattice!.angle + Math.PI / 2, spacing, region.bounds);
      for (const i of region.members) mask[i] = 0;
      const turnedCells = decompose(turned);
      const own = cell.segments.filter((seg) => seg.u1 - seg.u0 >= params.toolWidth).length;
      if (turnedCells.length > 0 && longRows(turned) + 2 * (turnedCells.length - 1) < own) {
        items.push(...itemsOf(turned, turnedCells));
        cellCount += turnedCells.length;
        return;
      }
    }
    items.push(...itemsOf(lattice!, [cell]));
    cellCount++;
  });
  // A border that closes on itself (around furniture, along the room's walls) may be entered anywhere:
  // its ways start and end at one of its four corners in the sweep frame, where the cells' rows meet it.
  // An open one is run forwards or backwards.
  const closeGap = 2 * grid.resolution;
  const ca = Math.cos(lattice!.angle);
  const sa = Math.sin(lattice!.angle);
  const chainItems = chains.map((chain) => {
    const reps = chain[Math.floor(chain.length / 2)]!;
    const head = chain[0]!;
    const tail = chain[chain.length - 1]!;
    if (chain.length > 3 && Math.hypot(head.x - tail.x, head.y - tail.y) <= closeGap) {
      const ways = [
        [1, 1],
        [1, -1],
        [-1, 1],
        [-1, -1],
      ].map(([du, dv]) => {
        let r = 0;
        let best = -Infinity;
        chain.forEach((p, k) => {
          const score = du! * (p.x * ca + p.y * sa) + dv! * (-p.x * sa + p.y * ca);
          if (score > best) {
            best = score;
            r = k;
          }
        });
        const points = [...chain.slice(r), ...chain.slice(0, r + 1)];
        return [{ kind: 'perimeter' as const, points }];
      });
      return { reps, ways, border: chain };
    }
    const forward: CoveragePiece[] = [{ kind: 'perimeter', points: chain }];
    const backward: CoveragePiece[] = [{ kind: 'perimeter', points: [...chain].reverse() }];
    return { reps, ways: [forward, backward, forward, backward], border: chain };
  });
  const pieces: CoveragePiece[] = [];
  const turnCost = params.turnCost ?? 0.1;
  let here: Point2D = { x: start.x, y: start.y };
  const tour = (group: typeof items) => {
    if (group.length === 0) return;
    const nodes = [here, ...group.map((item) => item.reps)];
    const dist = pathDistances(grid, ctx.reachable, nodes);
    const variants: CellVariant[][] = group.map((item) =>
      item.ways.map((way) => {
        const first = way[0]!.points;
        const last = way[way.length - 1]!.points;
        const a = last[last.length - 2]!;
        const b = last[last.length - 1]!;
        return {
          entry: first[0]!,
          exit: b,
          entryHeading: Math.atan2(first[1]!.y - first[0]!.y, first[1]!.x - first[0]!.x),
          exitHeading: Math.atan2(b.y - a.y, b.x - a.x),
        };
      }),
    );
    // Extra length of the path between two items over the straight line (walls in between), from the
    // coarse path distances between their representative points.
    const detour = (a: number, b: number) => {
      const d = dist[(a + 1) * nodes.length + b + 1]!;
      const straight = Math.hypot(nodes[a + 1]!.x - nodes[b + 1]!.x, nodes[a + 1]!.y - nodes[b + 1]!.y);
      return Math.min(1e6, d) - straight;
    };
    // A cell whose rows end at a border swept later cannot stop them short of the border's swath: each
    // such row end costs about a tool radius. Row ends within two cells of a border are found through a
    // grid of border labels.
    const label = new Int32Array(grid.costs.length).fill(-1);
    group.forEach((item, c) => {
      if (item.border)
        forEachSample(item.border, grid.resolution / 2, (x, y) =>
          forEachInDisk(grid, x, y, 2 * grid.resolution, (i) => {
            label[i] = c;
          }),
        );
    });
    const ends = new Map<number, number>();
    group.forEach((item, k) => {
      if (item.border) return;
      for (const row of item.ways[0]!)
        for (const p of [row.points[0]!, row.points[row.points.length - 1]!]) {
          const cx = Math.floor((p.x - grid.origin.x) / grid.resolution);
          const cy = Math.floor((p.y - grid.origin.y) / grid.resolution);
          const c =
            cx < 0 || cy < 0 || cx >= grid.width || cy >= grid.height ? -1 : label[cy * grid.width + cx]!;
          if (c >= 0) ends.set(c * group.length + k, (ends.get(c * group.length + k) ?? 0) + 1);
        }
    });
    const precedence: Precedence[] = [...ends].map(([key, count]) => ({
      first: Math.floor(key / group.length),
      then: key % group.length,
      cost: count * ctx.toolRadius,
    }));
    const initial = openTour(nodes.length, dist).map((node) => node - 1);
    const order = improveOrder(here, initial, variants, detour, 3, precedence, turnCost);
    const chosen = chooseVariants(
      here,
      order.map((c) => variants[c]!),
      turnCost,
    );
    for (let k = 0; k < order.length; k++) pieces.push(...group[order[k]!]!.ways[chosen[k]!]!);
    here = variants[order[order.length - 1]!]![chosen[order.length - 1]!]!.exit;
  };
  if (params.perimeterFirst ?? false) {
    tour(chainItems);
    tour(items);
  } else tour([...chainItems, ...items]);

  // The borders around the small obstacles, along which rows step around them.
  const around = islandBorders(grid, ctx.sweepable, islands);
  const result = execute(ctx, start, pieces, covered, islands, around);
  return { ...result, sweepAngle: lattice!.angle, cellCount };
}

/**
 * Replans after the map changed or the robot was diverted: the previous plan's pieces, minus what
 * `covered` already holds, cut where the new costmap blocks them, then gap filling. Blocked pieces that
 * are reachable again are swept at the end.
 */
export function replanCoverage(
  previous: CoverageResult,
  grid: CostGrid,
  start: Pose2D,
  covered: Uint8Array | undefined,
  params: CoverageParams,
): CoverageResult {
  const ctx = prepare(grid, start, covered, params);
  if (ctx.startCell < 0 || ctx.remainingCells === 0) return emptyResult(ctx, start, previous.sweepAngle);
  const result = execute(ctx, start, [...previous.pieces, ...previous.blocked], covered);
  return { ...result, sweepAngle: previous.sweepAngle, cellCount: 0 };
}

function emptyResult(ctx: Context, start: Pose2D, sweepAngle: number): CoverageResult {
  return {
    path: [{ x: start.x, y: start.y, theta: start.theta, kind: 'transit' }],
    plannedCells: 0,
    remainingCells: ctx.remainingCells,
    unreachableCells: ctx.unreachableCells,
    ...(ctx.cutOff ? { cutOff: ctx.cutOff } : {}),
    unsweptCells: ctx.remainingCells,
    sweepAngle,
    cellCount: 0,
    pieces: [],
    blocked: [],
  };
}

/** Sample states along a piece. */
const OFF = 0;
const USEFUL = 1;
const DONE = 2;
const BLOCKED = 3;

type Executed = Omit<CoverageResult, 'sweepAngle' | 'cellCount'>;

/** Turns pieces into a path: trims what is already swept, stitches runs, then fills gaps. */
function execute(
  ctx: Context,
  start: Pose2D,
  pieces: readonly CoveragePiece[],
  covered: Uint8Array | undefined,
  skip?: Uint8Array,
  around: readonly Point2D[][] = [],
): Executed {
  const { grid, toolRadius, remaining } = ctx;
  const { width, resolution, origin } = grid;
  const swept = new Uint8Array(width * grid.height);
  if (covered) for (let i = 0; i < swept.length; i++) swept[i] = covered[i] ? 1 : 0;
  const path: CoveragePose[] = [{ x: start.x, y: start.y, theta: start.theta, kind: 'transit' }];
  let here: Point2D = { x: start.x, y: start.y };
  let planned = 0;
  const workspace = new TransitWorkspace(width * grid.height);
  const cellOf = (p: Point2D) => {
    const cx = Math.floor((p.x - origin.x) / resolution);
    const cy = Math.floor((p.y - origin.y) / resolution);
    return cx < 0 || cy < 0 || cx >= width || cy >= grid.height ? -1 : cy * width + cx;
  };
  const append = (points: readonly { x: number; y: number; theta: number }[], kind: PoseKind) => {
    for (const p of points) {
      const prev = path[path.length - 1]!;
      if (Math.hypot(prev.x - p.x, prev.y - p.y) < 1e-6) continue;
      path.push({ x: p.x, y: p.y, theta: p.theta, kind });
    }
    planned += sweepPolyline(grid, swept, remaining, points, toolRadius);
  };
  /**
   * The way from `from` to `to` along the border of a small obstacle (a row stepping around a chair leg),
   * the shorter way round, when both lie within a tool width of that border and every leg is in sight.
   */
  const stepAround = (from: Point2D, to: Point2D): Point2D[] | undefined => {
    const reach = 2 * toolRadius;
    for (const ring of around) {
      const nearest = (p: Point2D) => {
        let best = -1;
        let bestD = reach;
        ring.forEach((q, k) => {
          const d = Math.hypot(q.x - p.x, q.y - p.y);
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        });
        return best;
      };
      const ia = nearest(from);
      if (ia < 0) continue;
      const ib = nearest(to);
      if (ib < 0) continue;
      const m = ring.length;
      const forward: Point2D[] = [];
      for (let k = ia; ; k = (k + 1) % m) {
        forward.push(ring[k]!);
        if (k === ib) break;
      }
      const backward: Point2D[] = [];
      for (let k = ia; ; k = (k - 1 + m) % m) {
        backward.push(ring[k]!);
        if (k === ib) break;
      }
      const length = (pts: Point2D[]) => {
        let l = 0;
        for (let k = 1; k < pts.length; k++)
          l += Math.hypot(pts[k]!.x - pts[k - 1]!.x, pts[k]!.y - pts[k - 1]!.y);
        return l;
      };
      for (const way of length(forward) <= length(backward) ? [forward, backward] : [backward, forward]) {
        const pts = [from, ...way, to];
        let ok = true;
        // Every cell each leg passes through keeps the sweep clearance (sampled finer than a cell).
        for (let k = 1; k < pts.length && ok; k++)
          forEachSample([pts[k - 1]!, pts[k]!], resolution / 4, (x, y) => {
            // A point on a cell corner (a diagonal step passes one) only touches the cells around it.
            const gx = (x - origin.x) / resolution;
            const gy = (y - origin.y) / resolution;
            if (Math.abs(gx - Math.round(gx)) < 1e-6 && Math.abs(gy - Math.round(gy)) < 1e-6) return;
            const c = cellOf({ x, y });
            if (c < 0 || !ctx.sweepable[c]) ok = false;
          });
        if (ok) return pts;
      }
    }
    return undefined;
  };
  /** Moves to `to`: straight when in sight, else along A*. False when there is no way. */
  const goTo = (to: Point2D, kind: PoseKind): boolean => {
    const a = cellOf(here);
    const b = cellOf(to);
    if (Math.hypot(to.x - here.x, to.y - here.y) < 1e-6) return true;
    let detour: Point2D[] | undefined;
    if (a >= 0 && b >= 0 && (a === b || lineOfSight(grid, a, b)))
      append(densify([here, to], resolution * 4), kind);
    else if ((detour = stepAround(here, to))) {
      append(densify(detour, resolution * 4), 'sweep');
    } else {
      const transit = planClearTransit(grid, here, to, ctx.maxSweepCost, { workspace, heuristicWeight: 1.5 });
      if (!transit) return false;
      append(transit, 'transit');
    }
    here = to;
    return true;
  };

  const kept: CoveragePiece[] = [];
  const blocked: CoveragePiece[] = [];
  // Useless stretches shorter than this stay in a run rather than splitting it (stop-and-go costs turns).
  const bridge = 4 * toolRadius;
  const judge = judgeRadius(toolRadius, resolution);
  // Cells near which something is left to clean (one half-diagonal beyond the tool, so that a sample
  // anywhere in a cell is judged by its cell): samples elsewhere are done without a disk check. Only ever
  // shrinks as the plan sweeps, so computing it once is safe.
  const leftBefore = new Uint8Array(remaining.length);
  for (let i = 0; i < leftBefore.length; i++) leftBefore[i] = remaining[i]! & (swept[i]! ^ 1);
  const nearLeft = growMask(grid, leftBefore, toolRadius + resolution);
  // How many samples of the run being trimmed sweep each cell (valid where multGen is the current gen).
  const mult = new Uint16Array(remaining.length);
  const multGen = new Uint32Array(remaining.length);
  let gen = 0;
  const trimReach = Math.ceil((4 * toolRadius) / resolution);
  let xs = new Float64Array(1024);
  let ys = new Float64Array(1024);
  let seg = new Int32Array(1024);
  let state = new Uint8Array(1024);
  for (const piece of pieces) {
    let count = 0;
    forEachSample(piece.points, resolution / 2, (x, y, k) => {
      const cx = Math.floor((x - origin.x) / resolution);
      const cy = Math.floor((y - origin.y) / resolution);
      const c = cx < 0 || cy < 0 || cx >= width || cy >= grid.height ? -1 : cy * width + cx;
      let s: number = OFF;
      if (c >= 0 && ctx.clear[c] && !(skip && skip[c])) {
        if (!ctx.sweepable[c]) s = BLOCKED;
        else if (!nearLeft[c]) s = DONE;
        else s = diskHasUnswept(grid, swept, remaining, x, y, judge) ? USEFUL : DONE;
      }
      if (count === xs.length) {
        const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
          const b = new (a.constructor as new (n: number) => T)(a.length * 2);
          b.set(a);
          return b;
        };
        xs = grow(xs);
        ys = grow(ys);
        seg = grow(seg);
        state = grow(state);
      }
      xs[count] = x;
      ys[count] = y;
      seg[count] = k;
      state[count++] = s;
    });
    const runOf = (from: number, to: number): Point2D[] => {
      const out: Point2D[] = [{ x: xs[from]!, y: ys[from]! }];
      for (let j = from + 1; j <= to; j++) if (seg[j] !== seg[j - 1]) out.push(piece.points[seg[j - 1]!]!);
      out.push({ x: xs[to]!, y: ys[to]! });
      return out.filter((p, k) => k === 0 || Math.hypot(p.x - out[k - 1]!.x, p.y - out[k - 1]!.y) > 1e-9);
    };
    /**
     * Shortens a run [from, last] at both ends while its end sample sweeps nothing that the rest of the
     * run does not sweep too (a row meeting the band a perimeter pass already cleaned can stop short of
     * it by most of a tool radius). The rest of the run is represented by the samples within a tool width
     * (by index) of the end sample, which can only keep more than necessary.
     */
    const trimEnds = (from: number, last: number): [number, number] => {
      if (last - from < 2) return [from, last];
      const countDisk = (j: number, delta: number) =>
        forEachInDisk(grid, xs[j]!, ys[j]!, judge, (i) => {
          if (!remaining[i] || swept[i]) return;
          if (multGen[i] !== gen) {
            multGen[i] = gen;
            mult[i] = 0;
          }
          mult[i] = mult[i]! + delta;
        });
      const unique = (j: number) =>
        forEachInDisk(
          grid,
          xs[j]!,
          ys[j]!,
          judge,
          (i) => remaining[i] === 1 && !swept[i] && multGen[i] === gen && mult[i] === 1,
        );
      const trim = (a: number, b: number, fromEnd: boolean): number => {
        gen++;
        const step = fromEnd ? -1 : 1;
        let j = fromEnd ? b : a;
        // Samples counted so far run from j to `counted` (inclusive), inwards.
        let counted = j - step;
        const countTo = (k: number) => {
          const limit = fromEnd ? Math.max(a, k - trimReach) : Math.min(b, k + trimReach);
          while (counted !== limit) {
            counted += step;
            countDisk(counted, 1);
          }
        };
        countTo(j);
        while (j !== (fromEnd ? a : b) && !unique(j)) {
          countDisk(j, -1);
          j += step;
          countTo(j);
        }
        return j;
      };
      const end = trim(from, last, true);
      return [trim(from, end, false), end];
    };
    // Runs of USEFUL samples joined across short DONE stretches; BLOCKED runs with useful swath set aside.
    let j = 0;
    while (j < count) {
      if (state[j] === BLOCKED) {
        const from = j;
        while (j < count && state[j] === BLOCKED) j++;
        blocked.push({ kind: piece.kind, points: runOf(from, j - 1) });
        continue;
      }
      if (state[j] !== USEFUL) {
        j++;
        continue;
      }
      const from = j;
      let last = j;
      while (j < count && state[j] !== OFF && state[j] !== BLOCKED) {
        if (state[j] === USEFUL) last = j;
        else if (Math.hypot(xs[j]! - xs[last]!, ys[j]! - ys[last]!) > bridge) break;
        j++;
      }
      const [first, final] = trimEnds(from, last);
      const run = runOf(first, final);
      if (!goTo(run[0]!, 'transit')) {
        blocked.push({ kind: piece.kind, points: run });
        continue;
      }
      append(densify(run, resolution * 4), piece.kind);
      here = run[run.length - 1]!;
      kept.push({ kind: piece.kind, points: run });
    }
  }

  // Gap filling: for each unswept patch, nearest first, visit the sweep centres nearest its cells.
  const leftover = new Uint8Array(remaining.length);
  for (let i = 0; i < leftover.length; i++) leftover[i] = remaining[i]! & (swept[i]! ^ 1);
  const patches = skipSmallest(
    patchesOf(width, grid.height, leftover, ctx.minGapCells),
    ctx.gapBudgetCells,
    SMALL_GAP_CELLS,
  );
  /** The sweepable cell nearest to cell `target` within the tool's reach, or -1. */
  const nearestCentre = (target: number): number => {
    const c = centreOf(target);
    let best = -1;
    let bestD = Infinity;
    forEachInDisk(grid, c.x, c.y, toolRadius, (i) => {
      if (!ctx.sweepable[i]) return;
      const p = centreOf(i);
      const d = (p.x - c.x) ** 2 + (p.y - c.y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  };
  const centreOf = (i: number): Point2D => {
    const x = i % width;
    return { x: origin.x + (x + 0.5) * resolution, y: origin.y + ((i - x) / width + 0.5) * resolution };
  };
  const patchDone = new Uint8Array(patches.length);
  const givenUp = new Uint8Array(remaining.length);
  for (let visits = 0; visits < patches.length; visits++) {
    let best = -1;
    let bestD = Infinity;
    for (let p = 0; p < patches.length; p++) {
      if (patchDone[p]) continue;
      const c = centreOf(patches[p]![0]!);
      const d = Math.hypot(c.x - here.x, c.y - here.y);
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    patchDone[best] = 1;
    const cells = patches[best]!;
    for (let guard = 0; guard < cells.length; guard++) {
      let target = -1;
      let targetD = Infinity;
      for (const i of cells) {
        if (swept[i] || givenUp[i]) continue;
        const c = centreOf(i);
        const d = Math.hypot(c.x - here.x, c.y - here.y);
        if (d < targetD) {
          targetD = d;
          target = i;
        }
      }
      if (target < 0) break;
      const centre = nearestCentre(target);
      const before = planned;
      if (centre < 0 || !goTo(centreOf(centre), 'sweep') || planned === before) {
        // Nothing gained here: give the cell up so the loop moves on.
        givenUp[target] = 1;
      }
    }
  }
  return {
    path,
    plannedCells: planned,
    remainingCells: ctx.remainingCells,
    unreachableCells: ctx.unreachableCells,
    ...(ctx.cutOff ? { cutOff: ctx.cutOff } : {}),
    unsweptCells: ctx.remainingCells - planned,
    pieces: [...kept, ...blocked],
    blocked,
  };
}

/**
 * The radius within which a run's cells make it worth driving: a hair less than the tool's, because a cell
 * exactly one radius from a row's line is touched only where a sample happens to sit level with it, and a
 * row along a border the perimeter pass swept would otherwise be kept for cells its neighbour row covers.
 */
function judgeRadius(toolRadius: number, resolution: number): number {
  return toolRadius - 0.01 * resolution;
}

/** Patches smaller than this many cells may be left unswept within the gap budget. */
const SMALL_GAP_CELLS = 20;

/** The patches without the smallest ones (under `small` cells) whose cells add up to at most `budget`. */
function skipSmallest(patches: number[][], budget: number, small: number): number[][] {
  const skipped = new Set(skippedSmallest(patches, budget, small));
  return patches.filter((p) => !skipped.has(p));
}

/** The smallest patches (under `small` cells) whose cells add up to at most `budget`. */
function skippedSmallest(patches: number[][], budget: number, small: number): number[][] {
  const bySize = patches.slice().sort((a, b) => a.length - b.length);
  const skipped: number[][] = [];
  let left = budget;
  for (const patch of bySize) {
    if (patch.length >= small || patch.length > left) break;
    skipped.push(patch);
    left -= patch.length;
  }
  return skipped;
}

/** 8-connected patches of `mask` with at least `minCells` cells, each as its cell indices. */
function patchesOf(width: number, height: number, mask: Uint8Array, minCells: number): number[][] {
  const seen = new Uint8Array(mask.length);
  const out: number[][] = [];
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || seen[s]) continue;
    const patch = [s];
    seen[s] = 1;
    for (let k = 0; k < patch.length; k++) {
      const i = patch[k]!;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const j = ny * width + nx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            patch.push(j);
          }
        }
    }
    if (patch.length >= minCells) out.push(patch);
  }
  return out;
}

/** Closed border chains of `sweepable` around the cells of `islands` (each a polyline, last point = first). */
function islandBorders(grid: CostGrid, sweepable: Uint8Array, islands: Uint8Array): Point2D[][] {
  const { width, resolution, origin } = grid;
  let any = false;
  for (let i = 0; i < islands.length && !any; i++) any = islands[i] === 1;
  if (!any) return [];
  const rings = perimeterPaths(grid, sweepable, 0).filter((chain) => {
    const p = chain[0]!;
    const i = Math.floor((p.y - origin.y) / resolution) * width + Math.floor((p.x - origin.x) / resolution);
    return (
      islands[i - 1] === 1 || islands[i + 1] === 1 || islands[i - width] === 1 || islands[i + width] === 1
    );
  });
  return rings;
}
