import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseVariants, improveOrder, linkCost, type CellVariant } from './tour.ts';

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

  it('counts the turns in place at both ends of a link when given a turn cost', () => {
    const east = { entry: { x: 1, y: 0 }, exit: { x: 2, y: 0 }, entryHeading: 0, exitHeading: 0 };
    // Going on east costs no turn; doubling back costs π at the start of the next item.
    const onward = { entry: { x: 2.2, y: 0 }, exit: { x: 3, y: 0 }, entryHeading: 0, exitHeading: 0 };
    const back = {
      entry: { x: 2.1, y: 0 },
      exit: { x: 1.5, y: 0 },
      entryHeading: Math.PI,
      exitHeading: Math.PI,
    };
    assert.ok(Math.abs(linkCost(east, onward, 0.3) - 0.2) < 1e-9);
    assert.ok(Math.abs(linkCost(east, back, 0.3) - (0.1 + 0.3 * Math.PI)) < 1e-9);
    assert.ok(Math.abs(linkCost(east, back, 0) - 0.1) < 1e-9);
    // A right-angle corner between the items: a quarter turn each side of the link.
    const north = {
      entry: { x: 2, y: 1 },
      exit: { x: 2, y: 2 },
      entryHeading: Math.PI / 2,
      exitHeading: Math.PI / 2,
    };
    assert.ok(Math.abs(linkCost(east, north, 1) - (1 + Math.PI / 2)) < 1e-9);
    const variants = [[east], [back, onward]];
    assert.deepEqual(chooseVariants(start, variants), [0, 0]);
    assert.deepEqual(chooseVariants(start, variants, 0.1), [0, 1]);
  });
});
