import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LaserScan } from '../../../shared/sensors.ts';
import { ScanAssembler } from './scan-assembler.ts';

function assembler(options: { maxSamples?: number } = {}) {
  const scans: LaserScan[] = [];
  const a = new ScanAssembler({ minRange: 0.15, maxRange: 12, onScan: (s) => scans.push(s), ...options });
  return { a, scans };
}

/** One revolution of `n` samples starting at vendor angle 0, at `t0`, one sample per ms. */
function revolution(
  a: ScanAssembler,
  n: number,
  t0: number,
  distanceMm: (i: number) => number = () => 1000,
): void {
  for (let i = 0; i < n; i++) a.push((i * 360) / n, distanceMm(i), 40, i === 0, t0 + i * 0.001);
}

test('vendor clockwise degrees become REP-103 radians in (−π, π], converted once', () => {
  const { a, scans } = assembler();
  const vendor = [0, 45, 90, 180, 270, 359.5];
  vendor.forEach((deg, i) => a.push(deg, 2000, 30, i === 0, i * 0.01));
  a.push(0.5, 2000, 30, true, 1);
  assert.equal(scans.length, 1);
  const expected = [0, -Math.PI / 4, -Math.PI / 2, Math.PI, Math.PI / 2, (0.5 * Math.PI) / 180];
  scans[0]!.angles.forEach((theta, i) =>
    assert.ok(Math.abs(theta - expected[i]!) < 1e-6, `${vendor[i]}° → ${theta}`),
  );
});

test('ranges in metres; no return, too close and too far become 0', () => {
  const { a, scans } = assembler();
  const mm = [1000, 0, 100, 12500, 150, 12000, 2345];
  mm.forEach((d, i) => a.push(i * 10, d, i, i === 0, i));
  a.push(0, 1, 0, true, 10);
  assert.deepEqual(
    Array.from(scans[0]!.ranges, (r) => Math.round(r * 1e4) / 1e4),
    [1, 0, 0, 0, 0.15, 12, 2.345],
  );
  assert.deepEqual([...scans[0]!.qualities], [0, 1, 2, 3, 4, 5, 6]);
});

test('revolutions split at the start flag; the partial first one is dropped', () => {
  const { a, scans } = assembler();
  // Half a revolution before the first start flag (the driver joined mid-rotation).
  for (let i = 0; i < 50; i++) a.push(180 + i * 3.6, 500, 10, false, i * 0.001);
  revolution(a, 100, 1);
  revolution(a, 120, 2);
  assert.equal(scans.length, 1, 'the second revolution waits for the next start flag');
  revolution(a, 80, 3);
  assert.equal(a.discardedSamples, 50);
  assert.deepEqual(
    scans.map((s) => [s.seq, s.ranges.length, s.stamp]),
    [
      [0, 100, 1],
      [1, 120, 2],
    ],
  );
  assert.ok(Math.abs(scans[0]!.duration - 0.099) < 1e-9);
  assert.equal(a.scans, 2);
});

test('a lost start flag still closes the revolution after a full sweep', () => {
  const { a, scans } = assembler();
  revolution(a, 100, 0);
  // Next revolution without its start flag: 2 turns of samples.
  for (let i = 0; i < 200; i++) a.push((i * 3.6) % 360, 800, 10, false, 1 + i * 0.001);
  assert.equal(scans.length, 2);
  assert.equal(scans[0]!.ranges.length, 100 + 3, 'closed once 370° were swept');
});

test('discard() drops the revolution in progress', () => {
  const { a, scans } = assembler();
  revolution(a, 100, 0);
  a.discard();
  revolution(a, 100, 1);
  revolution(a, 100, 2);
  assert.deepEqual(
    scans.map((s) => s.stamp),
    [1],
  );
});

test('a revolution that outgrows the buffer is emitted as it is', () => {
  const { a, scans } = assembler({ maxSamples: 64 });
  revolution(a, 100, 0);
  assert.equal(scans.length, 1);
  assert.equal(scans[0]!.ranges.length, 64);
});
