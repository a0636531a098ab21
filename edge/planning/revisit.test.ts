import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSCRIBED, LETHAL, type Costmap } from '../mapping/layers/costmap.ts';
import { revisitPath, type RevisitOptions } from './revisit.ts';
import { costmapOf, RESOLUTION } from './test-maps.ts';

/**
 * Two 3 × 3 m rooms, a wall at 3.0–3.2 m between them with a 0.8 m doorway at y 1.1–1.9, and a blot of
 * lethal cells (a person mapped standing there) filling the doorway; inflation is left out.
 */
const world: Costmap = costmapOf(6.2, 3, (x, y) => {
  if (Math.hypot(x - 3.1, y - 1.5) < 0.45) return LETHAL;
  if (x >= 3 && x <= 3.2 && (y < 1.1 || y > 1.9)) return LETHAL;
  return x < 0.05 || y < 0.05 || x > 6.15 || y > 2.95 ? LETHAL : 0;
});
const cellsOf = (test: (x: number, y: number) => boolean): Uint8Array => {
  const mask = new Uint8Array(world.width * world.height);
  for (let cy = 0; cy < world.height; cy++)
    for (let cx = 0; cx < world.width; cx++)
      if (test((cx + 0.5) * RESOLUTION, (cy + 0.5) * RESOLUTION)) mask[cy * world.width + cx] = 1;
  return mask;
};
/** the right room's centres with clearance: cut off by the blot */
const cutOff = cellsOf((x, y) => x > 3.6 && x < 5.9 && y > 0.3 && y < 2.7);
/** the robot explored along y = 1.5 from x = 1 into the right room, before the blot was mapped */
const drivenThroughDoor = cellsOf((x, y) => x > 1 && x < 5 && Math.abs(y - 1.5) < 0.06);
const pose = { x: 1, y: 1.5, theta: 0 };
const options: RevisitOptions = { minCells: 80, maxBlocked: 2, exclude: [] };

describe('revisiting floor the map cuts off', () => {
  it('goes back over the cells the robot drove, through the blot, to the nearest cut-off cell', () => {
    const revisit = revisitPath(world, drivenThroughDoor, cutOff, pose, options);
    assert.ok(revisit);
    assert.deepEqual({ x: revisit.path[0]!.x, y: revisit.path[0]!.y }, { x: 1, y: 1.5 });
    // The first cut-off cell on the way in: just inside the right room, on the driven band.
    assert.ok(Math.abs(revisit.goal.x - 3.625) < 0.06, `goal x ${revisit.goal.x}`);
    assert.ok(Math.abs(revisit.goal.y - 1.5) < 0.06, `goal y ${revisit.goal.y}`);
    // Over the blot only: 0.9 m of lethal cells across the doorway.
    assert.ok(revisit.blocked > 0.8 && revisit.blocked < 1.0, `blocked ${revisit.blocked}`);
    assert.ok(Math.abs(revisit.patchArea - 2.3 * 2.4) < 0.3, `patch ${revisit.patchArea}`);
    for (const p of revisit.path) {
      const cx = Math.floor(p.x / RESOLUTION);
      const cy = Math.floor(p.y / RESOLUTION);
      const i = cy * world.width + cx;
      assert.ok(
        world.costs[i]! < INSCRIBED || drivenThroughDoor[i] === 1,
        `(${p.x}, ${p.y}) neither passable nor driven`,
      );
    }
  });

  it('finds no way where the robot never drove through', () => {
    const drivenLeftOnly = cellsOf((x, y) => x > 1 && x < 2.5 && Math.abs(y - 1.5) < 0.06);
    assert.equal(revisitPath(world, drivenLeftOnly, cutOff, pose, options), undefined);
  });

  it('leaves a patch it has revisited, and patches too small to be worth the trip', () => {
    assert.equal(
      revisitPath(world, drivenThroughDoor, cutOff, pose, { ...options, exclude: [{ x: 4.5, y: 1.5 }] }),
      undefined,
      'excluded',
    );
    assert.equal(
      revisitPath(world, drivenThroughDoor, cutOff, pose, { ...options, minCells: 5000 }),
      undefined,
      'too small',
    );
  });

  it('does not take a way over more marked floor than allowed', () => {
    assert.equal(
      revisitPath(world, drivenThroughDoor, cutOff, pose, { ...options, maxBlocked: 0.5 }),
      undefined,
    );
  });

  it('prefers a passable way round to one over marked cells', () => {
    // A second doorway at the top, open: the path goes round through it and over no marked cell.
    const open: Costmap = {
      ...world,
      costs: world.costs.map((c, i) => {
        const x = ((i % world.width) + 0.5) * RESOLUTION;
        const y = (Math.floor(i / world.width) + 0.5) * RESOLUTION;
        return x >= 3 && x <= 3.2 && y > 2.2 && y < 2.9 ? 0 : c;
      }),
    };
    const revisit = revisitPath(open, drivenThroughDoor, cutOff, pose, options);
    assert.ok(revisit);
    assert.equal(revisit.blocked, 0);
  });
});
