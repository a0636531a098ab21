import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePose, type Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import {
  absoluteTrajectoryError,
  alignByFirstPose,
  noisyOdometry,
  quantile,
  stepTranslationErrors,
} from './trajectory.ts';

const path: Pose2D[] = [
  { x: 2, y: 1, theta: 0.5 },
  { x: 3, y: 1.5, theta: 0.7 },
  { x: 3.5, y: 2.5, theta: 1.2 },
  { x: 3.4, y: 3.5, theta: 1.7 },
];

describe('trajectory', () => {
  it('noise-free odometry is the truth seen from the first pose: ATE and step errors 0', () => {
    const odom = noisyOdometry(path, new Rng(1), { scaleSigma: 0, driftPerMetre: 0 });
    assert.deepEqual(odom[0], { x: 0, y: 0, theta: 0 });
    assert.ok(absoluteTrajectoryError(odom, path) < 1e-12);
    assert.ok(Math.max(...stepTranslationErrors(odom, path)) < 1e-12);
  });

  it('noisy odometry is seeded and drifts', () => {
    const a = noisyOdometry(path, new Rng(5));
    assert.deepEqual(a, noisyOdometry(path, new Rng(5)));
    assert.notDeepEqual(a, noisyOdometry(path, new Rng(6)));
    assert.ok(absoluteTrajectoryError(a, path) > 0);
  });

  it('ATE of a rigidly moved copy is 0; of a shifted tail, the RMS of the shift', () => {
    const moved = path.map((p) => composePose({ x: -4, y: 7, theta: 2 }, p));
    assert.ok(absoluteTrajectoryError(moved, path) < 1e-12);
    assert.ok(
      alignByFirstPose(moved, path).every((p, k) => Math.hypot(p.x - path[k]!.x, p.y - path[k]!.y) < 1e-12),
    );
    const shifted = path.map((p, k) => (k >= 2 ? { ...p, x: p.x + 0.2 } : p));
    assert.ok(Math.abs(absoluteTrajectoryError(shifted, path) - Math.sqrt((2 * 0.04) / 4)) < 1e-12);
  });

  it('quantile interpolates', () => {
    assert.equal(quantile([3, 1, 2], 0.5), 2);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.95), 4.8);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });
});
