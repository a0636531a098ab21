/**
 * Inflation (Nav2's InflationLayer): costs that fall off with the distance d to the nearest lethal cell —
 * 254 on it, 253 within the robot's inscribed radius, 252·e^(−k·(d − r)) out to the inflation radius, so
 * planners keep a margin from walls when they can and squeeze through when they must.
 */
import { FREE_SPACE, INSCRIBED, LETHAL, NO_INFORMATION, type Costmap, type CostmapLayer } from './costmap.ts';

/** lethal[] of a lethal cell */
const LETHAL_FLAG = 0x80;

/** 0x80 in each byte of a word of costs that is LETHAL (0xfe), 0 in the others (exact zero-byte test). */
function lethalBytes(word: number): number {
  const x = word ^ 0xfefefefe;
  return ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
}

/** Combines an inflated cost into the master's cell i. */
function raise(costs: Uint8Array, i: number, cost: number): void {
  if (cost === 0) return;
  const old = costs[i]!;
  // Unknown cells only take costs that forbid the robot's centre (Nav2 with inflate_unknown off).
  if (old === NO_INFORMATION) {
    if (cost >= INSCRIBED) costs[i] = cost;
  } else if (cost > old) costs[i] = cost;
}

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

  /**
   * The last update: its geometry, lethal mask and inflated cost per cell (0 beyond the radius), to redo only
   * what changed; `table` is the cost per squared cell distance (0 at maxSq + 1, "too far").
   */
  private last: { key: string; lethal: Uint8Array; cost: Uint8Array; table: Uint8Array } | undefined;
  /** scratch for the window's distances, kept between updates */
  private scratch = new Int32Array(0);
  private row = new Int32Array(0);

  updateCosts(master: Costmap): void {
    const { resolution, costs } = master;
    const maxSq = Math.ceil((this.inflationRadius / resolution) ** 2);
    const inflated = this.inflated(master, maxSq);
    // Free space (inflated cost 0) raises no cost: skip it four cells at a time.
    const words = costs.length >> 2;
    const i32 = new Int32Array(inflated.buffer, inflated.byteOffset, words);
    for (let k = 0; k < words; k++) {
      if (i32[k] === 0) continue;
      for (let i = 4 * k; i < 4 * k + 4; i++) raise(costs, i, inflated[i]!);
    }
    for (let i = words * 4; i < costs.length; i++) raise(costs, i, inflated[i]!);
  }

  /**
   * The inflated cost of every cell, from its squared cell distance to the nearest lethal cell. Between updates
   * most obstacles stay where they were: only the box around the lethal cells that changed, grown by the
   * inflation radius, is recomputed (from a window grown by the radius again, which holds every obstacle that
   * can be nearest to a cell of the box within the radius).
   */
  private inflated(master: Costmap, maxSq: number): Uint8Array {
    const { width, height, costs } = master;
    const n = width * height;
    const key = `${width}x${height}@${master.origin.x},${master.origin.y}/${master.resolution}/${maxSq}`;
    const last = this.last;
    if (!last || last.key !== key) {
      const lethal = new Uint8Array(n);
      for (let i = 0; i < n; i++) lethal[i] = costs[i] === LETHAL ? LETHAL_FLAG : 0;
      // Costs per squared cell distance are few: look them up instead of exp() per cell.
      const table = new Uint8Array(maxSq + 2);
      for (let s = 0; s <= maxSq; s++) table[s] = this.costAt(Math.sqrt(s) * master.resolution);
      const next = { key, lethal, cost: new Uint8Array(n), table };
      this.last = next;
      this.recompute(next, width, maxSq, 0, 0, width - 1, height - 1, 0, 0, width - 1, height - 1);
      return next.cost;
    }
    const lethal = last.lethal;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    const mark = (i: number): void => {
      const y = Math.floor(i / width);
      const x = i - y * width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    };
    // Four cells at a time where the costs are word-aligned: lethal[] holds LETHAL_FLAG per lethal cell, as
    // lethalBytes() flags a word of costs, so unchanged words compare equal.
    let start = 0;
    if (costs.byteOffset % 4 === 0) {
      const words = n >> 2;
      const c32 = new Int32Array(costs.buffer, costs.byteOffset, words);
      const l32 = new Int32Array(lethal.buffer, lethal.byteOffset, words);
      for (let k = 0; k < words; k++) {
        const flags = lethalBytes(c32[k]!);
        if (flags === l32[k]) continue;
        for (let i = 4 * k; i < 4 * k + 4; i++) {
          const l = costs[i] === LETHAL ? LETHAL_FLAG : 0;
          if (l === lethal[i]) continue;
          lethal[i] = l;
          mark(i);
        }
      }
      start = words * 4;
    }
    for (let i = start; i < n; i++) {
      const l = costs[i] === LETHAL ? LETHAL_FLAG : 0;
      if (l === lethal[i]) continue;
      lethal[i] = l;
      mark(i);
    }
    if (x1 < 0) return last.cost;
    const r = Math.ceil(Math.sqrt(maxSq)) + 1;
    // The box whose distances may change, and the window that decides them.
    const bx0 = Math.max(0, x0 - r);
    const by0 = Math.max(0, y0 - r);
    const bx1 = Math.min(width - 1, x1 + r);
    const by1 = Math.min(height - 1, y1 + r);
    const wx0 = Math.max(0, bx0 - r);
    const wy0 = Math.max(0, by0 - r);
    const wx1 = Math.min(width - 1, bx1 + r);
    const wy1 = Math.min(height - 1, by1 + r);
    this.recompute(last, width, maxSq, bx0, by0, bx1, by1, wx0, wy0, wx1, wy1);
    return last.cost;
  }

  /**
   * The costs of the box [bx0, bx1] × [by0, by1] from the lethal cells of the window [wx0, wx1] × [wy0, wy1]
   * around it: the exact squared Euclidean distance, clamped to maxSq + 1 (beyond that only "too far"
   * matters), separably — the nearest lethal cell up or down each column, then the nearest column value
   * along each row, searched only as far as can still come under the clamp.
   */
  private recompute(
    state: { lethal: Uint8Array; cost: Uint8Array; table: Uint8Array },
    width: number,
    maxSq: number,
    bx0: number,
    by0: number,
    bx1: number,
    by1: number,
    wx0: number,
    wy0: number,
    wx1: number,
    wy1: number,
  ): void {
    const { lethal, cost, table } = state;
    const far = maxSq + 1;
    const ww = wx1 - wx0 + 1;
    const bh = by1 - by0 + 1;
    if (this.scratch.length < ww * bh) this.scratch = new Int32Array(ww * bh);
    if (this.row.length < 2 * ww) this.row = new Int32Array(2 * ww);
    const g = this.scratch; // per box row, window column: the column distance, then its square clamped to far
    const near = this.row; // per window column: the last lethal row seen
    const NONE = 1 << 24;
    // Down the columns (upwards in y): distance to the nearest lethal cell at or below.
    near.fill(-NONE, 0, ww);
    for (let y = wy0; y <= by1; y++) {
      const row = y * width + wx0;
      for (let x = 0; x < ww; x++) if (lethal[row + x] !== 0) near[x] = y;
      if (y >= by0) {
        const out = (y - by0) * ww;
        for (let x = 0; x < ww; x++) g[out + x] = y - near[x]!;
      }
    }
    // Then from above; keep the nearer, squared (clamped).
    near.fill(NONE, 0, ww);
    for (let y = wy1; y >= by0; y--) {
      const row = y * width + wx0;
      for (let x = 0; x < ww; x++) if (lethal[row + x] !== 0) near[x] = y;
      if (y <= by1) {
        const out = (y - by0) * ww;
        for (let x = 0; x < ww; x++) {
          const d = Math.min(g[out + x]!, near[x]! - y);
          g[out + x] = d * d < far ? d * d : far;
        }
      }
    }
    // Along the rows: min over window columns p of (x − p)² + g(p), for each x of the box.
    const best = this.row; // reused: the column pass is done
    const bw = bx1 - bx0 + 1;
    for (let y = by0; y <= by1; y++) {
      const line = (y - by0) * ww;
      best.fill(far, 0, bw);
      for (let p = wx0; p <= wx1; p++) {
        const gp = g[line + p - wx0]!;
        if (gp >= far) continue;
        // Only |x − p| with (x − p)² + gp < far can lower anything.
        const reach = Math.floor(Math.sqrt(far - 1 - gp));
        const lo = Math.max(bx0, p - reach);
        const hi = Math.min(bx1, p + reach);
        for (let x = lo; x <= hi; x++) {
          const v = (x - p) * (x - p) + gp;
          if (v < best[x - bx0]!) best[x - bx0] = v;
        }
      }
      const row = y * width;
      for (let x = bx0; x <= bx1; x++) cost[row + x] = table[best[x - bx0]!]!;
    }
  }
}
