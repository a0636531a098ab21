import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePose, type Pose2D } from '../../shared/geometry.ts';
import { OccupancyMap, OccupancyMapParamsSchema, UNKNOWN_CELL } from './occupancy-map.ts';
import { scanToRays } from './slam.ts';
import { SubmapSet, rigidFit } from './submap.ts';
import { IRREGULAR_ROOM, syntheticScan } from './synthetic-scan.ts';

const SCANNER = { beams: 360, startAngle: -Math.PI, fov: 2 * Math.PI, maxRange: 12 };
const MOUNT: Pose2D = { x: 0, y: 0, theta: 0 };
const PARAMS = OccupancyMapParamsSchema.parse({});

/** Poses along a short arc in the irregular room. */
function poses(count: number): Pose2D[] {
  return Array.from({ length: count }, (_, k) => ({ x: 0.5 + 0.08 * k, y: 0.4 + 0.02 * k, theta: 0.03 * k }));
}

/** Scan `k`, taken at `pose`, as rays from `placed` (where the map believes it was taken). */
function raysAt(pose: Pose2D, k = 0, placed = pose) {
  return scanToRays(syntheticScan(IRREGULAR_ROOM, pose, SCANNER, k * 0.1, k), MOUNT, placed, 0.1, 30, 3);
}

/** Fraction of `a`'s occupied cells that are occupied in `b` at the same place, to within one cell. */
function occupiedAgreement(a: OccupancyMap, b: OccupancyMap): number {
  const ga = a.toOccupancyGrid();
  let total = 0;
  let found = 0;
  for (let y = 0; y < ga.height; y++)
    for (let x = 0; x < ga.width; x++) {
      if (ga.data[y * ga.width + x] !== 100) continue;
      total++;
      const wx = a.originX + (x + 0.5) * a.resolution;
      const wy = a.originY + (y + 0.5) * a.resolution;
      const bx = b.cellX(wx);
      const by = b.cellY(wy);
      let hit = false;
      for (let dy = -1; dy <= 1 && !hit; dy++)
        for (let dx = -1; dx <= 1 && !hit; dx++) hit = b.probabilityAt(bx + dx, by + dy) >= 0.65;
      if (hit) found++;
    }
  return total > 0 ? found / total : 0;
}

describe('OccupancyMap patches (crop, stamp, rebuildLikelihood)', () => {
  it('a cropped patch stamped in place reproduces the cells, and the rebuilt likelihood the incremental one', () => {
    const map = new OccupancyMap();
    const fine = new OccupancyMap();
    const coarse = new OccupancyMap({ resolution: 0.1 });
    fine.feedCoarser(coarse);
    poses(6).forEach((p, k) => {
      map.integrate(raysAt(p, k));
      fine.integrate(raysAt(p, k));
    });
    const patch = map.crop();
    assert.ok(patch.width > 0 && patch.width < map.width && patch.height < map.height);
    const copy = OccupancyMap.emptyLike(map);
    copy.stamp(patch, { x: 0, y: 0, theta: 0 });
    assert.deepEqual(copy.cells, map.cells);
    // Likelihood from the log-odds alone, fine and coarse, as the incremental updates left it.
    const before = [Float32Array.from(fine.likelihood), Float32Array.from(coarse.likelihood)];
    fine.rebuildLikelihood();
    [fine.likelihood, coarse.likelihood].forEach((like, l) => {
      let worst = 0;
      for (let i = 0; i < like.length; i++) worst = Math.max(worst, Math.abs(like[i]! - before[l]![i]!));
      assert.ok(worst < 1e-3, `level ${l}: ${worst}`);
      assert.ok(before[l]!.some((v) => v > 0.5));
    });
  });

  it('a patch stamped at a rigid motion lands where the scans would have been integrated', () => {
    const motion: Pose2D = { x: 0.37, y: -0.21, theta: 0.12 };
    const built = new OccupancyMap();
    const direct = new OccupancyMap();
    poses(6).forEach((p, k) => {
      built.integrate(raysAt(p, k));
      direct.integrate(raysAt(p, k, composePose(motion, p)));
    });
    const stamped = new OccupancyMap();
    stamped.stamp(built.crop(), motion);
    stamped.rebuildLikelihood();
    // Skipping each row's unknown stretches changes nothing.
    const { rowSpans, ...withoutSpans } = built.crop();
    assert.ok(rowSpans);
    const full = new OccupancyMap();
    full.stamp(withoutSpans, motion);
    assert.deepEqual(full.cells, stamped.cells);
    assert.ok(occupiedAgreement(direct, stamped) > 0.95);
    assert.ok(occupiedAgreement(stamped, direct) > 0.95);
    // Not at the motion's inverse: the agreement means something.
    const wrong = new OccupancyMap();
    wrong.stamp(built.crop(), { x: -motion.x, y: -motion.y, theta: -motion.theta });
    assert.ok(occupiedAgreement(direct, wrong) < 0.5);
    // Stamping adds log-odds, clamped: twice is more certain, never past the clamp.
    const twice = new OccupancyMap();
    twice.stamp(built.crop(), motion);
    twice.stamp(built.crop(), motion);
    const max = Math.round(Math.log(PARAMS.maxProbability / (1 - PARAMS.maxProbability)) * 1024);
    assert.ok(twice.cells.every((v) => v === UNKNOWN_CELL || v <= max));
    assert.ok(twice.cells.filter((v) => v === max).length > stamped.cells.filter((v) => v === max).length);
  });
});

describe('rigidFit', () => {
  it('recovers a rigid motion of a set of poses, and measures how far a bent set is from one', () => {
    const before = poses(8);
    const motion: Pose2D = { x: -1.2, y: 0.4, theta: 0.7 };
    const after = before.map((p) => composePose(motion, p));
    const fit = rigidFit(before, after);
    assert.ok(Math.abs(fit.motion.x - motion.x) < 1e-9 && Math.abs(fit.motion.y - motion.y) < 1e-9);
    assert.ok(Math.abs(fit.motion.theta - motion.theta) < 1e-12);
    assert.ok(fit.positionResidual < 1e-9 && fit.headingResidual < 1e-12);
    const bent = after.map((p, k) => (k === 7 ? { ...p, x: p.x + 0.1, theta: p.theta + 0.02 } : p));
    const fitBent = rigidFit(before, bent);
    assert.ok(fitBent.positionResidual > 0.05 && fitBent.headingResidual > 0.01);
  });
});

describe('SubmapSet', () => {
  const tolerance = { position: 0.025, heading: 0.005 };
  const taken = poses(12);
  const rays = (at: Pose2D[]) => (j: number, pose: Pose2D) => {
    assert.deepEqual(pose, at[j]);
    return raysAt(taken[j]!, j, pose);
  };

  it('one submap renders exactly the scan-by-scan map; a rigid move re-integrates no scan', () => {
    const at = poses(12);
    const set = new SubmapSet(40, PARAMS, tolerance);
    const sequential = new OccupancyMap();
    at.forEach((p, k) => {
      set.addNode(k);
      sequential.integrate(raysAt(p, k));
    });
    const first = new OccupancyMap();
    assert.deepEqual(set.render(first, at, rays(at)), { submaps: 1, built: 1, scans: 12 });
    const compare = OccupancyMap.emptyLike(sequential);
    compare.stamp(first.crop(), { x: 0, y: 0, theta: 0 });
    assert.deepEqual(compare.cells, sequential.cells);

    const motion: Pose2D = { x: 0.2, y: 0.1, theta: -0.05 };
    const moved = at.map((p) => composePose(motion, p));
    const second = new OccupancyMap();
    assert.deepEqual(set.render(second, moved, rays(moved)), { submaps: 1, built: 0, scans: 0 });
    const direct = new OccupancyMap();
    moved.forEach((p, k) => direct.integrate(raysAt(taken[k]!, k, p)));
    assert.ok(occupiedAgreement(direct, second) > 0.95);
  });

  it('groups nodes, rebuilds only the growing submap and the bent ones', () => {
    const at = poses(10);
    const set = new SubmapSet(4, PARAMS, tolerance);
    at.forEach((_, k) => set.addNode(k));
    assert.deepEqual(
      set.list.map((s) => [s.first, s.end]),
      [
        [0, 4],
        [4, 8],
        [8, 10],
      ],
    );
    assert.equal(set.render(new OccupancyMap(), at, rays(at)).scans, 10);
    const more = poses(11);
    set.addNode(10);
    assert.deepEqual(set.render(new OccupancyMap(), more, rays(more)), { submaps: 3, built: 1, scans: 3 });
    // Bend the second submap (one node 5 cm off): only it is re-integrated.
    const bent = more.map((p, k) => (k === 5 ? { ...p, y: p.y + 0.05 } : p));
    assert.deepEqual(set.render(new OccupancyMap(), bent, rays(bent)), { submaps: 3, built: 1, scans: 4 });
    assert.throws(() => set.addNode(20), /in order/);
    set.clear();
    assert.equal(set.count, 0);
  });
});
