import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseConfigSchema } from '../../../shared/config.ts';
import type { Odometry } from '../../../shared/sensors.ts';
import { DiffDriveBody } from '../../sim/body.ts';
import { BoxWorld } from '../../sim/body-test-world.ts';
import { VirtualDiyBase, type VirtualDiyBaseOptions } from '../../sim/devices/diy-base.ts';
import { Rng } from '../../sim/rng.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { type DevicePort, type VirtualDevice, VirtualSerialBus } from '../../sim/virtual-serial.ts';
import { createDriveBase, type SafetyState } from '../base.ts';
import { DiyBaseDriver } from './driver.ts';
import { encodeLine, encodeVel, lineBytes, StatusFlag } from './protocol.ts';

const PATH = '/dev/diy-base';

/**
 * Sits between the port and the controller and flips one checksum digit in every `every`-th line the
 * controller sends, as line noise would.
 */
class NoisyLine implements VirtualDevice {
  readonly baudRate: number;
  linesCorrupted = 0;
  private lines = 0;

  constructor(
    private readonly inner: VirtualDevice,
    private readonly every: number,
  ) {
    this.baudRate = inner.baudRate;
  }

  attach(port: DevicePort): void {
    this.inner.attach({
      clock: port.clock,
      hostConnected: () => port.hostConnected(),
      emit: (data) => {
        const copy = data.slice();
        if (++this.lines % this.every === 0) {
          // The checksum's last digit sits just before the newline.
          const i = copy.lastIndexOf(0x0a) - 1;
          copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
          this.linesCorrupted++;
        }
        port.emit(copy);
      },
    });
  }

  receive(data: Uint8Array): void {
    this.inner.receive(data);
  }

  connectionChanged(connected: boolean): void {
    this.inner.connectionChanged?.(connected);
  }
}

async function during<T>(p: Promise<T>, clock: VirtualClock, seconds: number): Promise<T> {
  p.catch(() => undefined); // re-raised by the await below, not reported as unhandled
  await clock.advanceBy(seconds);
  return p;
}

function rig(options: { world?: BoxWorld; controller?: VirtualDiyBaseOptions; corruptEvery?: number } = {}) {
  const clock = new VirtualClock();
  const body = new DiffDriveBody({ world: options.world ?? new BoxWorld(), rng: new Rng(21) });
  const controller = new VirtualDiyBase(body, options.controller);
  const device = options.corruptEvery ? new NoisyLine(controller, options.corruptEvery) : controller;
  const bus = new VirtualSerialBus(clock);
  const port = bus.connect(PATH, device);
  clock.setInterval(() => body.step(0.01), 0.01);
  const config = BaseConfigSchema.parse({ type: 'diy', serial: { path: PATH } });
  const base = createDriveBase(config, bus.factory, clock);
  let odom: Odometry | undefined;
  const safety: SafetyState[] = [];
  base.onOdometry((o) => (odom = o));
  base.onSafety((s) => safety.push(s));
  return {
    clock,
    body,
    controller,
    device,
    port,
    base,
    safety,
    odom: () => odom,
    started: () => during(base.start(), clock, 1),
    stop: () => during(base.stop(), clock, 0.2),
  };
}

test('the DIY driver handshakes, drives 1 m and integrates the 32-bit counters across their wrap', async () => {
  const r = rig({ controller: { initialCounts: { left: 4294967000, right: 4294966000 } } });
  await r.started();
  assert.ok(r.base instanceof DiyBaseDriver);
  assert.equal(r.base.firmware()?.firmware, 'swath-sim-diy');
  assert.equal(r.base.maxWheelSpeed, 0.5);
  r.base.drive(0.25, 0);
  await r.clock.advanceBy(4);
  r.base.drive(0, 0);
  await r.clock.advanceBy(1);
  const odom = r.odom()!;
  assert.ok(Math.abs(odom.x - 1) < 0.03, `odometry x ${odom.x}`);
  assert.ok(Math.abs(r.body.pose.x - 1) < 0.05, `true x ${r.body.pose.x}`);
  assert.ok(r.controller.counters().left < 10000, 'the left counter wrapped');
  const h = r.base.health();
  assert.equal(h.state, 'running');
  assert.equal(h.framesBad, 0);
  assert.equal(r.base.reportsLost, 0);
  assert.equal(r.controller.flags & StatusFlag.Watchdog, 0, 'VEL keeps the watchdog fed while idle too');
  const battery = r.base.battery()!;
  assert.ok(battery.voltage > 12 && battery.voltage <= 12.6);
  assert.ok(battery.current < 0);
  assert.ok(battery.percent > 95);
  assert.ok(Number.isNaN(battery.capacity));
  await r.stop();
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0, right: 0 });
});

test('the controller watchdog stops the motors when commands stop arriving', async () => {
  const r = rig();
  await r.started();
  r.base.drive(0.3, 0);
  await r.clock.advanceBy(1);
  assert.ok(r.body.leftSpeed > 0.29);
  // Pull the cable: the host can no longer send VEL.
  r.port.unplug();
  const cut = r.clock.now();
  while (r.body.commandedSpeeds().left !== 0 && r.clock.now() < cut + 1) await r.clock.advanceBy(0.01);
  const stoppedAfter = r.clock.now() - cut;
  assert.ok(stoppedAfter > 0.2 && stoppedAfter < 0.45, `watchdog after ${stoppedAfter} s`);
  assert.ok(r.controller.flags & StatusFlag.Watchdog);
  await r.clock.advanceBy(1);
  assert.equal(r.body.leftSpeed, 0);
  // Plugged back, the driver reconnects and drives again.
  r.port.plug();
  await r.clock.advanceBy(3);
  assert.equal(r.base.health().reconnects, 1);
  assert.ok(r.body.leftSpeed > 0.29);
  await r.stop();
});

test('report lines with a bad checksum are dropped and counted', async () => {
  const r = rig({ corruptEvery: 10 });
  await r.started();
  r.base.drive(0.2, 0);
  await r.clock.advanceBy(2);
  const h = r.base.health();
  const noisy = r.device as NoisyLine;
  assert.ok(noisy.linesCorrupted >= 10);
  assert.equal(h.framesBad, noisy.linesCorrupted);
  assert.equal(h.state, 'running');
  // Every tenth report was lost to the noise; odometry carries on from the next.
  assert.ok(r.base instanceof DiyBaseDriver);
  assert.ok(r.base.reportsLost >= noisy.linesCorrupted - 1);
  assert.ok(Math.abs(r.odom()!.x - r.body.pose.x) < 0.02);
  await r.stop();
});

test('the controller answers a bad command with ERR, and the driver counts it', async () => {
  const r = rig();
  await r.started();
  assert.ok(r.base instanceof DiyBaseDriver);
  // A corrupt VEL from the host side of the wire (a checksum that does not match).
  const line = encodeVel(100, 100).replace(/\*..\n$/, '*00\n');
  await r.port.write(lineBytes(line));
  // A well-framed VEL whose speed is out of range.
  await r.port.write(lineBytes(encodeLine('VEL,9999,0')));
  await r.clock.advanceBy(0.2);
  assert.equal(r.controller.errorsSent, 2);
  assert.equal(r.base.errorsReported, 2);
  assert.equal(r.base.lastControllerError, '4 value');
  await r.stop();
});

test('a bumper press reaches onSafety with the clock time', async () => {
  const world = new BoxWorld();
  world.boxes.push({ id: 'wall', x0: 0.6, y0: -2, x1: 0.7, y1: 2, height: 0.5 });
  const r = rig({ world });
  await r.started();
  r.base.drive(0.2, 0);
  await r.clock.advanceBy(4);
  const bump = r.safety.find((s) => s.bumpLeft && s.bumpRight);
  assert.ok(bump);
  assert.ok(bump.stamp > 1 && bump.stamp < 4.5);
  assert.ok(r.body.pose.x <= 0.6 - r.body.radius + 0.001);
  await r.stop();
});
