import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWorld } from './schema.ts';
import { SimWorld } from './sim-world.ts';

const world = () =>
  new SimWorld(
    parseWorld(
      {
        movingObstacles: [
          {
            id: 'person',
            kind: 'person',
            radius: 0.2,
            height: 1.7,
            path: [
              [0, 0],
              [4, 0],
            ],
            speed: 0.5,
          },
        ],
      },
      'test',
    ),
  );

test('a person walking towards the robot waits instead of walking into it, then walks on', () => {
  const w = world();
  w.setKeepOut({ x: 2, y: 0, radius: 0.2 });
  // Reaches the robot at 3.2 s; waits there (less than its patience).
  for (let t = 0; t <= 7; t += 0.05) w.setTime(t);
  const person = w.movingPositions()[0]!;
  assert.ok(person.x <= 2 - 0.4 + 1e-9, `stopped short of the robot (x = ${person.x})`);
  assert.ok(person.x > 1.5, `but walked up to it (x = ${person.x})`);
  w.setKeepOut(undefined);
  for (let t = 7; t <= 9; t += 0.05) w.setTime(t);
  assert.ok(w.movingPositions()[0]!.x > person.x + 0.5, 'walks on once the way is free');
});

test('a person the robot keeps waiting turns back after 5 s, and walks the path the other way', () => {
  const w = world();
  w.setKeepOut({ x: 2, y: 0, radius: 0.2 });
  // Up to the robot at 3.2 s, waits until 8.2 s, then 1.8 s back at 0.5 m/s.
  for (let t = 0; t <= 10; t += 0.05) w.setTime(t);
  const turned = w.movingPositions()[0]!.x;
  assert.ok(Math.abs(turned - 0.7) < 0.06, `walking back (x = ${turned})`);
  // Back at the start of its path it turns round again (pingpong) and comes back to the robot.
  for (let t = 10; t <= 14; t += 0.05) w.setTime(t);
  const x = w.movingPositions()[0]!.x;
  assert.ok(x > 0 && x < 1.6 + 1e-9, `(x = ${x})`);
});

test('without a keep-out disk the path follows the clock exactly', () => {
  const w = world();
  w.setTime(3);
  assert.ok(Math.abs(w.movingPositions()[0]!.x - 1.5) < 1e-12);
});
