import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  angleDiff,
  composePose,
  invertPose,
  normalizeAngle,
  relativePose,
  transformPoint,
} from './geometry.ts';

const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true });
const pose = fc.record({ x: finite, y: finite, theta: fc.double({ min: -10, max: 10, noNaN: true }) });
const close = (a: number, b: number, eps = 1e-6) =>
  Math.abs(a - b) <= eps * Math.max(1, Math.abs(a), Math.abs(b));

test('normalizeAngle maps into (-π, π] and keeps the direction', () => {
  fc.assert(
    fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (a) => {
      const n = normalizeAngle(a);
      assert.ok(n > -Math.PI - 1e-12 && n <= Math.PI + 1e-12);
      assert.ok(close(Math.cos(n), Math.cos(a), 1e-9) && close(Math.sin(n), Math.sin(a), 1e-9));
    }),
  );
  assert.equal(normalizeAngle(-Math.PI), Math.PI);
  assert.ok(close(angleDiff(0.1, 2 * Math.PI - 0.1), 0.2, 1e-12));
});

test('composing a pose with its inverse gives the identity', () => {
  fc.assert(
    fc.property(pose, (p) => {
      const id = composePose(p, invertPose(p));
      assert.ok(close(id.x, 0, 1e-9) && close(id.y, 0, 1e-9) && close(Math.sin(id.theta), 0, 1e-9));
    }),
  );
});

test('relativePose undoes composePose', () => {
  fc.assert(
    fc.property(pose, pose, (a, b) => {
      const r = relativePose(a, composePose(a, b));
      assert.ok(close(r.x, b.x, 1e-6) && close(r.y, b.y, 1e-6));
      assert.ok(close(Math.cos(r.theta), Math.cos(b.theta), 1e-9));
    }),
  );
});

test('REP-103: a point ahead of a robot facing +y lies at +y', () => {
  const p = transformPoint({ x: 1, y: 2, theta: Math.PI / 2 }, { x: 1, y: 0 });
  assert.ok(close(p.x, 1, 1e-12) && close(p.y, 3, 1e-12));
});
