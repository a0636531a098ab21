import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  LEGACY_ANGLE_BIAS_DEG,
  encodeDenseCapsule,
  encodeLegacyCapsule,
  encodeStandardNode,
  legacyAngleOffsetsQ3,
  toQ6,
} from '../../sim/devices/rplidar.ts';
import { RplidarParser } from './parser.ts';
import {
  AnswerType,
  encodeDescriptor,
  encodeDeviceInfo,
  encodeHealth,
  expectedDescriptor,
  type ResponseDescriptor,
} from './protocol.ts';

interface Sample {
  angle: number;
  distance: number;
  quality: number;
  start: boolean;
}

function collect() {
  const samples: Sample[] = [];
  const responses: Array<{ d: ResponseDescriptor; payload: number[] }> = [];
  const descriptors: ResponseDescriptor[] = [];
  let restarts = 0;
  const parser = new RplidarParser({
    onSample: (angle, distance, quality, start) => samples.push({ angle, distance, quality, start }),
    onResponse: (d, payload) => responses.push({ d, payload: [...payload] }),
    onDescriptor: (d) => descriptors.push(d),
    onStreamRestart: () => restarts++,
  });
  return { parser, samples, responses, descriptors, restarts: () => restarts };
}

const bytes = (...hex: string[]) => Uint8Array.from(Buffer.from(hex.join('').replaceAll(' ', ''), 'hex'));
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const streamDescriptor = (type: number) => encodeDescriptor({ ...expectedDescriptor(type)!, type });

/** Feeds `data` cut at the given (sorted, deduplicated) points. */
function feed(parser: RplidarParser, data: Uint8Array, cuts: number[] = []): void {
  let last = 0;
  for (const c of [...new Set(cuts.map((x) => x % (data.length + 1)))].sort((a, b) => a - b)) {
    parser.push(data.subarray(last, c));
    last = c;
  }
  parser.push(data.subarray(last));
}

test('the standard node BD 01 2D A0 0F decodes to 90°, 1000 mm, quality 47, start flag set', () => {
  const { parser, samples, descriptors } = collect();
  parser.push(bytes('A5 5A 05 00 00 40 81', 'BD 01 2D A0 0F'));
  assert.equal(descriptors[0]!.type, AnswerType.MEASUREMENT);
  assert.equal(parser.currentMode, 'standard');
  assert.deepEqual(samples, [{ angle: 90, distance: 1000, quality: 47, start: true }]);
  // The simulator's encoder produces exactly these bytes.
  const node = new Uint8Array(5);
  encodeStandardNode(node, 0, 90, 1000, 47, true);
  assert.deepEqual([...node], [0xbd, 0x01, 0x2d, 0xa0, 0x0f]);
});

test('standard nodes: invalid S/¬S, missing check bit and impossible angles are skipped', () => {
  const { parser, samples } = collect();
  const good = bytes('BD 01 2D A0 0F');
  const node2 = new Uint8Array(5);
  encodeStandardNode(node2, 0, 180.5, 2000.25, 30, false);
  // 0xBF: S = ¬S = 1; 0xBD 0x00: check bit clear; angle_q6 0x7FFF is 511°.
  const garbage = bytes('BF', 'BD 00', 'BD FF FF 00 00');
  feed(
    parser,
    concat([streamDescriptor(AnswerType.MEASUREMENT), good, node2, garbage, node2, good, good]),
    [9],
  );
  assert.equal(samples.length, 5);
  assert.deepEqual(samples[1], { angle: 180.5, distance: 2000.25, quality: 30, start: false });
  assert.deepEqual(samples[2], samples[1]);
  assert.equal(parser.stats.badNodes, 1);
  assert.equal(parser.stats.droppedBytes, garbage.length);
  assert.equal(parser.stats.nodes, 5);
});

test('behind skipped bytes a node counts only if another node header follows it', () => {
  const { parser, samples } = collect();
  parser.reset(AnswerType.MEASUREMENT);
  const good = bytes('BD 01 2D A0 0F');
  // B1 03 …: a plausible node (S set, check bit, 1.5°) followed by 00 00, which cannot start a node.
  feed(parser, concat([bytes('B1 03 00 00 00', '00 00'), good, good]));
  assert.equal(samples.length, 2);
  assert.ok(samples.every((s) => s.angle === 90));
  assert.equal(parser.stats.droppedBytes, 7);
  // Right after a descriptor the alignment is known: the first node needs no look-ahead.
  const fresh = collect();
  fresh.parser.push(concat([streamDescriptor(AnswerType.MEASUREMENT), good]));
  assert.equal(fresh.samples.length, 1);
});

test('single answers are found after garbage and across 1-byte chunks', () => {
  const { parser, responses, samples } = collect();
  const info = encodeDeviceInfo({
    modelByte: 0x2c,
    firmwareMajor: 1,
    firmwareMinor: 29,
    hardware: 6,
    serial: new Uint8Array(16).fill(0xa5),
  });
  const health = encodeHealth({ status: 2, errorCode: 7 });
  const stream = concat([
    new TextEncoder().encode('RP LIDAR System.\r\n'),
    bytes('A5 A5 5A FF'), // a false start
    encodeDescriptor({ length: 20, sendMode: 0, type: AnswerType.DEVICE_INFO }),
    info,
    encodeDescriptor({ length: 3, sendMode: 0, type: AnswerType.DEVICE_HEALTH }),
    health,
  ]);
  for (const b of stream) parser.push(Uint8Array.of(b));
  assert.equal(responses.length, 2);
  assert.equal(responses[0]!.d.type, AnswerType.DEVICE_INFO);
  assert.deepEqual(responses[0]!.payload, [...info]);
  assert.deepEqual(responses[1]!.payload, [2, 7, 0]);
  assert.equal(parser.currentMode, 'descriptor');
  assert.equal(parser.stats.droppedBytes, 18 + 4);
  assert.equal(samples.length, 0);
});

test('an ultra-capsule stream is recognised and not decoded', () => {
  const { parser, samples, descriptors } = collect();
  parser.push(concat([streamDescriptor(AnswerType.ULTRA_CAPSULED), new Uint8Array(300).fill(0xa5)]));
  assert.equal(descriptors[0]!.type, AnswerType.ULTRA_CAPSULED);
  assert.equal(parser.currentMode, 'unsupported');
  assert.equal(parser.stats.unsupportedBytes, 300);
  assert.equal(samples.length, 0);
});

/** Unwrapped angles (degrees) of `capsules × perCapsule + 1` samples at a rotation that drifts. */
function sweep(startDeg: number, stepDeg: number, count: number, wobble: number): number[] {
  const out: number[] = [];
  let a = startDeg;
  for (let i = 0; i < count; i++) {
    out.push(a);
    a += stepDeg * (1 + wobble * Math.sin(i / 50));
  }
  return out;
}

test('legacy capsules round-trip through the simulator encoder and the parser', () => {
  const perCapsule = 32;
  const capsules = 30;
  // 8 k samples/s at 10 Hz: 0.45° per sample; starting at 250° the stream wraps past 360° once.
  const angles = sweep(250, 0.45, capsules * perCapsule + 1, 0.01);
  const frames: Uint8Array[] = [];
  const offsets = new Uint8Array(32);
  const distances = angles.map((_, i) => (i % 7 === 0 ? 0 : 150 + ((i * 37) % 16000)));
  for (let c = 0; c < capsules; c++) {
    const a = angles.slice(c * perCapsule, c * perCapsule + perCapsule + 1);
    const startQ6 = toQ6(a[0]! + LEGACY_ANGLE_BIAS_DEG);
    const nextQ6 = toQ6(a[perCapsule]! + LEGACY_ANGLE_BIAS_DEG);
    legacyAngleOffsetsQ3(startQ6, nextQ6, a, offsets);
    for (const o of offsets) assert.ok(o <= 31, 'dθ within 0–3.875°');
    frames.push(encodeLegacyCapsule(startQ6, c === 0, distances.slice(c * perCapsule), offsets));
  }
  const { parser, samples, restarts } = collect();
  feed(parser, concat([streamDescriptor(AnswerType.CAPSULED), ...frames]), [3, 50, 51, 700, 1501]);
  // The last capsule waits for a successor.
  assert.equal(samples.length, (capsules - 1) * perCapsule);
  assert.equal(restarts(), 1);
  samples.forEach((s, i) => {
    const truth = ((angles[i]! % 360) + 360) % 360;
    let err = Math.abs(s.angle - truth);
    err = Math.min(err, 360 - err);
    // q6 start angles and q3 dθ: within 1/16° + 1/64°.
    assert.ok(err <= 0.08, `sample ${i}: ${s.angle} vs ${truth}`);
    assert.equal(s.distance, distances[i]);
    assert.equal(s.quality, distances[i]! > 0 ? 47 : 0);
  });
  // Exactly one new revolution: where the raw angle wrapped past 360°.
  assert.equal(samples.filter((s) => s.start).length, 1);
  assert.equal(parser.stats.badCapsules, 0);
  assert.equal(parser.stats.droppedBytes, 0);
});

test('dense capsules round-trip through the simulator encoder and the parser', () => {
  const perCapsule = 40;
  const capsules = 25;
  const angles = sweep(200, 0.9, capsules * perCapsule + 1, 0);
  const distances = angles.map((_, i) => (i % 11 === 0 ? 0 : 50 + ((i * 997) % 40000)));
  const frames = Array.from({ length: capsules }, (_, c) =>
    encodeDenseCapsule(toQ6(angles[c * perCapsule]!), false, distances.slice(c * perCapsule)),
  );
  const { parser, samples } = collect();
  parser.reset(AnswerType.DENSE_CAPSULED);
  feed(parser, concat(frames), [1, 2, 83, 84, 85, 1000]);
  assert.equal(samples.length, (capsules - 1) * perCapsule);
  samples.forEach((s, i) => {
    const truth = angles[i]! % 360;
    let err = Math.abs(s.angle - truth);
    err = Math.min(err, 360 - err);
    assert.ok(err <= 0.04, `sample ${i}: ${s.angle} vs ${truth}`);
    assert.equal(s.distance, distances[i]);
  });
  // 4 k samples/s at 10 Hz: 0.9° per sample; 200° + 959 × 0.9° crosses 360° twice.
  assert.equal(samples.filter((s) => s.start).length, 2);
});

test('capsules: bad checksum and the S bit reset the interpolation history', () => {
  const d = new Array(40).fill(1234);
  const c0 = encodeDenseCapsule(toQ6(10), false, d);
  const c1 = encodeDenseCapsule(toQ6(28), false, d);
  const c2 = encodeDenseCapsule(toQ6(46), false, d);
  const corrupt = c2.slice();
  corrupt[40]! ^= 0xff;
  const restart = encodeDenseCapsule(toQ6(64), true, d);
  const c4 = encodeDenseCapsule(toQ6(82), false, d);
  const { parser, samples, restarts } = collect();
  parser.reset(AnswerType.DENSE_CAPSULED);
  feed(parser, concat([c0, c1, corrupt, c2, c1, restart, c4]));
  // c0 decodes (by c1); the corrupt capsule cuts c1 off; c2 → c1 would span 342°, beyond the plausible
  // limit; the restart capsule drops c1 and decodes by c4. So only c0 and the restart decode.
  assert.equal(parser.stats.badCapsules, 1);
  assert.equal(restarts(), 1);
  assert.equal(parser.stats.skippedCapsules, 1);
  assert.equal(samples.length, 2 * 40);
  assert.ok(Math.abs(samples[0]!.angle - 10) < 0.02 && Math.abs(samples[40]!.angle - 64) < 0.02);
});

test('arbitrary bytes never throw, in any mode and any chunking', () => {
  const modes = [
    undefined,
    AnswerType.MEASUREMENT,
    AnswerType.CAPSULED,
    AnswerType.DENSE_CAPSULED,
    AnswerType.ULTRA_CAPSULED,
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...modes),
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (mode, data, cuts) => {
        const { parser } = collect();
        parser.reset(mode);
        feed(parser, data, cuts);
        const s = parser.stats;
        assert.ok(s.droppedBytes + s.unsupportedBytes <= s.bytes);
      },
    ),
  );
});

// ---------------------------------------------------------------------------------------------------------
// Resynchronisation: runs of intact frames separated by garbage.

/** Garbage that can never start a frame: S = ¬S for nodes, no 0xA? byte for capsules. */
const syncFree = (type: number) => (b: number) =>
  type === AnswerType.MEASUREMENT ? (b & 0xfc) | ((b & 1) * 3) : (b & 0xf0) === 0xa0 ? b ^ 0x10 : b;

interface Frame {
  bytes: Uint8Array;
  /** keys (see sampleKey) of the samples the frame decodes to, in order */
  signature: number[];
}

/** Nodes are told apart by angle and distance together; capsules by 32 or 40 distances in a row. */
const sampleKey = (type: number, s: Sample) =>
  type === AnswerType.MEASUREMENT ? Math.round(s.angle * 64) * 65536 + s.distance * 4 : s.distance;

/** Frames with unique signatures: node i → (angle, distance) pair; capsule j → its distances. */
function makeFrames(type: number, count: number, seedAngle: number): Frame[] {
  const frames: Frame[] = [];
  for (let j = 0; j < count; j++) {
    if (type === AnswerType.MEASUREMENT) {
      const b = new Uint8Array(5);
      const angle = toQ6(seedAngle + j * 7.3) / 64;
      encodeStandardNode(b, 0, angle, 1000 + j, 20, false);
      frames.push({
        bytes: b,
        signature: [sampleKey(type, { angle, distance: 1000 + j, quality: 20, start: false })],
      });
    } else {
      const perCapsule = type === AnswerType.CAPSULED ? 32 : 40;
      const distances = Array.from({ length: perCapsule }, (_, k) => 1000 + j * perCapsule + k);
      const startQ6 = toQ6(seedAngle + j * 15);
      const bytes =
        type === AnswerType.CAPSULED
          ? encodeLegacyCapsule(startQ6, false, distances, new Uint8Array(32).fill(9))
          : encodeDenseCapsule(startQ6, false, distances);
      frames.push({ bytes, signature: distances });
    }
  }
  return frames;
}

/** Indices of frames whose whole signature appears, in order, among consecutive decoded samples. */
function recovered(frames: Frame[], distances: number[]): Set<number> {
  const found = new Set<number>();
  const position = new Map<number, number[]>();
  distances.forEach((d, i) => position.set(d, [...(position.get(d) ?? []), i]));
  frames.forEach((f, j) => {
    for (const p of position.get(f.signature[0]!) ?? []) {
      if (f.signature.every((d, k) => distances[p + k] === d)) found.add(j);
    }
  });
  return found;
}

const streamTypes = [AnswerType.MEASUREMENT, AnswerType.CAPSULED, AnswerType.DENSE_CAPSULED];
const runsArb = fc.array(
  fc.record({
    garbage: fc.uint8Array({ maxLength: 120 }),
    /** a truncated frame (a cut capsule or node) before the run */
    truncate: fc.nat({ max: 83 }),
    length: fc.integer({ min: 2, max: 5 }),
  }),
  { minLength: 1, maxLength: 6 },
);

interface Run {
  garbage: Uint8Array;
  truncate: number;
  length: number;
}

/** Garbage, a truncated frame (unless clean), then `length` intact frames, for each run. */
function buildStream(type: number, runs: Run[], clean: boolean) {
  const parts: Uint8Array[] = [];
  const runFrames: number[][] = [];
  const all: Frame[] = [];
  const frames = makeFrames(
    type,
    runs.reduce((n, r) => n + r.length + 1, 0),
    33,
  );
  let next = 0;
  for (const run of runs) {
    const garbage = clean ? run.garbage.map(syncFree(type)) : run.garbage;
    parts.push(garbage);
    const cut = frames[next++]!;
    all.push(cut);
    if (!clean) parts.push(cut.bytes.subarray(0, run.truncate % cut.bytes.length));
    const ids: number[] = [];
    for (let k = 0; k < run.length; k++) {
      ids.push(all.length);
      all.push(frames[next]!);
      parts.push(frames[next++]!.bytes);
    }
    runFrames.push(ids);
  }
  return { data: concat(parts), runFrames, all };
}

test('every intact frame behind sync-free garbage is recovered', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...streamTypes),
      runsArb,
      fc.array(fc.nat(), { maxLength: 10 }),
      (type, runs, cuts) => {
        const { data, runFrames, all } = buildStream(type, runs, true);
        const { parser, samples } = collect();
        parser.reset(type);
        feed(parser, data, cuts);
        const found = recovered(
          all,
          samples.map((s) => sampleKey(type, s)),
        );
        for (const ids of runFrames) {
          // A capsule decodes when its successor arrives, so a run's last capsule stays pending.
          const decodable = type === AnswerType.MEASUREMENT ? ids : ids.slice(0, -1);
          for (const id of decodable) assert.ok(found.has(id), `frame ${id} of run ${ids.join(',')} lost`);
        }
        assert.equal(parser.stats.badCapsules, 0);
      },
    ),
  );
});

test('after garbage and truncated frames, every frame after the first recovered one in a run is recovered', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...streamTypes),
      runsArb,
      fc.array(fc.nat(), { maxLength: 10 }),
      (type, runs, cuts) => {
        const { data, runFrames, all } = buildStream(type, runs, false);
        const { parser, samples } = collect();
        parser.reset(type);
        feed(parser, data, cuts);
        const found = recovered(
          all,
          samples.map((s) => sampleKey(type, s)),
        );
        for (const ids of runFrames) {
          const decodable = type === AnswerType.MEASUREMENT ? ids : ids.slice(0, -1);
          const first = decodable.findIndex((id) => found.has(id));
          if (first < 0) continue;
          for (const id of decodable.slice(first))
            assert.ok(found.has(id), `frame ${id} of run ${ids.join(',')} lost`);
        }
      },
    ),
  );
});
