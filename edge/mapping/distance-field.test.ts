import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createGrid } from '../../shared/occupancy-grid.ts';
import { distanceField } from './distance-field.ts';

const isOccupied = (v: number): boolean => v >= 65;

function bruteForce(width: number, height: number, data: Int8Array, resolution: number): Float32Array {
  const out = new Float32Array(width * height).fill(Infinity);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let oy = 0; oy < height; oy++)
        for (let ox = 0; ox < width; ox++)
          if (isOccupied(data[oy * width + ox]!)) {
            const d = Math.hypot(x - ox, y - oy) * resolution;
            if (d < out[y * width + x]!) out[y * width + x] = d;
          }
  return out;
}

describe('distanceField', () => {
  it('matches brute force on random grids (exact Euclidean, metres)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(fc.constantFrom(0, 0, 0, 0, 100, -1), { minLength: 144, maxLength: 144 }),
        (w, h, res, cells) => {
          const g = createGrid({ width: w, height: h, resolution: res, origin: { x: 0, y: 0, theta: 0 } });
          g.data.set(cells.slice(0, w * h));
          const got = distanceField(g, isOccupied);
          const want = bruteForce(w, h, g.data, res);
          for (let i = 0; i < w * h; i++) {
            if (want[i] === Infinity) assert.equal(got[i], Infinity);
            else
              assert.ok(
                Math.abs(got[i]! - want[i]!) < 1e-5 * Math.max(1, want[i]!),
                `cell ${i}: ${got[i]} vs ${want[i]}`,
              );
          }
        },
      ),
    );
  });

  it('gives 0 on obstacles, exact diagonal distances and Infinity without obstacles', () => {
    const g = createGrid({ width: 5, height: 4, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } }, 0);
    assert.ok(distanceField(g, isOccupied).every((d) => d === Infinity));
    g.data[0] = 100;
    const d = distanceField(g, isOccupied);
    assert.equal(d[0], 0);
    assert.ok(Math.abs(d[3 * 5 + 4]! - Math.hypot(4, 3) * 0.05) < 1e-7);
    assert.ok(Math.abs(d[1]! - 0.05) < 1e-7);
  });

  it('handles a 1000×1000 grid quickly', () => {
    const g = createGrid(
      { width: 1000, height: 1000, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } },
      0,
    );
    for (let i = 0; i < 1000; i++) g.data[i * 1000 + ((i * 7) % 1000)] = 100;
    const t0 = performance.now();
    const d = distanceField(g, isOccupied);
    const ms = performance.now() - t0;
    assert.equal(d[0], 0);
    assert.ok(ms < 1000, `${ms} ms`);
  });
});
