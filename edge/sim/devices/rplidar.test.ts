import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIDAR_MODELS, type LidarModel } from '../../../shared/config.ts';
import { RplidarParser } from '../../drivers/rplidar/parser.ts';
import {
  AnswerType,
  Command,
  ExpressMode,
  HealthStatus,
  LidarConfKey,
  accBoardFlagPayload,
  encodeRequest,
  expressScanPayload,
  lidarConfPayload,
  motorPwmPayload,
  motorSpeedPayload,
  type ResponseDescriptor,
} from '../../drivers/rplidar/protocol.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { VirtualSerialPort } from '../virtual-serial.ts';
import { RPLIDAR_PROFILES, VirtualRplidar, type VirtualRplidarOptions } from './rplidar.ts';

const hex = (b: ArrayLike<number>) =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0'))
    .join(' ')
    .toUpperCase();

async function host(model: LidarModel, options: Partial<VirtualRplidarOptions> = {}) {
  const clock = new VirtualClock();
  const device = new VirtualRplidar({ model, rangeAt: () => 3, seed: 5, ...options });
  const port = new VirtualSerialPort('/dev/rplidar', device, clock);
  const received: number[] = [];
  const samples: Array<{ angle: number; distance: number; start: boolean; time: number }> = [];
  const responses: Array<{ d: ResponseDescriptor; payload: Uint8Array }> = [];
  const parser = new RplidarParser({
    onSample: (angle, distance, _q, start) => samples.push({ angle, distance, start, time: clock.now() }),
    onResponse: (d, payload) => responses.push({ d, payload }),
  });
  port.onData((chunk) => {
    received.push(...chunk);
    parser.push(chunk);
  });
  await port.open(device.baudRate);
  const send = (cmd: number, payload?: Uint8Array) => port.write(encodeRequest(cmd, payload));
  return { clock, device, port, received, samples, responses, parser, send };
}

test('answers GET_INFO, GET_HEALTH, GET_SAMPLERATE and GET_ACC_BOARD_FLAG with the real bytes', async () => {
  const a1 = await host('A1M8');
  await a1.send(Command.GET_INFO);
  await a1.send(Command.GET_HEALTH);
  await a1.send(Command.GET_SAMPLERATE);
  await a1.send(Command.GET_ACC_BOARD_FLAG, accBoardFlagPayload());
  await a1.clock.advanceTo(0.1);
  const r = a1.received;
  assert.equal(hex(r.slice(0, 11)), 'A5 5A 14 00 00 00 04 18 1D 01 07', 'A1M8, firmware 1.29, hardware 7');
  assert.equal(hex(r.slice(27, 37)), 'A5 5A 03 00 00 00 06 00 00 00', 'health good');
  // 2000 standard samples/s = 500 µs, 4000 express = 250 µs.
  assert.equal(hex(r.slice(37, 48)), 'A5 5A 04 00 00 00 15 F4 01 FA 00');
  assert.equal(hex(r.slice(48)), 'A5 5A 04 00 00 00 FF 00 00 00 00', 'no PWM board on an A1');

  const a2 = await host('A2M12');
  a2.device.setHealth(HealthStatus.WARNING, 0x0102);
  await a2.send(Command.GET_ACC_BOARD_FLAG, accBoardFlagPayload());
  await a2.send(Command.GET_HEALTH);
  await a2.send(Command.GET_INFO);
  await a2.clock.advanceTo(0.1);
  assert.equal(hex(a2.received.slice(0, 11)), 'A5 5A 04 00 00 00 FF 01 00 00 00');
  assert.equal(hex(a2.received.slice(11, 21)), 'A5 5A 03 00 00 00 06 01 02 01');
  assert.equal(a2.received[21 + 7], 0x2c, 'A2M12 model byte');
});

test('requests with a bad checksum, line noise and split writes are handled like the firmware', async () => {
  const h = await host('A2M8');
  const bad = encodeRequest(Command.GET_LIDAR_CONF, lidarConfPayload(LidarConfKey.SCAN_MODE_COUNT));
  bad[bad.length - 1]! ^= 1;
  await h.port.write(Uint8Array.of(0x00, 0x13, 0xa5));
  await h.port.write(bad);
  await h.clock.advanceTo(0.1);
  await h.port.write(Uint8Array.of(0xa5));
  await h.port.write(Uint8Array.of(0x52));
  await h.clock.advanceTo(0.2);
  assert.equal(h.responses.length, 1);
  assert.equal(h.responses[0]!.d.type, AnswerType.DEVICE_HEALTH);
});

test('RESET prints a banner, then the device is idle; a health error clears unless it sticks', async () => {
  const h = await host('A1M8');
  h.device.setHealth(HealthStatus.ERROR, 0x20);
  await h.send(Command.SCAN);
  await h.clock.advanceTo(0.5);
  assert.equal(h.device.streaming, undefined, 'no scan while in error');
  await h.send(Command.RESET);
  await h.send(Command.GET_HEALTH); // ignored: still booting
  await h.clock.advanceTo(1);
  const text = Buffer.from(h.received).toString('latin1');
  assert.match(text, /^RP LIDAR System\.\r\nFirmware Ver 1\.29/);
  assert.equal(h.responses.length, 0);
  await h.send(Command.GET_HEALTH);
  await h.clock.advanceTo(1.1);
  assert.deepEqual([...h.responses[0]!.payload], [0, 0, 0]);

  h.device.setHealth(HealthStatus.ERROR, 0x20, false);
  await h.send(Command.RESET);
  await h.clock.advanceTo(1.5);
  await h.send(Command.GET_HEALTH);
  await h.clock.advanceTo(1.6);
  assert.deepEqual([...h.responses[1]!.payload], [2, 0x20, 0]);
});

test('the motor follows DTR (A1), PWM (A2/A3 board), DTR without the board, rpm (S series)', async () => {
  const a1 = await host('A1M8');
  assert.equal(a1.device.rotationHz, 0, 'opening the port asserts DTR');
  await a1.port.setSignals({ dtr: false });
  assert.equal(a1.device.rotationHz, 5.5);

  const a2 = await host('A2M8');
  await a2.port.setSignals({ dtr: false });
  assert.equal(a2.device.rotationHz, 0, 'the PWM board ignores DTR');
  await a2.send(Command.SET_MOTOR_PWM, motorPwmPayload(330));
  await a2.clock.advanceTo(0.01);
  assert.equal(a2.device.rotationHz, 5);

  const bare = await host('A2M8', { pwmBoard: false });
  await bare.port.setSignals({ dtr: false });
  assert.equal(bare.device.rotationHz, 10);

  const s1 = await host('S1');
  await s1.send(Command.MOTOR_SPEED_CTRL, motorSpeedPayload(480));
  await s1.clock.advanceTo(0.01);
  assert.equal(s1.device.rotationHz, 8);
});

/** Starts `mode` on a spinning device and records 2 s of stream after the spin-up. */
async function stream(
  model: LidarModel,
  mode: 'standard' | 'legacy' | 'dense',
  opts: Partial<VirtualRplidarOptions>,
) {
  const h = await host(model, opts);
  await h.port.setSignals({ dtr: false });
  await h.send(Command.SET_MOTOR_PWM, motorPwmPayload(660));
  await h.send(Command.MOTOR_SPEED_CTRL, motorSpeedPayload(RPLIDAR_PROFILES[model].rotationHz * 60));
  if (mode === 'standard') await h.send(Command.SCAN);
  else
    await h.send(
      Command.EXPRESS_SCAN,
      expressScanPayload(mode === 'legacy' ? ExpressMode.LEGACY : ExpressMode.DENSE),
    );
  await h.clock.advanceTo(1);
  const bytesAt1 = h.received.length;
  const samplesAt1 = h.samples.length;
  await h.clock.advanceTo(3);
  return {
    ...h,
    bytesPerSecond: (h.received.length - bytesAt1) / 2,
    samplesPerSecond: (h.samples.length - samplesAt1) / 2,
  };
}

test('every model streams every mode at its sample rate, within its serial line rate', async () => {
  for (const model of LIDAR_MODELS) {
    const p = RPLIDAR_PROFILES[model];
    for (const [mode, rate] of [
      ['standard', p.standardRate],
      ['legacy', p.expressRate],
      ['dense', p.denseRate],
    ] as const) {
      const s = await stream(model, mode, {});
      const what = `${model} ${mode}`;
      assert.equal(s.device.streaming, mode);
      assert.ok(Math.abs(s.samplesPerSecond - rate) < rate * 0.03, `${what}: ${s.samplesPerSecond}/s`);
      assert.ok(
        s.bytesPerSecond < (p.baudRate / 10) * 0.95,
        `${what}: ${s.bytesPerSecond} B/s at ${p.baudRate}`,
      );
      // Delivered promptly: the line keeps up, so the last sample is less than 50 ms old.
      assert.ok(s.clock.now() - s.samples.at(-1)!.time < 0.05, what);
      const turns = s.samples.filter((x) => x.start && x.time > 1).length;
      assert.ok(Math.abs(turns / 2 - p.rotationHz) < 0.6, `${what}: ${turns} revolutions in 2 s`);
      assert.equal(s.parser.stats.badCapsules + s.parser.stats.droppedBytes, 0, what);
    }
  }
});

test('rangeAt is asked in the laser frame (REP-103) and noise, dropouts and limits apply', async () => {
  // Left half (θ > 0) at 1 m, right half at 4 m, nothing behind, a wall beyond range ahead-right.
  const rangeAt = (theta: number) =>
    Math.abs(theta) > 2.5 ? Infinity : theta > 0 ? 1 : theta < -0.3 && theta > -0.5 ? 30 : 4;
  const s = await stream('A2M8', 'standard', { rangeAt, rangeNoise: 0.005, dropoutRate: 0.05 });
  let left = 0;
  let right = 0;
  let none = 0;
  for (const x of s.samples) {
    // Vendor angles grow clockwise: 90° is the right side (θ = −π/2).
    const theta = (-x.angle * Math.PI) / 180 + (x.angle > 180 ? 2 * Math.PI : 0);
    if (Math.abs(theta) > 2.55 || (theta < -0.31 && theta > -0.49)) {
      assert.equal(x.distance, 0, `θ ${theta}`);
      continue;
    }
    const isLeft = theta > 0.05 && theta < 2.45;
    const isRight = theta < -0.05 && theta > -2.45 && !(theta < -0.25 && theta > -0.55);
    if (!isLeft && !isRight) continue; // near a boundary
    if (x.distance === 0) none++;
    else if (isLeft) {
      assert.ok(Math.abs(x.distance - 1000) < 30, `left ${x.distance}`);
      left++;
    } else {
      assert.ok(Math.abs(x.distance - 4000) < 30, `right ${x.distance}`);
      right++;
    }
  }
  assert.ok(left > 1000 && right > 1000);
  const dropouts = none / (left + right + none);
  assert.ok(dropouts > 0.03 && dropouts < 0.07, `dropout rate ${dropouts}`);
});

test('legacy capsules keep dθ within 0–3.875° (signed and unsigned decoders agree)', async () => {
  const s = await stream('A2M12', 'legacy', { rotationJitter: 0.02 });
  const bytes = Uint8Array.from(s.received.slice(7));
  let used = 0;
  for (let off = 0; off + 84 <= bytes.length; off += 84) {
    assert.equal(bytes[off]! & 0xf0, 0xa0);
    for (let c = 0; c < 16; c++) {
      const base = off + 4 + 5 * c;
      const d1 = (bytes[base + 4]! & 0xf) | ((bytes[base]! & 3) << 4);
      const d2 = (bytes[base + 4]! >> 4) | ((bytes[base + 2]! & 3) << 4);
      assert.ok(d1 <= 31 && d2 <= 31, `dθ ${d1}, ${d2}`);
      used += d1 + d2;
    }
  }
  assert.ok(used > 0, 'the bias is carried by dθ');
});

test('dense mode is EXPRESS_SCAN mode 2, as GET_LIDAR_CONF reports', async () => {
  const h = await host('A3');
  await h.send(Command.GET_LIDAR_CONF, lidarConfPayload(LidarConfKey.SCAN_MODE_COUNT));
  for (let id = 0; id < 3; id++) {
    await h.send(Command.GET_LIDAR_CONF, lidarConfPayload(LidarConfKey.SCAN_MODE_ANSWER_TYPE, id));
  }
  await h.send(Command.GET_LIDAR_CONF, lidarConfPayload(LidarConfKey.SCAN_MODE_US_PER_SAMPLE, 2));
  await h.clock.advanceTo(0.1);
  const data = h.responses.map((r) => [...r.payload.subarray(4)]);
  assert.deepEqual(data.slice(0, 4), [
    [3, 0],
    [AnswerType.MEASUREMENT],
    [AnswerType.CAPSULED],
    [AnswerType.DENSE_CAPSULED],
  ]);
  // 10 k samples/s: 100 µs × 256.
  assert.deepEqual(data[4], [0x00, 0x64, 0x00, 0x00]);
  await h.send(Command.EXPRESS_SCAN, expressScanPayload(ExpressMode.DENSE));
  await h.clock.advanceTo(0.2);
  assert.equal(h.device.streaming, 'dense');
});

test('same seed, same bytes; another seed, other bytes', async () => {
  const run = async (seed: number) =>
    (await stream('A1M8', 'legacy', { seed, rangeAt: (t) => 2 + t })).received;
  const a = await run(11);
  assert.deepEqual(a, await run(11));
  assert.notDeepEqual(a, await run(12));
});

test('a silent device ignores requests and sends nothing until it recovers', async () => {
  const s = await stream('A2M12', 'dense', {});
  s.device.setFailure('silent');
  await s.clock.advanceTo(3.1);
  const n = s.received.length;
  await s.send(Command.GET_INFO);
  await s.clock.advanceTo(4);
  assert.equal(s.received.length, n);
  s.device.setFailure('none');
  await s.clock.advanceTo(4.5);
  assert.ok(s.received.length > n + 5000, 'the stream resumes');
});
