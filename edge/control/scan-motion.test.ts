import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Pose2D } from '../../shared/geometry.ts';
import { ScanMotionParamsSchema, trackScanMotion } from './scan-motion.ts';

const params = ScanMotionParamsSchema.parse({});

interface Disk {
  x: number;
  y: number;
  r: number;
}

/**
 * A scan in base_link from `pose` (map = odom here) over a wall along y = wallY and some disks, one return per
 * degree, nearest hit first; misses are left out.
 */
function scan(pose: Pose2D, wallY: number, disks: Disk[], noise: () => number = () => 0): Float32Array {
  const out: number[] = [];
  for (let k = 0; k < 360; k++) {
    const a = pose.theta + (k * Math.PI) / 180;
    const dx = Math.cos(a);
    const dy = Math.sin(a);
    let best = Infinity;
    if (Math.abs(dy) > 1e-9) {
      const t = (wallY - pose.y) / dy;
      if (t > 0) best = t;
    }
    for (const d of disks) {
      const fx = pose.x - d.x;
      const fy = pose.y - d.y;
      const b = fx * dx + fy * dy;
      const c = fx * fx + fy * fy - d.r * d.r;
      const disc = b * b - c;
      if (disc < 0) continue;
      const t = -b - Math.sqrt(disc);
      if (t > 0 && t < best) best = t;
    }
    if (best > 3) continue;
    const r = best + noise();
    const la = (k * Math.PI) / 180;
    out.push(r * Math.cos(la), r * Math.sin(la));
  }
  return Float32Array.from(out);
}

/** The returns found moving, with their base_link velocities. */
function movers(points: Float32Array, velocities: Float32Array) {
  const out: { x: number; y: number; vx: number; vy: number }[] = [];
  for (let i = 0; i < points.length; i += 2)
    if (velocities[i] !== 0 || velocities[i + 1] !== 0)
      out.push({ x: points[i]!, y: points[i + 1]!, vx: velocities[i]!, vy: velocities[i + 1]! });
  return out;
}

describe('trackScanMotion', () => {
  it('finds nothing moving in a still room seen from a robot driving and turning', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.35, max: 0.35, noNaN: true }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        (v, omega, theta, seed) => {
          let state = seed;
          const noise = () => {
            state = (state * 1103515245 + 12345) % 2147483648;
            return ((state / 2147483648) * 2 - 1) * 0.01;
          };
          const leg = { x: 0.8, y: 0.4, r: 0.03 };
          const a: Pose2D = { x: 0, y: 0, theta };
          const dt = 0.1;
          const b: Pose2D = {
            x: v * dt * Math.cos(theta),
            y: v * dt * Math.sin(theta),
            theta: theta + omega * dt,
          };
          const first = trackScanMotion(undefined, scan(a, 0.6, [leg], noise), a, 0, params);
          const points = scan(b, 0.6, [leg], noise);
          const second = trackScanMotion(first.memory, points, b, dt, params);
          assert.equal(second.moving, 0, JSON.stringify(movers(points, second.velocities).slice(0, 3)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives someone walking up to the robot their velocity, in base_link', () => {
    const robot: Pose2D = { x: 1, y: 1, theta: Math.PI / 2 };
    // In base_link the person is ahead and to the right, walking towards the robot's centre at 0.7 m/s.
    const at = (t: number): Disk => ({ x: 1.3 + 0.7 * 0.6 * -t, y: 1.55 + 0.7 * 0.8 * -t, r: 0.15 });
    // map (x, y) → base_link for θ = π/2: (y − 1, −(x − 1))
    const first = trackScanMotion(undefined, scan(robot, 5, [at(0)]), robot, 3, params);
    const points = scan(robot, 5, [at(0.1)]);
    const second = trackScanMotion(first.memory, points, robot, 3.1, params);
    const found = movers(points, second.velocities);
    assert.ok(found.length >= 10, `${found.length} moving returns`);
    for (const m of found) {
      // map velocity (−0.42, −0.56) is (−0.56, 0.42) in base_link.
      assert.ok(Math.abs(m.vx + 0.56) < 0.15 && Math.abs(m.vy - 0.42) < 0.15, JSON.stringify(m));
    }
  });

  it('leaves a lone jumping return, a surface newly in view and a stale previous scan alone', () => {
    const robot: Pose2D = { x: 0, y: 0, theta: 0 };
    const first = trackScanMotion(undefined, scan(robot, 0.6, []), robot, 0, params);
    // One return 5 cm off the wall: noise, not a mover.
    const lone = scan(robot, 0.6, []);
    lone[2 * 60 + 1] = lone[2 * 60 + 1]! - 0.05;
    assert.equal(trackScanMotion(first.memory, lone, robot, 0.1, params).moving, 0);
    // A box 40 cm in front of the wall appears between two scans: far too fast for anything walking.
    const popped = scan(robot, 0.6, [{ x: 0, y: 0.3, r: 0.1 }]);
    assert.equal(trackScanMotion(first.memory, popped, robot, 0.1, params).moving, 0);
    // The same person step, but the previous scan is a second old.
    const person = (y: number) => scan(robot, 2, [{ x: 0.6, y, r: 0.15 }]);
    const old = trackScanMotion(undefined, person(0.5), robot, 0, params);
    assert.equal(trackScanMotion(old.memory, person(0.43), robot, 1, params).moving, 0);
    assert.ok(trackScanMotion(old.memory, person(0.43), robot, 0.1, params).moving > 0);
  });
});
