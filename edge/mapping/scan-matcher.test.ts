import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { angleDiff, type Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import { OccupancyMap } from './occupancy-map.ts';
import { ScanMatcherParamsSchema, matchScan, scorePose, voxelFilter, withinWindow } from './scan-matcher.ts';
import { scanToPoints, scanToRays } from './slam.ts';
import { IRREGULAR_ROOM as ROOM, syntheticScan } from './synthetic-scan.ts';

const SCANNER = { beams: 400, startAngle: -Math.PI, fov: 2 * Math.PI, maxRange: 12 };
const MOUNT: Pose2D = { x: 0.05, y: 0, theta: 0 };

function buildPyramid(pose: Pose2D, rng: Rng): OccupancyMap[] {
  const levels = [0.05, 0.1, 0.2].map((resolution) => new OccupancyMap({ resolution }));
  for (let k = 0; k < 3; k++) {
    const laser = {
      x: pose.x + MOUNT.x * Math.cos(pose.theta),
      y: pose.y + MOUNT.x * Math.sin(pose.theta),
      theta: pose.theta,
    };
    const scan = syntheticScan(ROOM, laser, { ...SCANNER, noise: 0.01, rng });
    const rays = scanToRays(scan, MOUNT, pose, 0.1, 12, 3);
    for (const level of levels) level.integrate(rays);
  }
  return levels;
}

describe('matchScan', () => {
  const truth: Pose2D = { x: 0.3, y: -0.4, theta: 0.2 };
  const rng = new Rng(7);
  const levels = buildPyramid(truth, rng);
  const laser = {
    x: truth.x + MOUNT.x * Math.cos(truth.theta),
    y: truth.y + MOUNT.x * Math.sin(truth.theta),
    theta: truth.theta,
  };
  const scan = syntheticScan(ROOM, laser, { ...SCANNER, noise: 0.01, rng });
  const points = scanToPoints(scan, MOUNT, 0.1, 12, true);
  const perLevel = levels.map((l) => voxelFilter(points, l.resolution));
  const params = ScanMatcherParamsSchema.parse({});

  for (const [dx, dy, dTheta] of [
    [0.1, 0, 0],
    [-0.1, 0.1, 0],
    [0, -0.1, 0.087],
    [0.1, 0.1, -0.087],
    [-0.07, -0.1, 0.05],
  ] as const) {
    it(`recovers an offset of (${dx} m, ${dy} m, ${((dTheta * 180) / Math.PI).toFixed(0)}°) to within 1 cm and 0.3°`, () => {
      const guess = { x: truth.x + dx, y: truth.y + dy, theta: truth.theta + dTheta };
      const r = matchScan(levels, perLevel, guess, params);
      assert.ok(Math.hypot(r.pose.x - truth.x, r.pose.y - truth.y) < 0.01, JSON.stringify(r.pose));
      assert.ok(Math.abs(angleDiff(r.pose.theta, truth.theta)) < 0.005, JSON.stringify(r.pose));
      assert.ok(r.score > r.initialScore, 'matching raised the score');
      assert.ok(r.score > 0.6, `score ${r.score}`);
    });
  }

  it('scores the true pose far above a wrong one', () => {
    const good = scorePose(levels[0]!, perLevel[0]!, truth);
    const bad = scorePose(levels[0]!, perLevel[0]!, {
      x: truth.x + 0.5,
      y: truth.y,
      theta: truth.theta + 0.3,
    });
    assert.ok(good > 0.6 && bad < 0.3, `${good} vs ${bad}`);
  });

  it('a per-direction prior holds the position across its heading and lets the scan move it along', () => {
    const guess = { x: truth.x + 0.06, y: truth.y - 0.05, theta: truth.theta };
    const prior = { pose: guess, translationWeight: 0, sidewaysWeight: 1e5, rotationWeight: 0 };
    const r = matchScan(levels, perLevel, guess, params, prior);
    const c = Math.cos(guess.theta);
    const s = Math.sin(guess.theta);
    const along = (p: Pose2D): number => c * (p.x - guess.x) + s * (p.y - guess.y);
    const across = (p: Pose2D): number => -s * (p.x - guess.x) + c * (p.y - guess.y);
    assert.ok(Math.abs(across(r.pose)) < 0.003, `across ${across(r.pose)}`);
    assert.ok(Math.abs(along(r.pose) - along(truth)) < 0.01, `along ${along(r.pose)} vs ${along(truth)}`);
  });

  it('voxelFilter keeps one point per cell and carries normals along', () => {
    const f = voxelFilter(points, 0.2);
    assert.ok(f.count < points.count && f.count > 50);
    assert.equal(f.nx!.length, f.count);
    const keys = new Set<string>();
    for (let i = 0; i < f.count; i++) keys.add(`${Math.floor(f.x[i]! / 0.2)},${Math.floor(f.y[i]! / 0.2)}`);
    assert.equal(keys.size, f.count);
  });
});

describe('withinWindow', () => {
  const window = { linearWindow: 0.3, angularWindow: 0.2 };
  const guess: Pose2D = { x: 1, y: 2, theta: 3.1 };

  it('takes a match inside the searched window, across the ±π seam', () => {
    assert.ok(withinWindow({ x: 1.3, y: 2.3, theta: -3.1 }, guess, window, 0, 0));
  });

  it('rejects a match that slid or turned beyond the window and its slack', () => {
    assert.ok(!withinWindow({ x: 1.5, y: 2, theta: 3.1 }, guess, window, 0.05, 0.05), 'slid 0.5 m');
    assert.ok(
      withinWindow({ x: 1.45, y: 2, theta: 3.1 }, guess, window, 0.05, 0.05),
      '0.45 m is within 0.3·√2 + 0.05',
    );
    assert.ok(!withinWindow({ x: 1, y: 2, theta: 3.1 - 0.94 }, guess, window, 0.05, 0.05), 'turned 54°');
    assert.ok(withinWindow({ x: 1, y: 2, theta: 3.1 - 0.24 }, guess, window, 0.05, 0.05));
  });
});
