import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { walkGridLine, walkGridSupercover } from './grid-line.ts';

test('a grid line is 8-connected, includes both ends, and stops when asked', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: -50, max: 50 }),
      (x0, y0, x1, y1) => {
        const cells: [number, number][] = [];
        assert.equal(
          walkGridLine(x0, y0, x1, y1, (x, y) => void cells.push([x, y])),
          true,
        );
        assert.deepEqual(cells[0], [x0, y0]);
        assert.deepEqual(cells.at(-1), [x1, y1]);
        assert.equal(cells.length, Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) + 1);
        for (let k = 1; k < cells.length; k++) {
          assert.ok(
            Math.max(Math.abs(cells[k]![0] - cells[k - 1]![0]), Math.abs(cells[k]![1] - cells[k - 1]![1])) ===
              1,
          );
        }
      },
    ),
  );
  let visited = 0;
  assert.equal(
    walkGridLine(0, 0, 10, 0, () => ++visited < 3),
    false,
  );
  assert.equal(visited, 3);
});

test('a supercover holds every point of the segment between the cell centres, each step 4-connected', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: -30, max: 30 }),
      (x0, y0, x1, y1) => {
        const cells: [number, number][] = [];
        assert.equal(
          walkGridSupercover(x0, y0, x1, y1, (x, y) => void cells.push([x, y])),
          true,
        );
        assert.deepEqual(cells[0], [x0, y0]);
        assert.deepEqual(cells.at(-1), [x1, y1]);
        const seen = new Set(cells.map(([x, y]) => `${x},${y}`));
        // Sample the segment densely, nudged off exact borders both ways.
        const steps = 20 * (Math.abs(x1 - x0) + Math.abs(y1 - y0) + 1);
        for (let k = 0; k <= steps; k++) {
          const t = k / steps;
          for (const e of [-1e-7, 1e-7]) {
            const px = x0 + 0.5 + (x1 - x0) * t + e;
            const py = y0 + 0.5 + (y1 - y0) * t - e;
            const cx = Math.min(Math.max(Math.floor(px), Math.min(x0, x1)), Math.max(x0, x1));
            const cy = Math.min(Math.max(Math.floor(py), Math.min(y0, y1)), Math.max(y0, y1));
            assert.ok(seen.has(`${cx},${cy}`), `(${px}, ${py}) in an unvisited cell`);
          }
        }
        for (let k = 1; k < cells.length; k++) {
          const d = Math.abs(cells[k]![0] - cells[k - 1]![0]) + Math.abs(cells[k]![1] - cells[k - 1]![1]);
          assert.ok(
            d === 1 || (d === 2 && cells[k - 1]![0] !== cells[k]![0] && cells[k - 1]![1] !== cells[k]![1]),
          );
        }
      },
    ),
  );
  let visited = 0;
  assert.equal(
    walkGridSupercover(0, 0, 10, 3, () => ++visited < 4),
    false,
  );
  assert.equal(visited, 4);
});
