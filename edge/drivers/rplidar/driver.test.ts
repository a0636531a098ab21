import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LidarConfigSchema, type LidarConfig, type LidarModel } from '../../../shared/config.ts';
import type { LaserScan } from '../../../shared/sensors.ts';
import { RPLIDAR_PROFILES, VirtualRplidar } from '../../sim/devices/rplidar.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { VirtualSerialPort } from '../../sim/virtual-serial.ts';
import { HealthStatus } from './protocol.ts';
import { RplidarDriver, type RplidarState } from './driver.ts';

/** A round room: 2 m everywhere, except a 1 m object straight ahead (laser frame). */
const room = (angle: number): number => (Math.abs(angle) < 0.1 ? 1 : 2);

function rig(
  model: LidarModel,
  scanMode: LidarConfig['scanMode'],
  extra: { baudRate?: number; seed?: number; denseMode?: boolean } = {},
) {
  const clock = new VirtualClock();
  const device = new VirtualRplidar({
    model,
    rangeAt: room,
    seed: extra.seed ?? 7,
    ...(extra.denseMode === undefined ? {} : { denseMode: extra.denseMode }),
  });
  const port = new VirtualSerialPort('/dev/rplidar', device, clock);
  const config = LidarConfigSchema.parse({
    model,
    scanMode,
    serial: extra.baudRate ? { path: '/dev/rplidar', baudRate: extra.baudRate } : { path: '/dev/rplidar' },
  });
  const driver = new RplidarDriver(config, port, clock);
  const scans: LaserScan[] = [];
  const states: RplidarState[] = [];
  driver.onScan((s) => scans.push(s));
  driver.onStateChange((s) => states.push(s));
  /** stop() waits for clock time, so the clock has to move meanwhile. */
  const stop = async () => {
    const done = driver.stop();
    await clock.advanceBy(0.2);
    await done;
  };
  return { clock, device, port, driver, scans, states, stop };
}

function checkRoom(scan: LaserScan): void {
  // The object straight ahead shows up at θ ≈ 0, the walls at 2 m elsewhere.
  let ahead = 0;
  let wall = 0;
  for (let i = 0; i < scan.angles.length; i++) {
    const a = scan.angles[i]!;
    const r = scan.ranges[i]!;
    assert.ok(a > -Math.PI - 1e-6 && a <= Math.PI + 1e-6, `angle ${a} in (−π, π]`);
    if (r === 0) continue;
    if (Math.abs(a) < 0.08) {
      assert.ok(Math.abs(r - 1) < 0.06, `range ahead ${r}`);
      ahead++;
    } else if (Math.abs(a) > 0.12) {
      assert.ok(Math.abs(r - 2) < 0.06, `range at ${a}: ${r}`);
      wall++;
    }
  }
  assert.ok(ahead > 0 && wall > 0);
}

test('driver probes the baud rate of an A2M12 and scans dense capsules at 10 Hz, 8 k samples/s', async () => {
  const { clock, device, driver, scans, states, stop } = rig('A2M12', 'dense');
  const started = driver.start();
  await clock.advanceTo(4);
  await started;
  assert.equal(driver.state, 'scanning');
  assert.deepEqual(states.slice(0, 2), ['connecting', 'scanning']);
  const h = driver.health();
  assert.equal(h.baudRate, 256000);
  assert.equal(h.model, 'A2M12');
  assert.equal(h.firmware, '1.29');
  assert.equal(device.streaming, 'dense');
  assert.ok(device.rotationHz > 9 && device.rotationHz < 11, 'PWM 660 spins the motor at ~10 Hz');
  assert.ok(scans.length >= 25, `scans: ${scans.length}`);
  assert.ok(Math.abs(h.scanRateHz - 10) < 0.5, `scan rate ${h.scanRateHz}`);
  assert.ok(Math.abs(h.samplesPerSecond - 8000) < 400, `samples/s ${h.samplesPerSecond}`);
  const last = scans.at(-1)!;
  assert.ok(Math.abs(last.ranges.length - 800) < 40, `samples per scan ${last.ranges.length}`);
  assert.ok(Math.abs(last.duration - 0.1) < 0.01, `duration ${last.duration}`);
  assert.equal(last.seq, scans.length - 1);
  checkRoom(last);
  await stop();
  assert.equal(driver.state, 'idle');
  assert.equal(device.streaming, undefined);
  assert.equal(device.rotationHz, 0);
});

test('driver scans an A1M8 in standard and legacy express mode, motor by DTR', async () => {
  for (const [mode, rate] of [
    ['standard', 2000],
    ['express', 4000],
  ] as const) {
    const { clock, device, driver, scans, stop } = rig('A1M8', mode, { baudRate: 115200 });
    const started = driver.start();
    await clock.advanceTo(0.01);
    assert.equal(device.rotationHz, 0, 'opening the port asserts DTR: motor stopped');
    await clock.advanceTo(4);
    await started;
    assert.equal(device.rotationHz, 5.5, 'DTR cleared: motor spinning');
    assert.equal(driver.state, 'scanning', mode);
    assert.equal(device.streaming, mode === 'standard' ? 'standard' : 'legacy');
    const h = driver.health();
    assert.ok(Math.abs(h.scanRateHz - 5.5) < 0.3, `${mode} scan rate ${h.scanRateHz}`);
    assert.ok(Math.abs(h.samplesPerSecond - rate) < rate * 0.05, `${mode} samples/s ${h.samplesPerSecond}`);
    assert.equal(h.badCapsules, 0);
    checkRoom(scans.at(-1)!);
    await stop();
    assert.equal(device.streaming, undefined, 'STOP reached the device');
  }
});

test('driver probes up to 460800 (C1) and 1000000 baud (S2, motor by rpm) and finds dense mode via LIDAR_CONF', async () => {
  for (const model of ['C1', 'S2'] as const) {
    const { clock, device, driver, scans, stop } = rig(model, 'dense');
    const started = driver.start();
    await clock.advanceTo(5);
    await started;
    const h = driver.health();
    assert.equal(driver.state, 'scanning', model);
    assert.equal(h.baudRate, RPLIDAR_PROFILES[model].baudRate);
    assert.equal(device.streaming, 'dense');
    assert.ok(device.receivedCommands.includes(0x84), 'LIDAR_CONF queried');
    if (model === 'S2') assert.ok(device.receivedCommands.includes(0xa8), 'MOTOR_SPEED_CTRL sent');
    const rate = RPLIDAR_PROFILES[model].denseRate;
    assert.ok(Math.abs(h.samplesPerSecond - rate) < rate * 0.05, `${model} samples/s ${h.samplesPerSecond}`);
    assert.ok(Math.abs(h.scanRateHz - 10) < 0.5, `${model} scan rate ${h.scanRateHz}`);
    checkRoom(scans.at(-1)!);
    await stop();
  }
});

test('driver falls back to legacy express when the firmware offers no dense mode', async () => {
  const { clock, device, driver, stop } = rig('A2M8', 'dense', { denseMode: false });
  const started = driver.start();
  await clock.advanceTo(3);
  await started;
  assert.equal(driver.state, 'scanning');
  assert.equal(device.streaming, 'legacy');
  assert.equal(driver.health().scanMode, 'express');
  await stop();
});

test('driver recovers when the device is unplugged and plugged back', async () => {
  const { clock, port, driver, scans, states, stop } = rig('A2M8', 'express');
  const started = driver.start();
  await clock.advanceTo(3);
  await started;
  assert.equal(driver.state, 'scanning');
  const before = scans.length;
  port.unplug();
  await clock.advanceTo(3.01);
  assert.equal(driver.state, 'disconnected');
  await clock.advanceTo(6);
  assert.equal(driver.state, 'disconnected', 'cannot reopen while unplugged');
  assert.equal(driver.health().reconnects, 0);
  port.plug();
  await clock.advanceTo(16);
  assert.equal(driver.state, 'scanning');
  assert.equal(driver.health().reconnects, 1);
  assert.ok(scans.length > before + 20, 'scans resume');
  assert.ok(states.includes('disconnected'));
  await stop();
});

test('driver detects a stalled stream and reconnects once the device talks again', async () => {
  const { clock, device, driver, states, stop } = rig('A2M12', 'express', { baudRate: 256000 });
  const started = driver.start();
  await clock.advanceTo(2);
  await started;
  assert.equal(driver.state, 'scanning');
  device.setFailure('silent');
  await clock.advanceTo(2.9);
  assert.equal(driver.state, 'scanning', 'not stalled before the timeout');
  await clock.advanceTo(3.4);
  assert.ok(states.includes('stalled'), `states: ${states.join(',')}`);
  await clock.advanceTo(6);
  assert.notEqual(driver.state, 'scanning');
  device.setFailure('none');
  await clock.advanceTo(20);
  assert.equal(driver.state, 'scanning');
  assert.ok(driver.health().reconnects >= 1);
  await stop();
});

test('driver resets a device that reports a health error; a persistent one fails start()', async () => {
  const cleared = rig('A2M12', 'express', { baudRate: 256000 });
  cleared.device.setHealth(HealthStatus.ERROR, 0x12);
  const started = cleared.driver.start();
  await cleared.clock.advanceTo(4);
  await started;
  assert.equal(cleared.driver.state, 'scanning');
  assert.ok(cleared.device.receivedCommands.includes(0x40), 'RESET sent');
  await cleared.stop();

  const stuck = rig('A2M12', 'express', { baudRate: 256000 });
  stuck.device.setHealth(HealthStatus.ERROR, 0x12, false);
  const stuckStart = stuck.driver.start();
  const rejected = assert.rejects(stuckStart, /device health error \(code 0x0012\)/);
  await stuck.clock.advanceTo(3);
  await rejected;
  // The first connection fails fast: no retry loop behind a wrong or broken setup.
  assert.equal(stuck.driver.state, 'idle');
  assert.ok(!stuck.states.includes('scanning'));
  assert.match(stuck.driver.health().lastError ?? '', /health error \(code 0x0012\)/);
  assert.equal(stuck.device.streaming, undefined);
});

test('start() rejects when the device is absent', async () => {
  const { clock, port, driver } = rig('A1M8', 'express');
  port.unplug();
  const started = driver.start();
  const rejected = assert.rejects(started, /RPLIDAR on \/dev\/rplidar: .*No such file/);
  await clock.advanceTo(1);
  await rejected;
  assert.equal(driver.state, 'idle');
});

test('same seed, same scans', async () => {
  const run = async () => {
    const { clock, driver, scans, stop } = rig('A2M12', 'express', { baudRate: 256000, seed: 3 });
    const started = driver.start();
    await clock.advanceTo(1.5);
    await started;
    await stop();
    return scans.map((s) => Array.from(s.ranges).join(',')).join('|');
  };
  assert.equal(await run(), await run());
  assert.ok(RPLIDAR_PROFILES.A2M12.baudRate === 256000);
});
