import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { composePose, invertPose, normalizeAngle, transformPoint } from '../../shared/geometry.ts';
import type { LaserScan } from '../../shared/sensors.ts';
import { deskewScan } from './deskew.ts';
import { OdometryBuffer } from './odometry-buffer.ts';

test('the odometry buffer interpolates between samples and clamps outside them', () => {
  const buffer = new OdometryBuffer(4);
  buffer.push({ stamp: 0, x: 0, y: 0, theta: 3.1 });
  buffer.push({ stamp: 1, x: 1, y: 2, theta: -3.1 });
  const mid = buffer.at(0.5)!;
  assert.ok(Math.abs(mid.x - 0.5) < 1e-12 && Math.abs(mid.y - 1) < 1e-12);
  assert.ok(Math.abs(Math.abs(mid.theta) - Math.PI) < 1e-9, 'interpolates across ±π the short way');
  assert.deepEqual(buffer.at(-1), { x: 0, y: 0, theta: 3.1 });
  assert.deepEqual(buffer.at(5), { x: 1, y: 2, theta: -3.1 });
  for (let k = 2; k < 10; k++) buffer.push({ stamp: k, x: k, y: 0, theta: 0 });
  assert.equal(buffer.size, 4, 'bounded');
  assert.equal(buffer.at(7.25)!.x, 7.25);
  assert.equal(buffer.latest()!.stamp, 9);
});

test('de-skewing a scan taken while turning puts a wall back where it is', () => {
  // A robot turning at 1 rad/s (and driving 0.3 m/s) scans a wall at x = 2 in the odom frame over 0.1 s.
  const mount = { x: 0.05, y: 0, theta: 0.3 };
  const poseAt = (t: number) => ({ x: 0.3 * t, y: 0, theta: 1.0 * t });
  const n = 400;
  const stamp = 0;
  const duration = 0.1;
  const angles = new Float32Array(n);
  const ranges = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = stamp + (i * duration) / (n - 1);
    const sensor = composePose(poseAt(t), mount);
    // Beam angles in the sensor frame from -0.5 to 0.5 rad; range to the wall x = sensor.x + ...
    const a = -0.5 + i / (n - 1);
    const dir = normalizeAngle(sensor.theta + a);
    angles[i] = a;
    ranges[i] = (12 - sensor.x) / Math.cos(dir);
  }
  const scan: LaserScan = { stamp, duration, angles, ranges, qualities: new Uint8Array(n), seq: 1 };
  const reference = stamp + duration;
  const out = deskewScan(scan, mount, poseAt, reference);
  const laserAtRef = composePose(poseAt(reference), mount);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const p = transformPoint(laserAtRef, {
      x: out.ranges[i]! * Math.cos(out.angles[i]!),
      y: out.ranges[i]! * Math.sin(out.angles[i]!),
    });
    worst = Math.max(worst, Math.abs(p.x - 12));
  }
  assert.ok(worst < 0.005, `points off the wall by ${worst} m`);
  // Without de-skewing the same points miss the wall by far more.
  let skewed = 0;
  for (let i = 0; i < n; i++) {
    const p = transformPoint(laserAtRef, {
      x: ranges[i]! * Math.cos(angles[i]!),
      y: ranges[i]! * Math.sin(angles[i]!),
    });
    skewed = Math.max(skewed, Math.abs(p.x - 12));
  }
  assert.ok(skewed > 0.1, `the raw scan is skewed (${skewed} m)`);
});

test('a robot standing still leaves the scan unchanged (property)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          a: fc.double({ min: -3, max: 3, noNaN: true }),
          r: fc.double({ min: 0.2, max: 20, noNaN: true }),
        }),
        {
          minLength: 1,
          maxLength: 50,
        },
      ),
      fc.record({
        x: fc.double({ min: -5, max: 5, noNaN: true }),
        y: fc.double({ min: -5, max: 5, noNaN: true }),
        theta: fc.double({ min: -3, max: 3, noNaN: true }),
      }),
      (samples, pose) => {
        const scan: LaserScan = {
          stamp: 0,
          duration: 0.1,
          angles: Float32Array.from(samples.map((s) => s.a)),
          ranges: Float32Array.from(samples.map((s) => s.r)),
          qualities: new Uint8Array(samples.length),
          seq: 0,
        };
        const mount = invertPose({ x: 0.1, y: 0.02, theta: 0.5 });
        const out = deskewScan(scan, mount, () => pose, 0.1);
        for (let i = 0; i < samples.length; i++) {
          assert.ok(Math.abs(out.ranges[i]! - scan.ranges[i]!) < 1e-3);
          assert.ok(Math.abs(normalizeAngle(out.angles[i]! - scan.angles[i]!)) < 1e-4);
        }
      },
    ),
  );
});
