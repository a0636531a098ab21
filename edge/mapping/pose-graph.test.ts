import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePose, relativePose, type Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import { graphError, optimizePoseGraph, type PoseEdge } from './pose-graph.ts';

/** A square loop of 40 poses, 1 m apart, turning 90° at the corners. */
function square(): Pose2D[] {
  const out: Pose2D[] = [{ x: 0, y: 0, theta: 0 }];
  for (let k = 1; k < 40; k++) {
    const turn = k % 10 === 0 ? Math.PI / 2 : 0;
    out.push(composePose(out[k - 1]!, { x: 1, y: 0, theta: turn }));
  }
  return out;
}

describe('optimizePoseGraph', () => {
  it('leaves a consistent graph alone', () => {
    const truth = square();
    const edges: PoseEdge[] = truth.slice(1).map((p, k) => ({
      from: k,
      to: k + 1,
      measurement: relativePose(truth[k]!, p),
      information: [100, 100, 1000],
    }));
    const out = optimizePoseGraph(truth, edges);
    assert.ok(graphError(out, edges) < 1e-12);
    out.forEach((p, k) => assert.ok(Math.hypot(p.x - truth[k]!.x, p.y - truth[k]!.y) < 1e-9));
  });

  it('closes a drifting loop: the loop edge pulls the end back and spreads the error', () => {
    const truth = square();
    const rng = new Rng(4);
    const edges: PoseEdge[] = [];
    const drifted: Pose2D[] = [{ ...truth[0]! }];
    for (let k = 1; k < truth.length; k++) {
      const z = relativePose(truth[k - 1]!, truth[k]!);
      const noisy = { x: z.x + rng.gaussian(0, 0.02), y: z.y + rng.gaussian(0, 0.02), theta: z.theta + 0.02 };
      edges.push({ from: k - 1, to: k, measurement: noisy, information: [2500, 2500, 2500] });
      drifted.push(composePose(drifted[k - 1]!, noisy));
    }
    // The last pose sees the first: one loop closure with the true relative pose.
    edges.push({
      from: 0,
      to: 39,
      measurement: relativePose(truth[0]!, truth[39]!),
      information: [1e4, 1e4, 1e5],
    });
    const err = (poses: Pose2D[]): number =>
      Math.max(...poses.map((p, k) => Math.hypot(p.x - truth[k]!.x, p.y - truth[k]!.y)));
    const before = err(drifted);
    const out = optimizePoseGraph(drifted, edges, { iterations: 10 });
    assert.ok(before > 1, `drift ${before}`);
    assert.ok(err(out) < 0.15, `after ${err(out)}`);
    assert.ok(graphError(out, edges) < graphError(drifted, edges) / 100);
    assert.deepEqual(out[0], drifted[0], 'the first node stays fixed');
  });
});

describe('optimizePoseGraph on a long trajectory', () => {
  it('converges in about a hundred CG iterations however long the chain (the chain is preconditioned exactly)', () => {
    // Three laps of a circle, 0.1 m steps, with loop closures to the lap before every 20 nodes.
    const n = 1500;
    const truth: Pose2D[] = [];
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / 500;
      truth.push({ x: 8 * Math.cos(a), y: 8 * Math.sin(a), theta: a + Math.PI / 2 });
    }
    const rng = new Rng(7);
    const edges: PoseEdge[] = [];
    const drifted: Pose2D[] = [{ ...truth[0]! }];
    for (let k = 1; k < n; k++) {
      const z = relativePose(truth[k - 1]!, truth[k]!);
      edges.push({ from: k - 1, to: k, measurement: z, information: [1000, 1000, 40000] });
      const noisy = { x: z.x + rng.gaussian(0, 0.005), y: z.y, theta: z.theta + 0.002 };
      drifted.push(composePose(drifted[k - 1]!, noisy));
    }
    for (let k = 520; k < n; k += 20)
      edges.push({
        from: k - 500,
        to: k,
        measurement: relativePose(truth[k - 500]!, truth[k]!),
        information: [1000, 1000, 40000],
      });
    const err = (poses: Pose2D[]): number =>
      Math.max(...poses.map((p, k) => Math.hypot(p.x - truth[k]!.x, p.y - truth[k]!.y)));
    assert.ok(err(drifted) > 5, `drift ${err(drifted)}`);
    // Every measurement is exact: the optimum is the truth. 120 CG iterations for 1,500 nodes: block-Jacobi
    // preconditioning would need about one per node.
    const out = optimizePoseGraph(drifted, edges, { iterations: 6, cgIterations: 120 });
    assert.ok(err(out) < 1e-4, `after ${err(out)}`);
  });
});
