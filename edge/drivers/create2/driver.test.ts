import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseConfigSchema } from '../../../shared/config.ts';
import type { Odometry } from '../../../shared/sensors.ts';
import { DiffDriveBody } from '../../sim/body.ts';
import { BoxWorld } from '../../sim/body-test-world.ts';
import { VirtualCreate2, type VirtualCreate2Options } from '../../sim/devices/create2.ts';
import { Rng } from '../../sim/rng.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { VirtualSerialBus } from '../../sim/virtual-serial.ts';
import { createDriveBase, type SafetyState } from '../base.ts';
import { encodeReset, OiMode, Opcode } from './oi.ts';

const PATH = '/dev/create2';

/** Runs the virtual clock for `seconds` while `p` settles, then returns p's result (or its rejection). */
async function during<T>(p: Promise<T>, clock: VirtualClock, seconds: number): Promise<T> {
  p.catch(() => undefined); // a rejection is re-raised by the await below, not reported as unhandled
  await clock.advanceBy(seconds);
  return p;
}

function rig(world = new BoxWorld(), robotOptions: VirtualCreate2Options = {}) {
  const clock = new VirtualClock();
  const body = new DiffDriveBody({ world, rng: new Rng(11) });
  const robot = new VirtualCreate2(body, robotOptions);
  const bus = new VirtualSerialBus(clock);
  const port = bus.connect(PATH, robot);
  // The simulation, not the device, steps the body.
  clock.setInterval(() => body.step(0.01), 0.01);
  const base = createDriveBase(
    BaseConfigSchema.parse({ type: 'create2', serial: { path: PATH } }),
    bus.factory,
    clock,
  );
  let odom: Odometry | undefined;
  const safety: SafetyState[] = [];
  base.onOdometry((o) => (odom = o));
  base.onSafety((s) => safety.push(s));
  const started = () => during(base.start(), clock, 0.5);
  return { clock, body, robot, port, base, safety, odom: () => odom, started };
}

test('the registry builds a Create 2 driver that handshakes into Safe mode and streams', async () => {
  const r = rig();
  await r.started();
  assert.equal(r.base.type, 'create2');
  assert.equal(r.robot.mode, OiMode.Safe);
  const before = r.base.health().framesOk;
  await r.clock.advanceBy(1.5);
  const h = r.base.health();
  assert.equal(h.state, 'running');
  assert.equal(h.framesOk - before, 100, 'a frame every 15 ms');
  assert.equal(h.framesBad, 0);
  const battery = r.base.battery()!;
  assert.ok(battery.voltage > 16 && battery.voltage <= 16.8);
  assert.ok(battery.current < 0);
  assert.ok(Math.abs(battery.capacity - 2.696) < 1e-9);
  assert.ok(battery.percent > 99);
  assert.equal(battery.charging, 'not-charging');
  await stop(r);
});

const stop = (r: ReturnType<typeof rig>) => during(r.base.stop(), r.clock, 0.2);

test('driving 1 m forward gives ≈ 1 m of odometry and ≈ 1 m of true travel, across the encoder wrap', async () => {
  // Counters start just below the 16-bit wrap.
  const r = rig(new BoxWorld(), { initialEncoder: { left: 32700, right: 65500 } });
  await r.started();
  // 4 s at 0.25 m/s: the distance lost accelerating is made up decelerating.
  r.base.drive(0.25, 0);
  await r.clock.advanceBy(4);
  r.base.drive(0, 0);
  await r.clock.advanceBy(1);
  const odom = r.odom()!;
  assert.ok(Math.abs(odom.x - 1) < 0.03, `odometry x ${odom.x}`);
  assert.ok(Math.abs(odom.y) < 0.05 && Math.abs(odom.theta) < 0.1);
  assert.ok(Math.abs(odom.v) < 0.01, 'stopped');
  assert.ok(Math.abs(r.body.pose.x - 1) < 0.05, `true x ${r.body.pose.x}`);
  assert.ok(r.robot.commandCounts.get(Opcode.DriveDirect)! > 5, 'velocity re-sent periodically');
  await stop(r);
});

test('a wall ahead raises a bumper event and the body stops at the wall', async () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'wall', x0: 0.8, y0: -2, x1: 0.9, y1: 2, height: 1 });
  const r = rig(world);
  await r.started();
  r.base.drive(0.2, 0);
  let bumpedAt = Number.NaN;
  for (let t = 0; t < 8 && Number.isNaN(bumpedAt); t += 0.015) {
    await r.clock.advanceBy(0.015);
    const s = r.base.safety();
    if (s?.bumpLeft && s.bumpRight) bumpedAt = s.stamp;
  }
  assert.ok(!Number.isNaN(bumpedAt), 'bumper event');
  r.base.drive(0, 0);
  await r.clock.advanceBy(1);
  assert.ok(r.body.pose.x <= 0.8 - r.body.radius + 0.001, `no penetration: ${r.body.pose.x}`);
  assert.ok(r.body.pose.x > 0.8 - r.body.radius - 0.01, `stopped at the wall: ${r.body.pose.x}`);
  assert.ok(
    r.safety.some((s) => s.lightBumper !== 0 && !s.bumpLeft),
    'light bumper saw the wall first',
  );
  await stop(r);
});

test('a stair edge in Safe mode stops the robot before a wheel drops, and it falls back to Passive', async () => {
  const world = new BoxWorld();
  world.cliffs.push({ x0: 0.6, y0: -3, x1: 3, y1: 3 });
  const r = rig(world);
  await r.started();
  r.base.drive(0.2, 0);
  await r.clock.advanceBy(6);
  assert.ok(r.safety.some((s) => s.cliffFrontLeft || s.cliffFrontRight));
  assert.ok(!r.body.wheelDropLeft && !r.body.wheelDropRight);
  assert.ok(r.body.pose.x < 0.6);
  assert.equal(r.robot.mode, OiMode.Passive);
  await stop(r);
});

test('unplugging the cable is noticed, and the driver reconnects when it is plugged back', async () => {
  const r = rig();
  await r.started();
  r.base.drive(0.1, 0);
  await r.clock.advanceBy(1);
  r.port.unplug();
  await r.clock.advanceBy(2);
  assert.equal(r.base.health().state, 'reconnecting');
  const xAtUnplug = r.odom()!.x;
  // Like the real robot, the base keeps its last command while the host is gone.
  assert.ok(r.body.leftSpeed > 0.09);
  r.port.plug();
  await r.clock.advanceBy(5);
  const h = r.base.health();
  assert.equal(h.state, 'running');
  assert.equal(h.reconnects, 1);
  assert.match(h.lastError ?? '', /disconnected|No such file/);
  r.base.drive(0, 0);
  await r.clock.advanceBy(1);
  // The travel during the outage is still counted: the encoders kept running.
  assert.ok(r.odom()!.x > xAtUnplug + 0.4);
  assert.ok(Math.abs(r.odom()!.x - r.body.pose.x) < 0.05, `${r.odom()!.x} vs ${r.body.pose.x}`);
  await stop(r);
});

test('a robot reset (counters back to 0) is recovered without an odometry jump', async () => {
  const r = rig();
  await r.started();
  r.base.drive(0.2, 0);
  await r.clock.advanceBy(2);
  // A brown-out reset: the robot prints its banner, drops to Off and stops streaming.
  r.robot.receive(encodeReset());
  const xAtReset = r.odom()!.x;
  await r.clock.advanceBy(3);
  assert.equal(r.base.health().reconnects, 1);
  assert.equal(r.robot.mode, OiMode.Safe);
  assert.ok(Math.abs(r.robot.encoderReadings().left) < 2000, 'counters restarted');
  await r.clock.advanceBy(1);
  // Only the few centimetres rolled while the robot restarted are missing.
  const odom = r.odom()!;
  assert.ok(odom.x > xAtReset, `odometry ${xAtReset} → ${odom.x}`);
  assert.ok(Math.abs(odom.x - r.body.pose.x) < 0.05, `odometry ${odom.x}, true ${r.body.pose.x}`);
  assert.ok(r.base.health().framesBad === 0);
  await stop(r);
});

test('stop() stops the wheels, leaves the robot in Passive and closes the port', async () => {
  const r = rig();
  await r.started();
  r.base.drive(0.2, 0.5);
  await r.clock.advanceBy(0.5);
  await stop(r);
  assert.equal(r.robot.mode, OiMode.Passive);
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0, right: 0 });
  assert.equal(r.port.isOpen, false);
  assert.equal(r.base.health().state, 'idle');
});

test('start() rejects, naming the port, when the robot is absent or silent', async () => {
  const absent = rig();
  absent.port.unplug();
  await assert.rejects(absent.started(), /Create 2 on \/dev\/create2/);

  const silent = rig();
  silent.robot.detach();
  await assert.rejects(during(silent.base.start(), silent.clock, 3), /no sensor stream/);
  assert.equal(silent.port.isOpen, false);
});
