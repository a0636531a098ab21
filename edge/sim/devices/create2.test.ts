import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DriveRadius,
  encodeDrive,
  encodeDriveDirect,
  encodeFull,
  encodeQueryList,
  encodeSafe,
  encodeSensors,
  encodeStart,
  encodeStop,
  encodeStream,
  OiMode,
  Packet,
} from '../../drivers/create2/oi.ts';
import { DiffDriveBody } from '../body.ts';
import { BoxWorld } from '../body-test-world.ts';
import { Rng } from '../rng.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { VirtualSerialPort } from '../virtual-serial.ts';
import { VirtualCreate2 } from './create2.ts';

async function rig() {
  const clock = new VirtualClock();
  const body = new DiffDriveBody({ world: new BoxWorld(), rng: new Rng(2) });
  const robot = new VirtualCreate2(body);
  const port = new VirtualSerialPort('/dev/create2', robot, clock);
  const received: number[] = [];
  port.onData((chunk) => received.push(...chunk));
  await port.open(115200);
  clock.setInterval(() => body.step(0.01), 0.01);
  const send = async (...commands: Uint8Array[]) => {
    for (const c of commands) await port.write(c);
    await clock.advanceBy(0.02);
  };
  return { clock, body, robot, port, received, send };
}

test('Start enters Passive, Safe and Full follow, Stop turns the OI off', async () => {
  const r = await rig();
  assert.equal(r.robot.mode, OiMode.Off);
  await r.send(encodeSafe());
  assert.equal(r.robot.mode, OiMode.Off, 'Safe is ignored before Start');
  await r.send(encodeStart());
  assert.equal(r.robot.mode, OiMode.Passive);
  await r.send(encodeSafe());
  assert.equal(r.robot.mode, OiMode.Safe);
  await r.send(encodeFull());
  assert.equal(r.robot.mode, OiMode.Full);
  await r.send(encodeStop());
  assert.equal(r.robot.mode, OiMode.Off);
});

test('Sensors and Query List are answered with the raw packet bytes; Off mode answers nothing', async () => {
  const r = await rig();
  await r.send(encodeQueryList([Packet.OiMode]));
  assert.deepEqual(r.received, []);
  await r.send(encodeStart(), encodeQueryList([Packet.OiMode, Packet.BatteryCapacity]));
  assert.deepEqual(r.received, [1, 2696 >> 8, 2696 & 0xff]);
  r.received.length = 0;
  await r.send(encodeSensors(Packet.Voltage));
  assert.equal(r.received.length, 2);
  assert.equal((r.received[0]! << 8) | r.received[1]!, r.robot.voltageMv());
});

test('Drive and Drive Direct move the body only in Safe or Full mode', async () => {
  const r = await rig();
  await r.send(encodeStart(), encodeDriveDirect(200, 200));
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0, right: 0 }, 'Passive cannot drive');
  await r.send(encodeSafe(), encodeDriveDirect(300, -100));
  assert.deepEqual(r.body.commandedSpeeds(), { left: -0.1, right: 0.3 });
  await r.send(encodeDrive(200, DriveRadius.Straight));
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0.2, right: 0.2 });
  await r.send(encodeDrive(100, DriveRadius.SpinCounterClockwise));
  assert.deepEqual(r.body.commandedSpeeds(), { left: -0.1, right: 0.1 });
  // A left turn of radius 500 mm: the wheels run on radii 382.5 and 617.5 mm.
  await r.send(encodeDrive(200, 500));
  const w = r.body.commandedSpeeds();
  assert.ok(Math.abs(w.left - 0.153) < 1e-9 && Math.abs(w.right - 0.247) < 1e-9, JSON.stringify(w));
});

test('the stream sends a frame every 15 ms and the battery drains faster while driving', async () => {
  const r = await rig();
  await r.send(encodeStart(), encodeSafe(), encodeStream([Packet.OiMode]));
  r.received.length = 0;
  await r.clock.advanceBy(1.5);
  // Frames of 19, n=2, id 35, mode, checksum.
  assert.equal(r.received.length, 100 * 5);
  assert.deepEqual(r.received.slice(0, 5), [19, 2, 35, 2, (256 - ((19 + 2 + 35 + 2) & 0xff)) & 0xff]);
  const idle = 2696 - r.robot.charge;
  await r.send(encodeDriveDirect(400, 400));
  const before = r.robot.charge;
  await r.clock.advanceBy(1.5);
  assert.ok(before - r.robot.charge > 2 * idle, `driving used ${before - r.robot.charge} mAh, idle ${idle}`);
});
