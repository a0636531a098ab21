import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { walkGridLine } from './grid-line.ts';

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
