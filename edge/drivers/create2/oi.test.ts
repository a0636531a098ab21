import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CREATE2_STREAM_IDS } from './driver.ts';
import {
  DriveRadius,
  encodeDrive,
  encodeDriveDirect,
  encodePauseResumeStream,
  encodeQueryList,
  encodeSafe,
  encodeSensorData,
  encodeStart,
  encodeStream,
  encodeStreamFrame,
  MAX_PACKET_ID,
  OiCommandParser,
  OiStreamParser,
  Packet,
} from './oi.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');

test('opcode byte layouts are big-endian and clamped to ±500 mm/s', () => {
  assert.equal(hex(encodeDriveDirect(200, 200)), '91 00 C8 00 C8');
  assert.equal(hex(encodeDriveDirect(-200, 100)), '91 FF 38 00 64');
  assert.equal(hex(encodeDriveDirect(900, -900)), '91 01 F4 FE 0C');
  assert.equal(hex(encodeDrive(200, DriveRadius.Straight)), '89 00 C8 80 00');
  assert.equal(hex(encodeDrive(-200, 500)), '89 FF 38 01 F4');
  assert.equal(hex(encodeDrive(100, DriveRadius.SpinClockwise)), '89 00 64 FF FF');
  assert.equal(hex(encodeDrive(100, 5000)), '89 00 64 07 D0');
  assert.equal(hex(encodeStart()), '80');
  assert.equal(hex(encodeSafe()), '83');
  assert.equal(hex(encodeStream([7, 43, 44])), '94 03 07 2B 2C');
  assert.equal(hex(encodeQueryList([22, 23])), '95 02 16 17');
  assert.equal(hex(encodePauseResumeStream(false)), '96 00');
  assert.equal(hex(encodeDriveDirect(Number.NaN, 0)), '91 00 00 00 00');
});

/** A frame of the driver's packet list with values derived from k. */
function frame(k: number): { bytes: Uint8Array; left: number; voltage: number } {
  const values = new Int32Array(MAX_PACKET_ID + 1);
  values[Packet.BumpsWheelDrops] = k & 3;
  values[Packet.Voltage] = 14000 + k;
  values[Packet.Current] = -300 - k;
  values[Packet.LeftEncoder] = ((k * 977) & 0xffff) - 32768;
  values[Packet.RightEncoder] = -k;
  values[Packet.OiMode] = 2;
  return {
    bytes: encodeStreamFrame(CREATE2_STREAM_IDS, values),
    left: values[Packet.LeftEncoder]!,
    voltage: 14000 + k,
  };
}

test('a stream frame decodes with signed and unsigned two-byte values and a zero checksum sum', () => {
  const f = frame(5);
  assert.equal(f.bytes[0], 19);
  assert.equal(f.bytes[1], f.bytes.length - 3);
  assert.equal(f.bytes.reduce((a, b) => a + b, 0) & 0xff, 0);
  const parser = new OiStreamParser(CREATE2_STREAM_IDS);
  const seen: number[][] = [];
  parser.push(f.bytes, (v) =>
    seen.push([v[Packet.Voltage]!, v[Packet.Current]!, v[Packet.LeftEncoder]!, v[Packet.RightEncoder]!]),
  );
  assert.deepEqual(seen, [[14005, -305, f.left, -5]]);
});

test('frames split into single bytes decode the same', () => {
  const parser = new OiStreamParser(CREATE2_STREAM_IDS);
  const voltages: number[] = [];
  for (let k = 0; k < 3; k++)
    for (const b of frame(k).bytes) parser.push(Uint8Array.of(b), (v) => voltages.push(v[Packet.Voltage]!));
  assert.deepEqual(voltages, [14000, 14001, 14002]);
});

test('stream frames with a bad checksum are dropped and counted', () => {
  const parser = new OiStreamParser(CREATE2_STREAM_IDS);
  const voltages: number[] = [];
  for (let k = 0; k < 10; k++) {
    const f = frame(k).bytes;
    if (k % 3 === 0) f[f.length - 1] = (f[f.length - 1]! + 1) & 0xff;
    parser.push(f, (v) => voltages.push(v[Packet.Voltage]!));
  }
  assert.deepEqual(voltages, [14001, 14002, 14004, 14005, 14007, 14008]);
  assert.equal(parser.framesBad, 4);
  assert.equal(parser.framesOk, 6);
});

test('a header with the wrong length is skipped, not counted as a bad frame', () => {
  const parser = new OiStreamParser(CREATE2_STREAM_IDS);
  const voltages: number[] = [];
  parser.push(Uint8Array.of(19, 3, 7, 0, 8, 0, 0xde), (v) => voltages.push(v[Packet.Voltage]!));
  parser.push(frame(1).bytes, (v) => voltages.push(v[Packet.Voltage]!));
  assert.deepEqual(voltages, [14001]);
  assert.equal(parser.framesBad, 0);
});

test('arbitrary garbage between valid frames never throws and every frame is recovered', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 60 }), fc.integer({ min: 0, max: 1000 })), {
        maxLength: 12,
      }),
      fc.integer({ min: 1, max: 64 }),
      (pieces, chunkSize) => {
        const parts: Uint8Array[] = [];
        const expected: number[] = [];
        for (const [garbage, k] of pieces) {
          parts.push(garbage);
          const f = frame(k);
          parts.push(f.bytes);
          expected.push(f.voltage);
        }
        const stream = Buffer.concat(parts);
        const parser = new OiStreamParser(CREATE2_STREAM_IDS);
        const got: number[] = [];
        for (let i = 0; i < stream.length; i += chunkSize) {
          parser.push(stream.subarray(i, i + chunkSize), (v) => got.push(v[Packet.Voltage]!));
        }
        assert.deepEqual(got, expected);
      },
    ),
    { numRuns: 300 },
  );
});

test('the command parser splits fixed and counted commands and skips unknown bytes', () => {
  const parser = new OiCommandParser();
  const got: string[] = [];
  const bytes = Buffer.concat([
    encodeStart(),
    Uint8Array.of(0xfe),
    encodeStream([7, 43]),
    encodeDriveDirect(100, -100),
    encodeQueryList([22]),
  ]);
  // Split mid-command to check reassembly.
  parser.push(bytes.subarray(0, 4), (op, data) => got.push(`${op}:${hex(data)}`));
  parser.push(bytes.subarray(4), (op, data) => got.push(`${op}:${hex(data)}`));
  assert.deepEqual(got, ['128:', '148:02 07 2B', '145:00 64 FF 9C', '149:01 16']);
  assert.equal(parser.unknownBytes, 1);
});

test('sensor data for a query list is the packets in order without framing', () => {
  const values = new Int32Array(MAX_PACKET_ID + 1);
  values[Packet.Voltage] = 15000;
  values[Packet.Current] = -1;
  values[Packet.OiMode] = 1;
  assert.equal(hex(encodeSensorData([22, 23, 35], values)), '3A 98 FF FF 01');
});
