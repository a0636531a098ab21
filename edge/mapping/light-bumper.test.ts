import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LIGHT_BUMPER_BEARINGS } from '../drivers/light-bumper.ts';
import { emptyCostmap, LETHAL } from './layers/costmap.ts';
import { LightBumperParamsSchema, lightBumperPoints, unexplainedPoints } from './light-bumper.ts';

const params = LightBumperParamsSchema.parse({});
const RADIUS = 0.17;

describe('lightBumperPoints', () => {
  it('puts one point per lit beam on its bearing, markAt beyond the body', () => {
    const pose = { x: 1, y: 2, theta: Math.PI / 2 };
    // bit 2: centre-left (0.2 rad); bit 5: right (−1.2 rad)
    const points = lightBumperPoints(0b100100, pose, RADIUS, params);
    assert.equal(points.length, 2);
    const r = RADIUS + params.markAt;
    const expect = [Math.PI / 2 + 0.2, Math.PI / 2 - 1.2].map((a) => ({
      x: 1 + r * Math.cos(a),
      y: 2 + r * Math.sin(a),
    }));
    points.forEach((p, i) => {
      assert.ok(Math.abs(p.x - expect[i]!.x) < 1e-9 && Math.abs(p.y - expect[i]!.y) < 1e-9);
    });
  });

  it('gives as many points as bits set, each at the same distance from the centre', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        (bits, theta) => {
          const points = lightBumperPoints(bits, { x: 0, y: 0, theta }, RADIUS, params);
          let set = 0;
          for (let i = 0; i < LIGHT_BUMPER_BEARINGS.length; i++) if (bits & (1 << i)) set++;
          assert.equal(points.length, set);
          for (const p of points) assert.ok(Math.abs(Math.hypot(p.x, p.y) - (RADIUS + params.markAt)) < 1e-9);
        },
      ),
    );
  });
});

describe('unexplainedPoints', () => {
  // 2 × 2 m at 5 cm, a wall along x = 1.5 m
  const costmap = emptyCostmap({ width: 40, height: 40, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } });
  for (let y = 0; y < 40; y++) costmap.costs[y * 40 + 30] = LETHAL;

  it('drops what the map already holds (the wall beside the robot) and keeps what it does not', () => {
    const out = unexplainedPoints(
      [
        { x: 1.45, y: 1 },
        { x: 0.8, y: 1 },
      ],
      costmap,
      [],
      params,
    );
    assert.deepEqual(out, [{ x: 0.8, y: 1 }]);
  });

  it('adds no point within markSpacing of an earlier mark or of another new point', () => {
    const out = unexplainedPoints(
      [
        { x: 0.8, y: 1 },
        { x: 0.82, y: 1 },
        { x: 0.5, y: 0.5 },
      ],
      costmap,
      [{ x: 0.5, y: 0.52 }],
      params,
    );
    assert.deepEqual(out, [{ x: 0.8, y: 1 }]);
  });
});
