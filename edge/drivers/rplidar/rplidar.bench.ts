/**
 * RPLIDAR figures: parser throughput on dense capsules (parseMBps), standard nodes (parseMBpsStandard) and
 * legacy capsules (parseMBpsLegacy), fed in 4 KiB chunks as a serial port delivers them; and how many
 * seconds of simulated time per wall second the driver runs against the virtual A2M12 in dense mode.
 */
import type { Benchmark } from '../../../test/bench/registry.ts';
import { LidarConfigSchema } from '../../../shared/config.ts';
import {
  encodeDenseCapsule,
  encodeLegacyCapsule,
  encodeStandardNode,
  toQ6,
  VirtualRplidar,
} from '../../sim/devices/rplidar.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { VirtualSerialPort } from '../../sim/virtual-serial.ts';
import { RplidarDriver } from './driver.ts';
import { RplidarParser } from './parser.ts';
import { AnswerType } from './protocol.ts';

const CHUNK = 4096;
const TARGET_BYTES = 200e6;

function denseStream(capsules: number): Uint8Array {
  const out = new Uint8Array(capsules * 84);
  const distances = new Float64Array(40);
  for (let c = 0; c < capsules; c++) {
    for (let k = 0; k < 40; k++) distances[k] = 500 + ((c * 40 + k) % 7000);
    out.set(encodeDenseCapsule(toQ6(c * 18), c === 0, distances), c * 84);
  }
  return out;
}

function legacyStream(capsules: number): Uint8Array {
  const out = new Uint8Array(capsules * 84);
  const distances = new Float64Array(32);
  const offsets = new Uint8Array(32).fill(16);
  for (let c = 0; c < capsules; c++) {
    for (let k = 0; k < 32; k++) distances[k] = 500 + ((c * 32 + k) % 7000);
    out.set(encodeLegacyCapsule(toQ6(c * 14.4), c === 0, distances, offsets), c * 84);
  }
  return out;
}

function standardStream(nodes: number): Uint8Array {
  const out = new Uint8Array(nodes * 5);
  for (let i = 0; i < nodes; i++)
    encodeStandardNode(out, i * 5, (i % 800) * 0.45, 500 + (i % 7000), 40, i % 800 === 0);
  return out;
}

/** MB/s of `stream` through a parser in `type` stream mode, and samples per second. */
function parse(type: number, stream: Uint8Array): { mbps: number; samplesPerSec: number } {
  let sink = 0;
  const parser = new RplidarParser({
    onSample: (angle, distance) => {
      sink += angle + distance;
    },
  });
  parser.reset(type);
  const rounds = Math.max(1, Math.round(TARGET_BYTES / 4 / stream.length));
  // Warm-up so the JIT has compiled the hot loop.
  for (let i = 0; i < stream.length; i += CHUNK) parser.push(stream.subarray(i, i + CHUNK));
  const before = parser.stats.samples;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < stream.length; i += CHUNK) parser.push(stream.subarray(i, i + CHUNK));
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!(sink > 0)) throw new Error('no samples decoded');
  return {
    mbps: (rounds * stream.length) / seconds / 1e6,
    samplesPerSec: (parser.stats.samples - before) / seconds,
  };
}

async function simSpeed(): Promise<{ simSecondsPerSecond: number; scans: number }> {
  const clock = new VirtualClock();
  const device = new VirtualRplidar({ model: 'A2M12', rangeAt: (a) => 3 + Math.sin(a * 4), seed: 1 });
  const port = new VirtualSerialPort('/dev/rplidar', device, clock);
  const config = LidarConfigSchema.parse({
    model: 'A2M12',
    scanMode: 'dense',
    serial: { path: '/dev/rplidar', baudRate: 256000 },
  });
  const driver = new RplidarDriver(config, port, clock);
  let scans = 0;
  driver.onScan(() => scans++);
  const started = driver.start();
  const simulated = 30;
  const t0 = performance.now();
  await clock.advanceTo(simulated);
  await started;
  const seconds = (performance.now() - t0) / 1000;
  const stopping = driver.stop();
  await clock.advanceBy(1);
  await stopping;
  if (scans < simulated * 5) throw new Error(`only ${scans} scans in ${simulated} s`);
  return { simSecondsPerSecond: simulated / seconds, scans };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const bench: Benchmark = {
  name: 'rplidar',
  async run() {
    const dense = parse(AnswerType.DENSE_CAPSULED, denseStream(12000));
    const legacy = parse(AnswerType.CAPSULED, legacyStream(12000));
    const standard = parse(AnswerType.MEASUREMENT, standardStream(200000));
    const sim = await simSpeed();
    return {
      parseMBps: round(dense.mbps),
      parseMSamplesPerSec: round(dense.samplesPerSec / 1e6, 2),
      parseMBpsLegacy: round(legacy.mbps),
      parseMBpsStandard: round(standard.mbps),
      parseMSamplesPerSecStandard: round(standard.samplesPerSec / 1e6, 2),
      simSecondsPerSecond: round(sim.simSecondsPerSecond),
    };
  },
};

export default bench;
