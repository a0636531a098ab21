import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { airAlong, freeTravel, openHeading, type OpenHeadingParams } from './open-heading.ts';

const params: OpenHeadingParams = { radius: 0.2, maxDistance: 0.5, candidates: 36 };

/** Points every 2 cm along the segment (x0, y0)–(x1, y1). */
function segment(x0: number, y0: number, x1: number, y1: number): number[] {
  const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.02);
  return Array.from({ length: n + 1 }, (_, k) => [x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]).flat();
}

describe('the most open heading', () => {
  it('is straight ahead with nothing around', () => {
    assert.deepEqual(openHeading(new Float32Array(), params), { angle: 0, free: 0.5, air: Infinity });
  });

  it('measures the travel to a point ahead, and ignores points behind and beside', () => {
    assert.ok(Math.abs(freeTravel(new Float32Array([1, 0]), 1, 0, 0.2, 5) - 0.8) < 1e-6);
    assert.ok(Math.abs(freeTravel(new Float32Array([1, 0.1]), 1, 0, 0.2, 5) - (1 - Math.sqrt(0.03))) < 1e-6);
    assert.equal(freeTravel(new Float32Array([-0.1, 0, 1, 0.25]), 1, 0, 0.2, 5), 5);
  });

  it('turns sideways between something ahead and something behind', () => {
    const points = new Float32Array([...segment(0.25, -1, 0.25, 1), ...segment(-0.25, -1, -0.25, 1)]);
    const best = openHeading(points, params);
    assert.ok(Math.abs(Math.abs(best.angle) - Math.PI / 2) < 1e-9, `angle ${best.angle}`);
    assert.equal(best.free, 0.5);
  });

  it('among equally open headings, keeps the most air from what is beside the way', () => {
    // A wall 0.45 m to the left and one just behind, a bump mark ahead on the right that the move straight
    // ahead grazes (as a shoe by a hallway wall was, where the mark lay a few centimetres off the shoe).
    const points = new Float32Array([
      ...segment(-0.25, 0.45, 1.5, 0.45),
      ...segment(-0.25, -1, -0.25, 0.45),
      0.15,
      -0.205,
    ]);
    const ahead = airAlong(points, 1, 0, 0.5);
    assert.ok(Math.abs(ahead - 0.205) < 1e-6, `${ahead}`);
    const best = openHeading(points, params);
    assert.equal(best.free, 0.5);
    assert.ok(best.air > ahead + 0.01, `air ${best.air} at ${best.angle}`);
    // Not towards the wall, and not so far round that the travel shortens.
    assert.ok(best.angle > 0 && best.angle < Math.PI / 2, `angle ${best.angle}`);
  });

  it('measures the air over a move to the points beside it and past its end, not behind it', () => {
    const points = new Float32Array([0.2, 0.3, 1, 0.1, -0.5, 0.01]);
    assert.ok(Math.abs(airAlong(points, 1, 0, 0.5) - 0.3) < 1e-6);
    assert.ok(Math.abs(airAlong(new Float32Array([1, 0.1]), 1, 0, 0.5) - Math.hypot(0.5, 0.1)) < 1e-6);
    assert.ok(Math.abs(airAlong(points, 1, 0, 1) - 0.1) < 1e-6);
    assert.equal(airAlong(new Float32Array([-0.5, 0.01]), 1, 0, 1), Infinity);
  });

  it('turns round at the end of a dead end', () => {
    // Walls ahead, on the right and on the left: open only behind.
    const points = new Float32Array([
      ...segment(0.25, -1, 0.25, 1),
      ...segment(-1, -0.25, 0.25, -0.25),
      ...segment(-1, 0.25, 0.25, 0.25),
    ]);
    const best = openHeading(points, params);
    assert.ok(Math.abs(Math.abs(best.angle) - Math.PI) < 1e-9, `angle ${best.angle}`);
    assert.equal(best.free, 0.5);
  });

  it('never reports more travel than the disk has (property)', () => {
    const point = fc.tuple(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(point, { maxLength: 30 }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        (pts, a) => {
          const points = new Float32Array(pts.flat());
          const ux = Math.cos(a);
          const uy = Math.sin(a);
          const free = freeTravel(points, ux, uy, 0.2, 2);
          assert.ok(free >= 0 && free <= 2);
          // Along the way the disk touches no point it was not already touching (or past) at the start.
          for (const [px, py] of pts) {
            const x = Math.fround(px);
            const y = Math.fround(py);
            if (x * ux + y * uy <= 0 || Math.hypot(x, y) < 0.2) continue;
            for (let s = 0; s <= free; s += free / 20 || 1) {
              assert.ok(Math.hypot(x - s * ux, y - s * uy) >= 0.2 - 1e-6, `touches (${x}, ${y}) at ${s}`);
            }
          }
        },
      ),
    );
  });
});
