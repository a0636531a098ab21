/**
 * 2-D pose-graph optimisation: nodes are poses, edges measured relative poses with a diagonal information
 * matrix (in the frame of the edge's first node). Gauss–Newton on the SE(2) errors
 *   e = [R_z^T (R_i^T (t_j − t_i) − t_z); θ_j − θ_i − θ_z]
 * with the normal equations solved by conjugate gradients over 3×3 blocks, preconditioned by the system's
 * block-tridiagonal part (the edges between consecutive nodes, solved exactly in O(n)): for a trajectory's
 * graph — a chain of steps plus loop closures — CG then only has the closures' coupling left to resolve and
 * converges in a few iterations instead of about one per node. The first node is held fixed (it anchors the
 * map frame).
 */
import { normalizeAngle, type Pose2D } from '../../shared/geometry.ts';

export interface PoseEdge {
  from: number;
  to: number;
  /** the pose of `to` in the frame of `from` */
  measurement: Pose2D;
  /** information (1/σ²) of x, y (in `from`'s frame) and θ */
  information: readonly [number, number, number];
}

/** Sum of squared, information-weighted edge errors (χ²). */
export function graphError(poses: readonly Pose2D[], edges: readonly PoseEdge[]): number {
  let chi2 = 0;
  const e = new Float64Array(3);
  for (const edge of edges) {
    edgeError(poses[edge.from]!, poses[edge.to]!, edge.measurement, e);
    chi2 +=
      edge.information[0] * e[0]! ** 2 + edge.information[1] * e[1]! ** 2 + edge.information[2] * e[2]! ** 2;
  }
  return chi2;
}

function edgeError(a: Pose2D, b: Pose2D, z: Pose2D, out: Float64Array): void {
  const ca = Math.cos(a.theta);
  const sa = Math.sin(a.theta);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  // R_a^T (t_b − t_a) − t_z, then rotated by R_z^T
  const lx = ca * dx + sa * dy - z.x;
  const ly = -sa * dx + ca * dy - z.y;
  const cz = Math.cos(z.theta);
  const sz = Math.sin(z.theta);
  out[0] = cz * lx + sz * ly;
  out[1] = -sz * lx + cz * ly;
  out[2] = normalizeAngle(b.theta - a.theta - z.theta);
}

/** Returns optimised poses (the input is not modified). */
export function optimizePoseGraph(
  poses: readonly Pose2D[],
  edges: readonly PoseEdge[],
  opts: { iterations?: number; cgIterations?: number } = {},
): Pose2D[] {
  const n = poses.length;
  let x = poses.map((p) => ({ ...p }));
  if (n < 2 || edges.length === 0) return x;
  const iterations = opts.iterations ?? 3;
  const cgIterations = opts.cgIterations ?? n + 50;
  const e = new Float64Array(3);
  for (let it = 0; it < iterations; it++) {
    // Normal equations: diagonal blocks per node, off-diagonal blocks per edge (i < j or j < i, 3×3 each).
    const diag = new Float64Array(9 * n);
    const off = new Float64Array(9 * edges.length);
    const b = new Float64Array(3 * n);
    const A = Float64Array.of(0, 0, 0, 0, 0, 0, 0, 0, -1);
    const B = Float64Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1);
    for (let k = 0; k < edges.length; k++) {
      const edge = edges[k]!;
      const pa = x[edge.from]!;
      const pb = x[edge.to]!;
      edgeError(pa, pb, edge.measurement, e);
      const ca = Math.cos(pa.theta);
      const sa = Math.sin(pa.theta);
      const cz = Math.cos(edge.measurement.theta);
      const sz = Math.sin(edge.measurement.theta);
      const dx = pb.x - pa.x;
      const dy = pb.y - pa.y;
      // M = R_z^T R_a^T (row-major 2×2)
      const m00 = cz * ca - sz * sa;
      const m01 = cz * sa + sz * ca;
      const m10 = -sz * ca - cz * sa;
      const m11 = -sz * sa + cz * ca;
      // d(R_a^T)/dθ · Δt = [−sa·dx + ca·dy, −ca·dx − sa·dy], rotated by R_z^T
      const gx = -sa * dx + ca * dy;
      const gy = -ca * dx - sa * dy;
      const rx = cz * gx + sz * gy;
      const ry = -sz * gx + cz * gy;
      // A = [−M, (rx, ry); 0 0 −1], B = [M, 0; 0 0 1] (the constant entries are set once above)
      A[0] = -m00;
      A[1] = -m01;
      A[2] = rx;
      A[3] = -m10;
      A[4] = -m11;
      A[5] = ry;
      B[0] = m00;
      B[1] = m01;
      B[3] = m10;
      B[4] = m11;
      const info = edge.information;
      const i = edge.from;
      const j = edge.to;
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          let aa = 0;
          let bb = 0;
          let ab = 0;
          for (let q = 0; q < 3; q++) {
            aa += A[q * 3 + r]! * info[q]! * A[q * 3 + c]!;
            bb += B[q * 3 + r]! * info[q]! * B[q * 3 + c]!;
            ab += A[q * 3 + r]! * info[q]! * B[q * 3 + c]!;
          }
          diag[9 * i + r * 3 + c] += aa;
          diag[9 * j + r * 3 + c] += bb;
          off[9 * k + r * 3 + c] = ab; // block (i, j); (j, i) is its transpose
        }
        let ba = 0;
        let bbv = 0;
        for (let q = 0; q < 3; q++) {
          ba += A[q * 3 + r]! * info[q]! * e[q]!;
          bbv += B[q * 3 + r]! * info[q]! * e[q]!;
        }
        b[3 * i + r] -= ba;
        b[3 * j + r] -= bbv;
      }
    }
    // Node 0 is fixed: solve for the others only.
    const delta = solveCg(n, edges, diag, off, b, cgIterations);
    x = x.map((p, i) =>
      i === 0
        ? p
        : {
            x: p.x + delta[3 * i]!,
            y: p.y + delta[3 * i + 1]!,
            theta: normalizeAngle(p.theta + delta[3 * i + 2]!),
          },
    );
    let maxStep = 0;
    for (let i = 3; i < delta.length; i++) maxStep = Math.max(maxStep, Math.abs(delta[i]!));
    if (maxStep < 1e-6) break;
  }
  return x;
}

function invert3(m: Float64Array, at: number, out: Float64Array, outAt: number): void {
  const a = m[at]!, b = m[at + 1]!, c = m[at + 2]!; // prettier-ignore
  const d = m[at + 3]!, e = m[at + 4]!, f = m[at + 5]!; // prettier-ignore
  const g = m[at + 6]!, h = m[at + 7]!, i = m[at + 8]!; // prettier-ignore
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const s = Math.abs(det) > 1e-300 ? 1 / det : 0;
  out[outAt] = A * s;
  out[outAt + 1] = -(b * i - c * h) * s;
  out[outAt + 2] = (b * f - c * e) * s;
  out[outAt + 3] = B * s;
  out[outAt + 4] = (a * i - c * g) * s;
  out[outAt + 5] = -(a * f - c * d) * s;
  out[outAt + 6] = C * s;
  out[outAt + 7] = -(a * h - b * g) * s;
  out[outAt + 8] = (a * e - b * d) * s;
}

/** The 3×3 product out = A·B (row-major; `ta`: Aᵀ·B). */
function mul3(
  a: Float64Array,
  at: number,
  b: Float64Array,
  bt: number,
  out: Float64Array,
  outAt: number,
  ta = false,
): void {
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let q = 0; q < 3; q++) s += (ta ? a[at + q * 3 + r]! : a[at + r * 3 + q]!) * b[bt + q * 3 + c]!;
      out[outAt + r * 3 + c] = s;
    }
}

/**
 * The block-tridiagonal part of the system (every diagonal block; the off-diagonal blocks between nodes i − 1
 * and i), factored once (block LDLᵀ without node 0) and solved in O(n). It is the sum of the consecutive
 * edges' terms and the diagonal blocks of the others', so positive definite whenever the system is.
 */
function chainPreconditioner(
  n: number,
  from: Int32Array,
  to: Int32Array,
  diag: Float64Array,
  off: Float64Array,
): (v: Float64Array, out: Float64Array) => void {
  // upper[9i]: the block coupling node i − 1 (rows) with node i (columns)
  const upper = new Float64Array(9 * n);
  for (let k = 0; k < from.length; k++) {
    const f = from[k]!;
    const t = to[k]!;
    if (t === f + 1) for (let q = 0; q < 9; q++) upper[9 * t + q] += off[9 * k + q]!;
    else if (f === t + 1)
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) upper[9 * f + r * 3 + c] += off[9 * k + c * 3 + r]!;
  }
  const dInv = new Float64Array(9 * n);
  const lower = new Float64Array(9 * n); // W_i = U_iᵀ D_{i−1}⁻¹
  const d = new Float64Array(9);
  const t = new Float64Array(9);
  for (let i = 1; i < n; i++) {
    for (let q = 0; q < 9; q++) d[q] = diag[9 * i + q]!;
    if (i >= 2) {
      mul3(upper, 9 * i, dInv, 9 * (i - 1), lower, 9 * i, true);
      mul3(lower, 9 * i, upper, 9 * i, t, 0);
      for (let q = 0; q < 9; q++) d[q] -= t[q]!;
    }
    invert3(d, 0, dInv, 9 * i);
  }
  const y = new Float64Array(3 * n);
  // The block loops unrolled, every sum in the same order as the 3 × 3 loops (same floating-point results).
  return (v, out) => {
    out.fill(0);
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let i = 1; i < n; i++) {
      const a = 3 * i;
      let s0 = v[a]!;
      let s1 = v[a + 1]!;
      let s2 = v[a + 2]!;
      if (i >= 2) {
        const l = 9 * i;
        s0 = s0 - lower[l]! * y0 - lower[l + 1]! * y1 - lower[l + 2]! * y2;
        s1 = s1 - lower[l + 3]! * y0 - lower[l + 4]! * y1 - lower[l + 5]! * y2;
        s2 = s2 - lower[l + 6]! * y0 - lower[l + 7]! * y1 - lower[l + 8]! * y2;
      }
      y[a] = y0 = s0;
      y[a + 1] = y1 = s1;
      y[a + 2] = y2 = s2;
    }
    let o0 = 0;
    let o1 = 0;
    let o2 = 0;
    for (let i = n - 1; i >= 1; i--) {
      const a = 3 * i;
      let r0 = y[a]!;
      let r1 = y[a + 1]!;
      let r2 = y[a + 2]!;
      if (i + 1 < n) {
        const u = 9 * (i + 1);
        r0 = r0 - upper[u]! * o0 - upper[u + 1]! * o1 - upper[u + 2]! * o2;
        r1 = r1 - upper[u + 3]! * o0 - upper[u + 4]! * o1 - upper[u + 5]! * o2;
        r2 = r2 - upper[u + 6]! * o0 - upper[u + 7]! * o1 - upper[u + 8]! * o2;
      }
      const g = 9 * i;
      o0 = 0 + dInv[g]! * r0 + dInv[g + 1]! * r1 + dInv[g + 2]! * r2;
      o1 = 0 + dInv[g + 3]! * r0 + dInv[g + 4]! * r1 + dInv[g + 5]! * r2;
      o2 = 0 + dInv[g + 6]! * r0 + dInv[g + 7]! * r1 + dInv[g + 8]! * r2;
      out[a] = o0;
      out[a + 1] = o1;
      out[a + 2] = o2;
    }
  };
}

/** out = H·v for the block-sparse system, node 0's unknowns pinned to zero. */
function multiplyBlocks(
  n: number,
  from: Int32Array,
  to: Int32Array,
  diag: Float64Array,
  off: Float64Array,
  v: Float64Array,
  out: Float64Array,
): void {
  out.fill(0);
  // Unrolled 3 × 3 loops; every element's sum is taken in the original order (same floating-point results).
  for (let i = 1; i < n; i++) {
    const a = 3 * i;
    const g = 9 * i;
    const v0 = v[a]!;
    const v1 = v[a + 1]!;
    const v2 = v[a + 2]!;
    out[a] = 0 + diag[g]! * v0 + diag[g + 1]! * v1 + diag[g + 2]! * v2;
    out[a + 1] = 0 + diag[g + 3]! * v0 + diag[g + 4]! * v1 + diag[g + 5]! * v2;
    out[a + 2] = 0 + diag[g + 6]! * v0 + diag[g + 7]! * v1 + diag[g + 8]! * v2;
  }
  for (let k = 0; k < from.length; k++) {
    const i = from[k]!;
    const j = to[k]!;
    if (i === 0 || j === 0) continue;
    const h = 9 * k;
    if (i === j) {
      // a self-edge: keep the interleaved order of the plain loops
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) {
          out[3 * i + r] += off[h + r * 3 + c]! * v[3 * j + c]!;
          out[3 * j + c] += off[h + r * 3 + c]! * v[3 * i + r]!;
        }
      continue;
    }
    const ai = 3 * i;
    const aj = 3 * j;
    const vi0 = v[ai]!;
    const vi1 = v[ai + 1]!;
    const vi2 = v[ai + 2]!;
    const vj0 = v[aj]!;
    const vj1 = v[aj + 1]!;
    const vj2 = v[aj + 2]!;
    const h00 = off[h]!, h01 = off[h + 1]!, h02 = off[h + 2]!; // prettier-ignore
    const h10 = off[h + 3]!, h11 = off[h + 4]!, h12 = off[h + 5]!; // prettier-ignore
    const h20 = off[h + 6]!, h21 = off[h + 7]!, h22 = off[h + 8]!; // prettier-ignore
    out[ai] = out[ai]! + h00 * vj0 + h01 * vj1 + h02 * vj2;
    out[ai + 1] = out[ai + 1]! + h10 * vj0 + h11 * vj1 + h12 * vj2;
    out[ai + 2] = out[ai + 2]! + h20 * vj0 + h21 * vj1 + h22 * vj2;
    out[aj] = out[aj]! + h00 * vi0 + h10 * vi1 + h20 * vi2;
    out[aj + 1] = out[aj + 1]! + h01 * vi0 + h11 * vi1 + h21 * vi2;
    out[aj + 2] = out[aj + 2]! + h02 * vi0 + h12 * vi1 + h22 * vi2;
  }
}

/** Preconditioned CG on the block-sparse system, node 0's unknowns pinned to zero. */
function solveCg(
  n: number,
  edges: readonly PoseEdge[],
  diag: Float64Array,
  off: Float64Array,
  b: Float64Array,
  maxIterations: number,
): Float64Array {
  const size = 3 * n;
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  for (let k = 0; k < edges.length; k++) {
    from[k] = edges[k]!.from;
    to[k] = edges[k]!.to;
  }
  const precondition = chainPreconditioner(n, from, to, diag, off);
  const x = new Float64Array(size);
  const r = Float64Array.from(b);
  r[0] = r[1] = r[2] = 0;
  const z = new Float64Array(size);
  precondition(r, z);
  const p = Float64Array.from(z);
  const q = new Float64Array(size);
  let rz = dot(r, z);
  const stop = 1e-20 * Math.max(1, dot(b, b));
  let rr = dot(r, r);
  for (let it = 0; it < maxIterations && rr > stop; it++) {
    multiplyBlocks(n, from, to, diag, off, p, q);
    const alpha = rz / dot(p, q);
    if (!Number.isFinite(alpha)) break;
    // r·r for the next test, summed in the same order as dot(r, r)
    rr = 0;
    for (let i = 0; i < size; i++) {
      x[i] += alpha * p[i]!;
      const ri = r[i]! - alpha * q[i]!;
      r[i] = ri;
      rr += ri * ri;
    }
    precondition(r, z);
    const rzNext = dot(r, z);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < size; i++) p[i] = z[i]! + beta * p[i]!;
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
