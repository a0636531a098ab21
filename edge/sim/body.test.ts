import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metresPerCount } from '../drivers/odometry.ts';
import { DiffDriveBody, type DiffDriveBodyOptions } from './body.ts';
import { BoxWorld } from './body-test-world.ts';
import { Rng } from './rng.ts';

const PER_COUNT = metresPerCount({ wheelBase: 0.235, wheelDiameter: 0.072, countsPerRevolution: 508.8 });

function run(body: DiffDriveBody, seconds: number, dt = 0.01): void {
  for (let i = 0; i < Math.round(seconds / dt); i++) body.step(dt);
}

const exact: Partial<DiffDriveBodyOptions> = { slip: { std: 0, loss: 0 }, floorSlip: {}, countNoiseStd: 0 };

test('without noise the body drives straight and the encoders count its wheel travel', () => {
  const body = new DiffDriveBody({ world: new BoxWorld(), rng: new Rng(1), ...exact });
  body.setWheelSpeeds(0.2, 0.2);
  run(body, 5);
  // The 20 ramp steps at 1 m/s² (speed applied at the end of each step) cover 0.021 m instead of 0.04 m.
  assert.ok(Math.abs(body.pose.x - (0.2 * 5 - 0.019)) < 1e-9, `x ${body.pose.x}`);
  assert.ok(Math.abs(body.pose.y) < 1e-12);
  assert.ok(Math.abs(body.leftCounts * PER_COUNT - body.pose.x) < 1e-6);
  assert.ok(Math.abs(body.odometer - body.pose.x) < 1e-9);
});

test('an in-place spin turns without moving', () => {
  const body = new DiffDriveBody({ world: new BoxWorld(), rng: new Rng(1), ...exact, maxWheelAccel: 1000 });
  const w = (Math.PI / 2) * (0.235 / 2); // wheel speed for π/2 rad/s
  body.setWheelSpeeds(-w, w);
  run(body, 1);
  assert.ok(Math.abs(body.pose.theta - Math.PI / 2) < 1e-3, `theta ${body.pose.theta}`);
  assert.ok(Math.hypot(body.pose.x, body.pose.y) < 1e-12);
});

test('slip makes the true pose drift from the wheel counts, reproducibly per seed, more on carpet', () => {
  const drift = (seed: number, carpet: boolean) => {
    const world = new BoxWorld();
    if (carpet) world.carpets.push({ x0: -10, y0: -10, x1: 10, y1: 10 });
    const body = new DiffDriveBody({ world, rng: new Rng(seed) });
    body.setWheelSpeeds(0.3, 0.3);
    run(body, 10);
    const wheel = ((body.leftCounts + body.rightCounts) / 2) * PER_COUNT;
    return { wheel, x: body.pose.x, y: body.pose.y, theta: body.pose.theta };
  };
  const a = drift(7, false);
  assert.deepEqual(drift(7, false), a);
  assert.notDeepEqual(drift(8, false), a);
  assert.ok(Math.abs(a.theta) > 1e-4, 'per-wheel slip turns the body a little');
  assert.ok(Math.abs(a.x - a.wheel) / a.wheel < 0.02);
  const c = drift(7, true);
  assert.ok(c.x < c.wheel * 0.99, `carpet loses travel: ${c.x} vs wheels ${c.wheel}`);
});

test('a wall stops the body without penetration and presses both bumpers head-on', () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'wall', x0: 1, y0: -2, x1: 1.1, y1: 2, height: 1 });
  const body = new DiffDriveBody({ world, rng: new Rng(3) });
  const touched: string[] = [];
  body.onContact((c) => touched.push(`${c.id}:${c.blocking}`));
  body.setWheelSpeeds(0.3, 0.3);
  run(body, 6);
  assert.ok(body.pose.x <= 1 - body.radius + 0.001, `x ${body.pose.x}`);
  assert.ok(body.pose.x > 1 - body.radius - 0.01, `x ${body.pose.x}`);
  assert.ok(body.bumpLeft && body.bumpRight);
  assert.deepEqual(touched, ['wall:true']);
  assert.ok(body.blockedSteps > 0);
  // The wheels kept turning against the wall: the encoders overstate the travel.
  assert.ok(body.leftCounts * PER_COUNT > body.pose.x + 0.5);
  assert.ok(body.lightBumperBits() & 0b001100, 'centre light-bumper beams see the wall');
});

test('an oblique wall makes the body slide along it and presses only the bumper on that side', () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'wall', x0: -5, y0: 0.5, x1: 5, y1: 0.6, height: 1 });
  const body = new DiffDriveBody({
    world,
    rng: new Rng(4),
    ...exact,
    pose: { x: 0, y: 0, theta: Math.PI / 4 },
  });
  body.setWheelSpeeds(0.2, 0.2);
  run(body, 4);
  assert.ok(body.pose.y <= 0.5 - body.radius + 0.001, `y ${body.pose.y}`);
  assert.ok(body.pose.x > 0.5, `slid along x to ${body.pose.x}`);
  assert.ok(body.bumpLeft && !body.bumpRight);
});

test('a backwards bump into a wall blocks motion but the front bumper stays open', () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'wall', x0: -1.1, y0: -2, x1: -1, y1: 2, height: 1 });
  const body = new DiffDriveBody({ world, rng: new Rng(5), ...exact });
  body.setWheelSpeeds(-0.2, -0.2);
  run(body, 6);
  assert.ok(body.pose.x >= -1 + body.radius - 0.001);
  assert.ok(!body.bumpLeft && !body.bumpRight);
  assert.equal(body.contacts()[0]?.id, 'wall');
});

test('a cable lower than the blocking height is driven over and still reported', () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'cable-1', x0: 0.5, y0: -2, x1: 0.52, y1: 2, height: 0.01 });
  const body = new DiffDriveBody({ world, rng: new Rng(6), ...exact });
  const touched: string[] = [];
  body.onContact((c) => touched.push(`${c.id}:${c.blocking}`));
  body.setWheelSpeeds(0.3, 0.3);
  run(body, 5);
  assert.ok(body.pose.x > 1.2);
  assert.deepEqual(touched, ['cable-1:false']);
  assert.ok(!body.bumpLeft && !body.bumpRight);
});

test('cliff sensors see a stair edge ahead before the wheels reach it; a wheel over it drops', () => {
  const world = new BoxWorld();
  world.cliffs.push({ x0: 1, y0: -5, x1: 3, y1: 5 });
  const body = new DiffDriveBody({ world, rng: new Rng(7), ...exact });
  body.setWheelSpeeds(0.2, 0.2);
  let firstCliffX = Number.NaN;
  for (let i = 0; i < 800 && Number.isNaN(firstCliffX); i++) {
    body.step(0.01);
    if (body.cliffBits() & 0b0110) firstCliffX = body.pose.x;
  }
  assert.ok(!Number.isNaN(firstCliffX));
  assert.ok(!body.wheelDropLeft && !body.wheelDropRight, 'front cliff sensors trigger first');
  run(body, 5);
  assert.ok(body.wheelDropLeft && body.wheelDropRight);
  const stuck = body.pose.x;
  run(body, 1);
  assert.equal(body.pose.x, stuck, 'a dropped body does not move on');
});

test('an obstacle that moves into a standing body presses the bumper', () => {
  const world = new BoxWorld();
  const body = new DiffDriveBody({ world, rng: new Rng(8) });
  body.step(0.01);
  assert.ok(!body.bumpLeft && !body.bumpRight);
  // Something arrives at the front-left of the stopped robot.
  world.boxes.push({ id: 'person-1', x0: 0.1, y0: 0.1, x1: 0.4, y1: 0.4, height: 1.7 });
  body.step(0.01);
  assert.ok(body.bumpLeft && !body.bumpRight);
  assert.equal(body.contacts()[0]?.id, 'person-1');
});
