import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BlindZoneParamsSchema,
  EMPTY_BLIND_ZONE_MEMORY,
  rememberBlindZone,
  type BlindZoneMemory,
} from './blind-zone.ts';

const params = BlindZoneParamsSchema.parse({});

/** One scan (base_link x, y pairs) seen at time t with base_link at (x, y, θ) in odom. */
function see(memory: BlindZoneMemory, scan: number[], [x, y, theta]: [number, number, number], t: number) {
  return rememberBlindZone(memory, Float32Array.from(scan), { x, y, theta }, t, params);
}

describe("the LIDAR's blind band", () => {
  it('hands back a leg the robot has driven up beside, where the LIDAR no longer sees it', () => {
    // Seen 0.4 m ahead and 0.19 m to the left; then the robot drives 0.4 m forward and the leg is abeam at
    // 0.19 m, inside the 0.2 m blind range: the live scan has nothing there.
    const first = see(EMPTY_BLIND_ZONE_MEMORY, [0.4, 0.19], [0, 0, 0], 1);
    assert.deepEqual([...first.points], [0.4, 0.19].map(Math.fround));
    const later = see(first.memory, [], [0.4, 0, 0], 2);
    assert.equal(later.points.length, 2);
    assert.ok(Math.abs(later.points[0]!) < 1e-6 && Math.abs(later.points[1]! - 0.19) < 1e-6);
  });

  it('turns remembered points with the robot (base_link follows odometry)', () => {
    const seen = see(EMPTY_BLIND_ZONE_MEMORY, [0.18, 0], [1, 1, 0], 0);
    const turned = see(seen.memory, [], [1, 1, Math.PI / 2], 0.5);
    // The point straight ahead is now on the robot's right.
    assert.ok(Math.abs(turned.points[0]!) < 1e-6 && Math.abs(turned.points[1]! + 0.18) < 1e-6);
  });

  it('forgets what the live scan can see, what is old, and what would lie inside the body', () => {
    const seen = see(EMPTY_BLIND_ZONE_MEMORY, [0.3, 0, 0.19, 0], [0, 0, 0], 0);
    // Still 0.3 m away: outside the band, the live scan is the truth (it no longer shows the first point).
    const outside = see(seen.memory, [], [0, 0, 0], 0.1);
    assert.deepEqual([...outside.points], [0.19, 0].map(Math.fround));
    // Odometry drift puts the second inside the body: dropped.
    assert.equal(see(seen.memory, [], [0.05, 0, 0], 0.2).points.length, 0);
    // Still there after 4 s (a person standing by the robot), forgotten after 5 s.
    assert.equal(see(seen.memory, [], [0, 0, 0], 4).points.length, 2);
    const old = see(seen.memory, [], [0, 0, 0], 5.1);
    assert.equal(old.points.length, 0);
    assert.equal(old.memory.stamps.length, 0);
  });
  it('does not remember what moves: someone walking past is gone once they have walked on', () => {
    // Their side 0.28 m off, ahead and to the left, walking at 0.8 m/s; a chair leg beside it stands still.
    const scan = Float32Array.from([0.25, 0.12, 0.25, -0.12]);
    const velocities = Float32Array.from([0.8, 0, 0, 0]);
    const seen = rememberBlindZone(
      EMPTY_BLIND_ZONE_MEMORY,
      scan,
      { x: 0, y: 0, theta: 0 },
      0,
      params,
      velocities,
    );
    assert.equal(seen.memory.stamps.length, 1);
    // The robot drives 0.1 m on: only the leg comes back, now 0.19 m off on the right, in the band.
    const later = see(seen.memory, [], [0.1, 0, 0], 0.2);
    assert.equal(later.points.length, 2);
    assert.ok(later.points[1]! < 0);
  });
});
