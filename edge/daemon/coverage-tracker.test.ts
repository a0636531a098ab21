import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoverageTracker } from './coverage-tracker.ts';

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
