import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OCCUPIED, FREE, worldToCell } from '../../../shared/occupancy-grid.ts';
import { loadWorld } from './load-world.ts';
import { parseWorld } from './schema.ts';
import { SimWorld } from './sim-world.ts';

/** A 10 × 10 m room with a wall 3 m east of the origin, a table, a shoe and a walking person. */
function testWorld(): SimWorld {
  return new SimWorld(
    parseWorld(
      {
        walls: [
          {
            id: 'room',
            points: [
              [-5, -5],
              [5, -5],
              [5, 5],
              [-5, 5],
            ],
            closed: true,
            thickness: 0.2,
          },
          {
            id: 'east-wall',
            points: [
              [3, -1],
              [3, 1],
            ],
            thickness: 0.1,
            height: 2,
          },
        ],
        furniture: [
          // Legs 0.05 m square at the corners: x 0.5–0.55 and 1.45–1.5, y ±(0.35–0.4).
          { id: 'table', kind: 'table', x: 1, y: -2, width: 1, depth: 0.8, height: 0.75, topThickness: 0.04 },
          { id: 'bed', kind: 'bed', x: -3, y: 3, width: 2, depth: 1.6, height: 0.5, clearance: 0.12 },
        ],
        lowObstacles: [{ id: 'shoe', kind: 'shoe', x: 0, y: 2, width: 0.3, depth: 0.1, height: 0.08 }],
        floors: [
          {
            type: 'rug',
            polygon: [
              [-1, -1],
              [1, -1],
              [1, 1],
              [-1, 1],
            ],
          },
        ],
        cliffs: [
          {
            id: 'stairs',
            polygon: [
              [-4.9, -4.9],
              [-4, -4.9],
              [-4, -4],
              [-4.9, -4],
            ],
          },
        ],
        movingObstacles: [
          {
            id: 'walker',
            kind: 'person',
            radius: 0.25,
            height: 1.7,
            speed: 1,
            mode: 'pingpong',
            path: [
              [-2, 0],
              [-2, 4],
            ],
            startDelay: 1,
          },
        ],
      },
      'test world',
    ),
  );
}

describe('SimWorld.raycast', () => {
  const world = testWorld();

  it('hits a wall at its near face', () => {
    assert.ok(Math.abs(world.raycast(0, 0, 0.1, 0, 12) - 2.95) < 1e-9);
    // Wall top at 2 m: a ray at 2.1 m passes over it and reaches the room's wall (inner face 4.9 m).
    assert.ok(Math.abs(world.raycast(0, 0, 2.1, 0, 12) - 4.9) < 1e-9);
  });

  it('returns Infinity beyond maxRange', () => {
    assert.equal(world.raycast(0, 0, 0.1, 0, 2.9), Infinity);
    assert.ok(Math.abs(world.raycast(0, 0, 0.1, 0, 2.95) - 2.95) < 1e-9);
  });

  it('sees table legs at the LIDAR height and the top only at its own height', () => {
    // Ray along y = -2.375 (through the south legs, x 0.5–0.55) from the west.
    assert.ok(Math.abs(world.raycast(-1, -2.375, 0.1, 0, 12) - 1.5) < 1e-9);
    // Along y = -2 between the legs: at 0.1 m the ray passes under the top to the room wall (x = 4.9).
    assert.ok(Math.abs(world.raycast(-1, -2, 0.1, 0, 12) - 5.9) < 1e-9);
    // At 0.73 m it hits the top's west edge at x = 0.5.
    assert.ok(Math.abs(world.raycast(-1, -2, 0.73, 0, 12) - 1.5) < 1e-9);
  });

  it('does not see a low obstacle at the LIDAR height, but does below it', () => {
    assert.ok(Math.abs(world.raycast(-1, 2, 0.1, 0, 12) - 5.9) < 1e-9);
    assert.ok(Math.abs(world.raycast(-1, 2, 0.05, 0, 12) - 0.85) < 1e-9);
  });

  it('sees under a bed with clearance only its legs', () => {
    // Bed x -4..-2, y 2.2..3.8, legs 0.05 at the corners. Ray along y = 3 at 0.1 m passes under the body.
    assert.ok(Math.abs(world.raycast(0, 3, 0.1, Math.PI, 12) - 4.9) < 1e-9);
    assert.ok(Math.abs(world.raycast(0, 3, 0.3, Math.PI, 12) - 2) < 1e-9);
  });

  it('moves people with setTime', () => {
    world.setTime(0); // waits at (-2, 0) until t = 1
    assert.ok(Math.abs(world.raycast(-2, -3, 1, Math.PI / 2, 12) - 2.75) < 1e-9);
    world.setTime(3); // 2 m along the path: (-2, 2)
    assert.ok(Math.abs(world.raycast(-2, -3, 1, Math.PI / 2, 12) - 4.75) < 1e-9);
    assert.ok(Math.abs(world.raycast(-4, 2, 1, 0, 12) - 1.75) < 1e-9);
    world.setTime(7); // 6 m: back on the way down at (-2, 2)
    assert.deepEqual(
      world.movingPositions().map((p) => [p.id, Math.round(p.x * 1e6) / 1e6, Math.round(p.y * 1e6) / 1e6]),
      [['walker', -2, 2]],
    );
    // Above the person's head the ray goes on.
    assert.ok(world.raycast(-4, 2, 1.8, 0, 12) > 5);
    world.setTime(0);
  });

  it('agrees with an unindexed world on random rays (property)', () => {
    const indexed = loadWorld('apartment');
    const flat = loadWorld('apartment', { cellSize: 100 });
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 13, noNaN: true }),
        fc.double({ min: -1, max: 11, noNaN: true }),
        fc.constantFrom(0.02, 0.1, 0.5, 0.74, 1.5),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (x, y, z, angle, t) => {
          indexed.setTime(t);
          flat.setTime(t);
          assert.equal(indexed.raycast(x, y, z, angle, 15), flat.raycast(x, y, z, angle, 15));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('SimWorld.contacts', () => {
  const world = testWorld();

  it('reports a wall touching the disk with bearing and depth', () => {
    const c = world.contacts(2.8, 0, 0.17);
    assert.equal(c.length, 1);
    assert.equal(c[0]!.id, 'east-wall');
    assert.ok(Math.abs(c[0]!.depth - 0.02) < 1e-9);
    assert.ok(Math.abs(c[0]!.bearing) < 1e-9);
    assert.equal(c[0]!.moving, false);
    assert.deepEqual(world.contacts(2.7, 0, 0.17), []);
  });

  it('reports table legs but not the top passing over the robot', () => {
    const c = world.contacts(1, -2, 0.17);
    assert.deepEqual(c, []);
    const legs = world.contacts(0.45, -2.375, 0.17);
    assert.equal(legs.length, 1);
    assert.equal(legs[0]!.id, 'table');
    assert.ok(legs[0]!.height < 0.75);
  });

  it('reports a low bed body the robot would wedge under, and low obstacles', () => {
    const bed = world.contacts(-3, 3, 0.17).find((c) => c.id === 'bed' && c.height === 0.5);
    assert.ok(bed && bed.bottom > 0.1, `the bed's body hangs above the floor: ${JSON.stringify(bed)}`);
    const shoe = world.contacts(0, 2, 0.17);
    assert.equal(shoe[0]!.id, 'shoe');
    assert.equal(shoe[0]!.bottom, 0);
    assert.ok(shoe[0]!.depth > 0.17);
  });

  it('reports moving obstacles', () => {
    world.setTime(0);
    const c = world.contacts(-2, 0.3, 0.17);
    assert.equal(c.length, 1);
    assert.equal(c[0]!.moving, true);
    assert.ok(Math.abs(c[0]!.depth - 0.12) < 1e-9);
    assert.ok(Math.abs(c[0]!.bearing + Math.PI / 2) < 1e-9);
  });
});

describe('SimWorld floors and rasters', () => {
  const world = testWorld();

  it('knows floor types and cliffs', () => {
    assert.equal(world.floorTypeAt(0, 0), 'rug');
    assert.equal(world.floorTypeAt(2, 2), 'wood');
    assert.equal(world.isCliff(-4.5, -4.5), true);
    assert.equal(world.isCliff(0, 0), false);
  });

  it('rasterises robot obstacles and LIDAR-plane obstacles separately', () => {
    const robot = world.obstacleGrid(0.05, 0.1);
    const lidar = world.lidarPlaneGrid(0.05, 0.1);
    const at = (g: typeof robot, x: number, y: number): number => {
      const { cx, cy } = worldToCell(g, x, y);
      return g.data[cy * g.width + cx]!;
    };
    // The shoe: an obstacle for the robot, invisible to the LIDAR.
    assert.equal(at(robot, 0, 2), OCCUPIED);
    assert.equal(at(lidar, 0, 2), FREE);
    // Under the table top: free for both; its legs occupied for both.
    assert.equal(at(robot, 1, -2), FREE);
    assert.equal(at(lidar, 1, -2), FREE);
    assert.equal(at(robot, 0.52, -2.37), OCCUPIED);
    assert.equal(at(lidar, 0.52, -2.37), OCCUPIED);
    // Cliffs stop the robot; the LIDAR sees nothing there.
    assert.equal(at(robot, -4.5, -4.5), OCCUPIED);
    assert.equal(at(lidar, -4.5, -4.5), FREE);
    // The wall face at x = 2.95.
    assert.equal(at(lidar, 2.97, 0), OCCUPIED);
    assert.equal(at(lidar, 2.9, 0), FREE);
  });
});
