import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DiffDriveOdometry, metresPerCount, twistToWheels, wrappingDelta } from './odometry.ts';

const CREATE2 = { wheelBase: 0.235, wheelDiameter: 0.072, countsPerRevolution: 508.8 };
const PER_COUNT = metresPerCount(CREATE2);

const odometry = (bits: 16 | 32 = 16) =>
  new DiffDriveOdometry({ ...CREATE2, counterBits: bits, maxWheelSpeed: 0.5 });

test('wrapping differences across 65535 are right in both directions, for signed and unsigned readings', () => {
  assert.equal(wrappingDelta(5, 65530, 16), 11);
  assert.equal(wrappingDelta(65530, 5, 16), -11);
  assert.equal(wrappingDelta(-32768, 32767, 16), 1);
  assert.equal(wrappingDelta(32767, -32768, 16), -1);
  assert.equal(wrappingDelta(5, 4294967290, 32), 11);
  assert.equal(wrappingDelta(4294967290, 5, 32), -11);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: -32767, max: 32767 }),
      (start, step) => {
        assert.equal(wrappingDelta((start + step) & 0xffff, start, 16), step);
      },
    ),
  );
});

test('encoder wrap across 65535 gives the right distance, forwards and backwards', () => {
  for (const direction of [1, -1]) {
    const odom = odometry(16);
    let count = direction > 0 ? 65000 : 500;
    odom.update(0, count, count);
    for (let i = 1; i <= 20; i++) {
      count = (count + direction * 100) & 0xffff;
      odom.update(i * 0.015, count, count);
    }
    const expected = direction * 2000 * PER_COUNT;
    assert.ok(Math.abs(odom.leftDistance - expected) < 1e-9, `${odom.leftDistance} vs ${expected}`);
    assert.ok(Math.abs(odom.rightDistance - expected) < 1e-9);
  }
});

test('a straight line of 1 m integrates to x = 1 m with the right velocity', () => {
  const odom = odometry(16);
  const countsPerStep = (0.3 * 0.015) / PER_COUNT; // 0.3 m/s, 15 ms frames
  const steps = Math.round(1 / (0.3 * 0.015));
  let acc = 0;
  odom.update(0, 0, 0);
  let last;
  for (let i = 1; i <= steps; i++) {
    acc += countsPerStep;
    const c = Math.round(acc) & 0xffff;
    last = odom.update(i * 0.015, c, c);
  }
  assert.ok(last);
  assert.ok(Math.abs(last.x - steps * 0.3 * 0.015) < 0.001, `x ${last.x}`);
  assert.ok(Math.abs(last.y) < 1e-9);
  assert.ok(Math.abs(last.theta) < 1e-9);
  assert.ok(Math.abs(last.v - 0.3) < 0.03, `v ${last.v}`);
  assert.ok(Math.abs(last.omega) < 1e-9);
});

test('an in-place turn of a quarter turn changes only the heading', () => {
  const odom = odometry(32);
  const wheelTravel = (Math.PI / 2) * (CREATE2.wheelBase / 2);
  const counts = wheelTravel / PER_COUNT;
  odom.update(0, 10, 10);
  let last;
  for (let i = 1; i <= 50; i++) {
    const c = Math.round((counts * i) / 50);
    last = odom.update(i * 0.02, (10 - c) >>> 0, 10 + c);
  }
  assert.ok(last);
  assert.ok(Math.abs(last.theta - Math.PI / 2) < 0.005, `theta ${last.theta}`);
  assert.ok(Math.hypot(last.x, last.y) < 1e-9);
  assert.ok(last.omega > 0);
});

test('midpoint integration follows a quarter circle of radius 1 m to within a millimetre', () => {
  // A very fine encoder keeps count quantisation out of this check.
  const fine = { ...CREATE2, countsPerRevolution: 1e6 };
  const odom = new DiffDriveOdometry({ ...fine, counterBits: 32, maxWheelSpeed: 0.5 });
  const perCount = metresPerCount(fine);
  const r = 1;
  const b = CREATE2.wheelBase;
  const n = 200;
  odom.update(0, 0, 0);
  let last;
  for (let i = 1; i <= n; i++) {
    const phi = ((Math.PI / 2) * i) / n;
    const left = Math.round(((r - b / 2) * phi) / perCount);
    const right = Math.round(((r + b / 2) * phi) / perCount);
    last = odom.update(i * 0.02, left >>> 0, right >>> 0);
  }
  assert.ok(last);
  assert.ok(Math.abs(last.x - 1) < 0.001 && Math.abs(last.y - 1) < 0.001, `${last.x}, ${last.y}`);
});

test('a reading after a gap too long to rule out a wrap starts a new baseline', () => {
  const odom = odometry(16);
  odom.update(0, 0, 0);
  odom.update(0.015, 100, 100);
  const x = odom.update(60, 30000, 30000)!.x;
  assert.ok(Math.abs(x - 100 * PER_COUNT) < 1e-9);
});

test('wheel speeds are clamped keeping the curvature', () => {
  const w = twistToWheels(0.5, 2, 0.235, 0.5);
  assert.ok(Math.max(Math.abs(w.left), Math.abs(w.right)) <= 0.5 + 1e-12);
  const v = (w.left + w.right) / 2;
  const omega = (w.right - w.left) / 0.235;
  assert.ok(Math.abs(omega / v - 4) < 1e-9);
  assert.deepEqual(twistToWheels(0.2, 0, 0.235, 0.5), { left: 0.2, right: 0.2 });
  assert.deepEqual(twistToWheels(Number.NaN, 0, 0.235, 0.5), { left: 0, right: 0 });
});
