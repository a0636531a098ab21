import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeSlivers, CoverageTracker } from './coverage-tracker.ts';

const info = { width: 100, height: 40, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } };

test('a straight sweep covers a band as wide as the tool', () => {
  const tracker = new CoverageTracker(info, 0.15);
  tracker.moveTo(0.5, 1.0);
  tracker.moveTo(4.5, 1.0);
  // Cells whose centre is within 0.15 m of the line: 6 rows (0.85–1.15), over the length plus the end caps.
  let rows = 0;
  for (let cy = 0; cy < info.height; cy++) if (tracker.covered[cy * info.width + 50]) rows++;
  assert.equal(rows, 6);
  assert.ok(tracker.count > 6 * 80 && tracker.count < 6 * 80 + 60, `count ${tracker.count}`);
  const mask = new Uint8Array(info.width * info.height).fill(1);
  assert.ok(Math.abs(tracker.fractionOf(mask) - tracker.count / mask.length) < 1e-12);
});

test('lifting the tool leaves no phantom sweep between two places', () => {
  const tracker = new CoverageTracker(info, 0.15);
  tracker.moveTo(0.5, 1.0);
  tracker.lift();
  tracker.moveTo(4.5, 1.0);
  assert.equal(tracker.covered[20 * info.width + 50], 0);
});

test('slivers between two sweeps are closed; wider gaps and gaps beside unswept floor stay open', () => {
  const w = 30;
  const h = 20;
  const mask = new Uint8Array(w * h);
  const band = (y0: number, y1: number) => {
    for (let y = y0; y <= y1; y++) for (let x = 2; x < 28; x++) mask[y * w + x] = 1;
  };
  band(2, 5); // a sweep
  band(7, 10); // the next one, one row of cells apart (row 6)
  band(14, 17); // and one three rows further (rows 11–13)
  const closed = closeSlivers(mask, w, h);
  for (let x = 3; x < 27; x++) {
    assert.equal(closed[6 * w + x], 1, `sliver cell ${x} closed`);
    for (const y of [11, 12, 13]) assert.equal(closed[y * w + x], 0, `wide gap cell (${x}, ${y}) open`);
  }
  // Swept cells stay swept; beyond the sweeps' ends (unswept floor) nothing is added.
  for (let i = 0; i < mask.length; i++) if (mask[i]) assert.equal(closed[i], 1);
  assert.equal(closed[6 * w + 0], 0);
  assert.equal(closed[1 * w + 10], 0);
});
