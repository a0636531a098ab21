import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { improveOrder, type CellVariant } from './tour.ts';

/** Items on the x axis, each a short run along it in either direction (four variants, two distinct). */
function itemsAt(xs: readonly number[]): CellVariant[][] {
  return xs.map((x) => {
    const a = { x: x - 0.1, y: 0 };
    const b = { x: x + 0.1, y: 0 };
    return [
      { entry: a, exit: b },
      { entry: b, exit: a },
      { entry: a, exit: b },
      { entry: b, exit: a },
    ];
  });
}

describe('tour order', () => {
  const start = { x: 0, y: 0 };
  const noDetour = () => 0;

  it('finds the sweep along a line from a scrambled start', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const order = improveOrder(start, [5, 2, 7, 0, 3, 6, 1, 4], itemsAt(xs), noDetour);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('orders two items too (nearest first is not always best)', () => {
    // Item 1 is nearer the start, but going to item 0 first and then back costs more.
    const order = improveOrder(start, [1, 0], itemsAt([2, 1]), noDetour);
    assert.deepEqual(order, [1, 0]);
    assert.deepEqual(improveOrder(start, [0, 1], itemsAt([2, 1]), noDetour), [1, 0]);
  });

  it('pays for a precedence when breaking it costs more than the detour', () => {
    const variants = itemsAt([1, 2, 3]);
    // Item 2 should come before item 0: cheap to honour when breaking it costs 10 m …
    const strict = improveOrder(start, [0, 1, 2], variants, noDetour, 3, [{ first: 2, then: 0, cost: 10 }]);
    assert.ok(strict.indexOf(2) < strict.indexOf(0), `order ${strict}`);
    // … but not when it costs 1 cm.
    const loose = improveOrder(start, [0, 1, 2], variants, noDetour, 3, [{ first: 2, then: 0, cost: 0.01 }]);
    assert.deepEqual(loose, [0, 1, 2]);
  });
});
