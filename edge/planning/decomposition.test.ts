import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smallIslands } from './decomposition.ts';

describe('decomposition', () => {
  it('finds the small islands a mask encloses, not the large ones nor those open to the edge', () => {
    const width = 40;
    const height = 30;
    const info = { width, height, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } };
    const mask = new Uint8Array(width * height).fill(1);
    const hole = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * width + x] = 0;
    };
    hole(5, 5, 7, 7); // 0.15 m: a leg
    hole(5, 12, 14, 21); // 0.50 m: just fits
    hole(20, 5, 30, 10); // 0.55 m long: too large
    hole(33, 15, 39, 18); // open to the grid's edge
    const islands = smallIslands(info, mask, 0.5);
    const cells = (x0: number, y0: number, x1: number, y1: number) => {
      const out: number[] = [];
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push(islands[y * width + x]!);
      return out;
    };
    assert.ok(cells(5, 5, 7, 7).every((v) => v === 1));
    assert.ok(cells(5, 12, 14, 21).every((v) => v === 1));
    assert.ok(cells(20, 5, 30, 10).every((v) => v === 0));
    assert.ok(cells(33, 15, 39, 18).every((v) => v === 0));
    assert.equal(
      islands.reduce((a, b) => a + b, 0),
      9 + 100,
    );
    assert.equal(
      smallIslands(info, mask, 0).reduce((a, b) => a + b, 0),
      0,
    );
  });
});
