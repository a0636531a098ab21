import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSCRIBED, LETHAL, type Costmap } from '../mapping/layers/costmap.ts';
import { escapeAlongTrail, reachableShare, retraceTrail } from './escape.ts';
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

describe('retracing the trail', () => {
  it('leads back the way the robot came, to the first trail point far enough away', () => {
    // The robot drove east along y = 1.5, then backed 10 cm and turned on the spot: the trail folds.
    const folded = [...trail, { x: 3.05, y: 1.5 }, { x: 3.0, y: 1.5 }];
    const here = { x: 3.0, y: 1.5, theta: Math.PI / 2 };
    const path = retraceTrail(folded, here, 0.38);
    assert.ok(path);
    assert.deepEqual({ x: path[0]!.x, y: path[0]!.y }, { x: here.x, y: here.y });
    const end = path[path.length - 1]!;
    assert.ok(Math.abs(end.x - 2.6) < 1e-9 && end.y === 1.5, `ends at ${end.x}, ${end.y}`);
    // Every pose is one the robot's centre was on, each heading points at the next.
    for (const q of path) assert.ok(folded.some((p) => Math.hypot(p.x - q.x, p.y - q.y) < 1e-9));
    for (let k = 0; k + 1 < path.length; k++) {
      const a = path[k]!;
      const b = path[k + 1]!;
      assert.ok(Math.abs(a.theta - Math.atan2(b.y - a.y, b.x - a.x)) < 1e-9);
    }
    assert.equal(path[path.length - 1]!.theta, path[path.length - 2]!.theta);
  });

  it('is no way back when it passes a bump mark beyond where the robot stands', () => {
    const avoid = (points: { x: number; y: number }[]) => ({ points, clearance: 0.22, start: 0.1 });
    // The robot bumped a shoe just ahead (beside where it stands: that mark does not count).
    assert.ok(retraceTrail(trail, pose, 0.38, avoid([{ x: 3.25, y: 1.6 }])));
    // The trail squeezed past a shoe 0.2 m back: the way back would bump it again.
    assert.equal(retraceTrail(trail, pose, 0.38, avoid([{ x: 2.9, y: 1.7 }])), undefined);
    // A mark further than the clearance from the way back does not matter.
    assert.ok(retraceTrail(trail, pose, 0.38, avoid([{ x: 2.9, y: 1.75 }])));
  });

  it('has no way back when the trail stays within the distance', () => {
    assert.equal(retraceTrail(trail.slice(-5), pose, 0.4), undefined);
    assert.equal(retraceTrail([], pose, 0.4), undefined);
  });
});
