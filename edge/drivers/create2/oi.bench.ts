/**
 * Drive-base figures: Create 2 stream-frame parsing (the driver's 37-byte frames fed in 4 KiB chunks),
 * DIY ODO line parsing, simulated-body steps per second against a small box world, and how many seconds
 * of simulated time per wall second the Create 2 driver runs against its virtual robot on a VirtualClock.
 */
import type { Benchmark } from '../../../test/bench/registry.ts';
import { BaseConfigSchema } from '../../../shared/config.ts';
import { DiffDriveBody } from '../../sim/body.ts';
import { BoxWorld } from '../../sim/body-test-world.ts';
import { VirtualCreate2 } from '../../sim/devices/create2.ts';
import { Rng } from '../../sim/rng.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { VirtualSerialBus } from '../../sim/virtual-serial.ts';
import { decodeControllerMessage, DiyLineFramer, encodeOdo, lineBytes } from '../diy-base/protocol.ts';
import { Create2Driver, CREATE2_STREAM_IDS } from './driver.ts';
import { encodeStreamFrame, MAX_PACKET_ID, OiStreamParser, Packet } from './oi.ts';

function streamParse(): { framesPerSec: number; mbPerSec: number } {
  const values = new Int32Array(MAX_PACKET_ID + 1);
  const frames: Uint8Array[] = [];
  for (let k = 0; k < 1000; k++) {
    values[Packet.LeftEncoder] = (k * 37) & 0x7fff;
    values[Packet.Voltage] = 15000 + k;
    frames.push(encodeStreamFrame(CREATE2_STREAM_IDS, values));
  }
  const stream = Buffer.concat(frames);
  const parser = new OiStreamParser(CREATE2_STREAM_IDS);
  let sink = 0;
  const onFrame = (v: Int32Array) => (sink += v[Packet.Voltage]!);
  const rounds = 200;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < stream.length; i += 4096) parser.push(stream.subarray(i, i + 4096), onFrame);
  const seconds = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('no frames parsed');
  return {
    framesPerSec: (rounds * frames.length) / seconds,
    mbPerSec: (rounds * stream.length) / seconds / 1e6,
  };
}

function diyParse(): number {
  const text = Array.from({ length: 1000 }, (_, k) =>
    encodeOdo({
      seq: k,
      left: k * 977,
      right: 4294967295 - k,
      safety: 0,
      millivolts: 12000,
      milliamps: -800,
      flags: 0,
    }),
  ).join('');
  const bytes = lineBytes(text);
  const framer = new DiyLineFramer();
  let count = 0;
  const rounds = 50;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++)
    framer.push(
      bytes,
      (body) => {
        if (decodeControllerMessage(body).type === 'ODO') count++;
      },
      () => {},
    );
  return count / ((performance.now() - t0) / 1000);
}

function bodySteps(): number {
  const world = new BoxWorld();
  for (let i = 0; i < 8; i++)
    world.boxes.push({ id: `box-${i}`, x0: i - 4, y0: 2, x1: i - 3.8, y1: 2.2, height: 0.5 });
  const body = new DiffDriveBody({ world, rng: new Rng(1) });
  body.setWheelSpeeds(0.3, 0.25);
  const steps = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    body.step(0.01);
    if ((i & 15) === 0) body.lightBumperBits();
  }
  return steps / ((performance.now() - t0) / 1000);
}

async function simulatedDriving(): Promise<number> {
  const clock = new VirtualClock();
  const body = new DiffDriveBody({ world: new BoxWorld(), rng: new Rng(2) });
  const bus = new VirtualSerialBus(clock);
  bus.connect('/dev/create2', new VirtualCreate2(body));
  clock.setInterval(() => body.step(0.01), 0.01);
  const driver = new Create2Driver(
    BaseConfigSchema.parse({ type: 'create2', serial: { path: '/dev/create2' } }),
    bus.factory,
    clock,
  );
  const started = driver.start();
  await clock.advanceBy(0.5);
  await started;
  const simSeconds = 20;
  const t0 = performance.now();
  for (let t = 0; t < simSeconds; t += 1) {
    driver.drive(0.2, t % 4 < 2 ? 0.3 : -0.3);
    await clock.advanceBy(1);
  }
  const wall = (performance.now() - t0) / 1000;
  const stopped = driver.stop();
  await clock.advanceBy(0.2);
  await stopped;
  return simSeconds / wall;
}

const bench: Benchmark = {
  name: 'drive-base',
  async run() {
    const oi = streamParse();
    return {
      oiFramesPerSec: Math.round(oi.framesPerSec),
      oiParseMBps: Number(oi.mbPerSec.toFixed(1)),
      diyLinesPerSec: Math.round(diyParse()),
      bodyStepsPerSec: Math.round(bodySteps()),
      create2SimSecondsPerWallSecond: Number((await simulatedDriving()).toFixed(1)),
    };
  },
};

export default bench;
