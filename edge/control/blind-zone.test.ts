import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlindZoneParamsSchema, EMPTY_BLIND_ZONE_MEMORY, rememberBlindZone } from './blind-zone.ts';

const params = BlindZoneParamsSchema.parse({});

describe("the LIDAR's blind band", () => {
  it('hands back a leg the robot has driven up beside, where the LIDAR no longer sees it', () => {
    // Seen 0.4 m ahead and 0.19 m to the left; then the robot drives 0.4 m forward and the leg is abeam at
    // 0.19 m, inside the 0.2 m blind range: the live scan has nothing there.
    const first = rememberBlindZone(
      EMPTY_BLIND_ZONE_MEMORY,
      Float32Array.of(0.4, 0.19),
      { x: 0, y: 0, theta: 0 },
      1,
      params,
    );
    assert.deepEqual([...first.points], [0.4, 0.19].map(Math.fround));
    const later = rememberBlindZone(first.memory, new Float32Array(0), { x: 0.4, y: 0, theta: 0 }, 2, params);
    assert.equal(later.points.length, 2);
    assert.ok(Math.abs(later.points[0]!) < 1e-6 && Math.abs(later.points[1]! - 0.19) < 1e-6);
  });

  it('turns remembered points with the robot (base_link follows odometry)', () => {
    const seen = rememberBlindZone(
      EMPTY_BLIND_ZONE_MEMORY,
      Float32Array.of(0.18, 0),
      { x: 1, y: 1, theta: 0 },
      0,
      params,
    );
    const turned = rememberBlindZone(
      seen.memory,
      new Float32Array(0),
      { x: 1, y: 1, theta: Math.PI / 2 },
      0.5,
      params,
    );
    // The point straight ahead is now on the robot's right.
    assert.ok(Math.abs(turned.points[0]!) < 1e-6 && Math.abs(turned.points[1]! + 0.18) < 1e-6);
  });

  it('forgets what the live scan can see, what is old, and what would lie inside the body', () => {
    const seen = rememberBlindZone(
      EMPTY_BLIND_ZONE_MEMORY,
      Float32Array.of(0.3, 0, 0.19, 0),
      { x: 0, y: 0, theta: 0 },
      0,
      params,
    );
    // Still 0.3 m away: outside the band, the live scan is the truth (it no longer shows the first point).
    const outside = rememberBlindZone(
      seen.memory,
      new Float32Array(0),
      { x: 0, y: 0, theta: 0 },
      0.1,
      params,
    );
    assert.deepEqual([...outside.points], [0.19, 0].map(Math.fround));
    // Odometry drift puts the second inside the body: dropped.
    const inside = rememberBlindZone(
      seen.memory,
      new Float32Array(0),
      { x: 0.05, y: 0, theta: 0 },
      0.2,
      params,
    );
    assert.equal(inside.points.length, 0);
    // Too old.
    const old = rememberBlindZone(seen.memory, new Float32Array(0), { x: 0, y: 0, theta: 0 }, 5, params);
    assert.equal(old.points.length, 0);
    assert.equal(old.memory.stamps.length, 0);
  });
});
