import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSCRIBED, LETHAL, type Costmap } from '../mapping/layers/costmap.ts';
import { escapeAlongTrail, reachableShare } from './escape.ts';
import { costmapOf } from './test-maps.ts';

/**
 * A 4 × 3 m free room; a pocket around (3, 1.5) closed by an inscribed ring (r 0.3–0.45 m) with a lethal post
 * inside the ring; `gap` leaves a passable opening in the ring on its left side.
 */
function roomWithPocket(gap: boolean): Costmap {
  return costmapOf(4, 3, (x, y) => {
    if (Math.hypot(x - 3, y - 1.8) < 0.05) return LETHAL;
    const d = Math.hypot(x - 3, y - 1.5);
    const opening = gap && x < 3 && Math.abs(y - 1.5) < 0.1;
    return d >= 0.3 && d < 0.45 && !opening ? INSCRIBED : 0;
  });
}

/** The robot drove in from (1, 1.5) along y = 1.5 to (3.1, 1.5), a point every 5 cm. */
const trail = Array.from({ length: 43 }, (_, k) => ({ x: 1 + k * 0.05, y: 1.5 }));
const pose = { x: 3.1, y: 1.5, theta: 0 };

describe('escaping a pocket of the costmap along the trail', () => {
  it('leads back along the trail to the first point outside the pocket', () => {
    const path = escapeAlongTrail(roomWithPocket(false), trail, pose);
    assert.ok(path);
    assert.deepEqual({ x: path[0]!.x, y: path[0]!.y }, { x: pose.x, y: pose.y });
    const end = path[path.length - 1]!;
    // The ring's outer edge is 0.45 m from the centre at x = 3: the first point outside lies just beyond.
    assert.ok(end.x <= 3 - 0.45 + 1e-6 && end.x > 3 - 0.6, `ends at x = ${end.x}`);
    for (const q of path) assert.equal(q.y, 1.5);
    // Heading back the way it came.
    assert.ok(Math.abs(Math.abs(path[1]!.theta) - Math.PI) < 1e-9);
  });

  it('has nothing to do where the robot can already get out', () => {
    assert.equal(escapeAlongTrail(roomWithPocket(true), trail, pose), undefined);
  });

  it('cannot help when the trail never left the pocket', () => {
    const inside = trail.filter((p) => p.x > 2.8);
    assert.equal(escapeAlongTrail(roomWithPocket(false), inside, pose), undefined);
  });
});

describe('the share of the floor the robot reaches', () => {
  it('is small in a pocket and whole outside it', () => {
    const room = roomWithPocket(false);
    const inPocket = reachableShare(room, pose);
    // The pocket's inside is a disk of 0.3 m in a 4 × 3 m room.
    assert.ok(inPocket > 0 && inPocket < 0.03, `in the pocket ${inPocket}`);
    assert.ok(reachableShare(room, { x: 1, y: 1.5, theta: 0 }) > 0.95);
    assert.equal(reachableShare(roomWithPocket(true), pose), 1);
  });
});
