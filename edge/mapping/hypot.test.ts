import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../sim/rng.ts';
import { hypot } from './hypot.ts';

describe('hypot', () => {
  it('equals Math.hypot bit for bit', () => {
    const rng = new Rng(3);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const anyDouble = (): number => {
      words[0] = rng.nextUint32();
      words[1] = rng.nextUint32();
      return bits[0]!;
    };
    const cases: Array<[number, number]> = [
      [0, 0],
      [-0, 0],
      [0, -0],
      [3, -4],
      [NaN, 1],
      [1, NaN],
      [Infinity, NaN],
      [NaN, -Infinity],
      [Infinity, 1],
      [1e308, 1e308],
      [5e-324, 5e-324],
      [1e-300, 1e300],
    ];
    for (let i = 0; i < 200_000; i++) {
      const scale = 10 ** Math.floor(rng.next() * 8 - 4);
      cases.push([(rng.next() - 0.5) * scale, (rng.next() - 0.5) * 10]);
      cases.push([Math.round((rng.next() - 0.5) * 200) * 0.05, Math.round((rng.next() - 0.5) * 200) * 0.05]);
      cases.push([anyDouble(), anyDouble()]);
    }
    for (const [x, y] of cases) {
      const want = Math.hypot(x, y);
      const got = hypot(x, y);
      if (!Object.is(got, want)) assert.fail(`hypot(${x}, ${y}) = ${got}, Math.hypot gives ${want}`);
    }
  });
});
