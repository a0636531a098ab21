import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLASS_ID } from './classes.ts';
import { CameraRenderer, type CameraIntrinsics } from './render-camera.ts';
import { parseWorld } from './schema.ts';
import { SimWorld } from './sim-world.ts';

const VGA: CameraIntrinsics = { width: 640, height: 480, fx: 530, fy: 530, cx: 320, cy: 240 };
const h = 0.2;
const pitch = (10 * Math.PI) / 180;

function room(extra: object = {}): SimWorld {
  return new SimWorld(
    parseWorld(
      {
        walls: [
          {
            points: [
              [-10, -10],
              [10, -10],
              [10, 10],
              [-10, 10],
            ],
            closed: true,
            thickness: 0.2,
          },
        ],
        ...extra,
      },
      'render test',
    ),
  );
}

describe('CameraRenderer', () => {
  it('gives a wall straight ahead its distance as depth', () => {
    const world = room({
      walls: [
        {
          points: [
            [2, -3],
            [2, 3],
          ],
          thickness: 0.1,
          height: 2.5,
        },
      ],
    });
    const level = new CameraRenderer(world, VGA, 0);
    const flat = level.render({ x: 0, y: 0, z: h, yaw: 0, pitch: 0 });
    const centre = 240 * 640 + 320;
    assert.ok(Math.abs(flat.depth[centre]! - 1.95) < 1e-5, String(flat.depth[centre]));
    assert.equal(flat.labels[centre], CLASS_ID.wall);
    // A plane facing the camera has the same optical-axis depth everywhere on it (to within the bearing
    // bins' quantisation: under a millimetre here).
    assert.ok(Math.abs(flat.depth[100 * 640 + 50]! - 1.95) < 1e-3, String(flat.depth[100 * 640 + 50]));
    // Pitched down 10° the centre ray meets the floor 1.13 m ahead: put a wall 1 m ahead and the ray
    // travels 1 / cos 10° to it.
    const near = room({
      walls: [
        {
          points: [
            [1.05, -3],
            [1.05, 3],
          ],
          thickness: 0.1,
          height: 2.5,
        },
      ],
    });
    const pitched = new CameraRenderer(near, VGA, pitch).render({ x: 0, y: 0, z: h, yaw: 0, pitch });
    assert.equal(pitched.labels[centre], CLASS_ID.wall);
    assert.ok(Math.abs(pitched.depth[centre]! - 1 / Math.cos(pitch)) < 1e-5);
  });

  it('puts floor pixels where the pinhole floor formula does', () => {
    const world = room();
    const render = new CameraRenderer(world, VGA, pitch).render({ x: 0, y: 0, z: h, yaw: 0, pitch });
    for (const [v, forward] of [
      [400, 0.4],
      [300, 0.68],
    ] as const) {
      const yn = (v - 240) / 530;
      const D = Math.sin(pitch) + yn * Math.cos(pitch);
      const i = v * 640 + 320;
      assert.equal(render.labels[i], CLASS_ID.floor);
      // Depth along the optical axis is h / D; its forward component is the formula's Z.
      assert.ok(Math.abs(render.depth[i]! - h / D) < 1e-5);
      const z = render.depth[i]! * (Math.cos(pitch) - yn * Math.sin(pitch));
      assert.ok(Math.abs(z - forward) < 0.005, `v=${v}: ${z}`);
    }
    // Above the horizon there is no floor: the far wall (10 m away) is seen instead, and above it the
    // ceiling at the walls' 2.5 m.
    assert.equal(render.labels[100 * 640 + 320], CLASS_ID.wall);
    const top = (0 - 240) / 530;
    assert.equal(render.labels[320], CLASS_ID.ceiling);
    assert.ok(Math.abs(render.depth[320]! - (2.5 - h) / -(Math.sin(pitch) + top * Math.cos(pitch))) < 1e-4);
  });

  it('sees the top of a low obstacle from above, and labels and boxes it', () => {
    const world = room({
      lowObstacles: [{ id: 'toy-box', kind: 'toy', x: 0.75, y: 0, width: 0.5, depth: 0.4, height: 0.08 }],
    });
    const render = new CameraRenderer(world, VGA, pitch).render({ x: 0, y: 0, z: h, yaw: 0, pitch });
    let topPixels = 0;
    for (let v = 240; v < 480; v++) {
      const yn = (v - 240) / 530;
      const D = Math.sin(pitch) + yn * Math.cos(pitch);
      const lambda = (h - 0.08) / D; // where the ray comes down to the box's top
      const forward = lambda * (Math.cos(pitch) - yn * Math.sin(pitch));
      if (forward <= 0.52 || forward >= 0.98) continue;
      const i = v * 640 + 320;
      assert.equal(render.labels[i], CLASS_ID.toy, `v=${v}`);
      assert.ok(Math.abs(render.depth[i]! - lambda) < 1e-4);
      topPixels++;
    }
    assert.ok(topPixels > 10);
    const box = render.boxes.find((b) => b.id === 'toy-box');
    assert.ok(box);
    assert.equal(box.cls, 'toy');
    assert.equal(box.truncated, false);
    assert.ok(box.x0 < 320 && box.x1 > 320 && box.y1 < 480);
    assert.ok(Math.abs(box.minDepth - 0.5 / Math.cos(pitch)) < 0.1);
    // Walls get no boxes.
    assert.ok(render.boxes.every((b) => b.cls !== 'wall'));
  });

  it('sees table legs under the top and a person in front', () => {
    const world = room({
      furniture: [{ id: 'table', kind: 'table', x: 3, y: 0, width: 1, depth: 1, height: 0.75 }],
      movingObstacles: [
        {
          id: 'p',
          kind: 'person',
          radius: 0.25,
          height: 1.7,
          speed: 1,
          path: [
            [1.5, 2],
            [1.5, -2],
          ],
        },
      ],
    });
    const renderer = new CameraRenderer(world, VGA, 0);
    world.setTime(2); // the person at (1.5, 0): straight ahead
    const withPerson = renderer.render({ x: 0, y: 0, z: h, yaw: 0, pitch: 0 });
    assert.equal(withPerson.labels[240 * 640 + 320], CLASS_ID.person);
    assert.ok(Math.abs(withPerson.depth[240 * 640 + 320]! - 1.25) < 1e-5);
    world.setTime(0); // the person at (1.5, 2): out of the way
    const render = renderer.render({ x: 0, y: 0, z: h, yaw: 0, pitch: 0 });
    // Centre ray at 0.2 m passes under the top between the legs to the far wall.
    assert.equal(render.labels[240 * 640 + 320], CLASS_ID.wall);
    // The near-left leg (x 2.5–2.55, y 0.45–0.5) at bearing ≈ 10°: u = 320 − 530·tan.
    const u = Math.round(320 - (530 * 0.475) / 2.5);
    assert.equal(render.labels[240 * 640 + u], CLASS_ID.table);
    assert.ok(Math.abs(render.depth[240 * 640 + u]! - 2.5) < 1e-4);
  });

  it('is deterministic for a seed', () => {
    const world = room({
      floors: [
        {
          type: 'carpet',
          polygon: [
            [-5, -5],
            [5, -5],
            [5, 5],
            [-5, 5],
          ],
        },
      ],
    });
    const pose = { x: 0.3, y: -0.2, z: h, yaw: 0.4, pitch };
    const small: CameraIntrinsics = { width: 64, height: 48, fx: 53, fy: 53, cx: 32, cy: 24 };
    const a = new CameraRenderer(world, small, pitch, { noise: 3, seed: 5 }).render(pose).rgb.slice();
    const b = new CameraRenderer(world, small, pitch, { noise: 3, seed: 5 }).render(pose).rgb.slice();
    const c = new CameraRenderer(world, small, pitch, { noise: 3, seed: 6 }).render(pose).rgb.slice();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
