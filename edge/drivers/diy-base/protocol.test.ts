import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeControllerMessage,
  decodeHostCommand,
  DiyErrorCode,
  DiyLineFramer,
  encodeErr,
  encodeHello,
  encodeOdo,
  encodeStopCommand,
  encodeVel,
  encodeVer,
  lineBytes,
  MAX_LINE_LENGTH,
} from './protocol.ts';

/** Feeds text to a framer; returns the bodies and the error codes. */
function frame(text: string | Uint8Array, framer = new DiyLineFramer()): { lines: string[]; bad: number[] } {
  const lines: string[] = [];
  const bad: number[] = [];
  framer.push(
    typeof text === 'string' ? lineBytes(text) : text,
    (l) => lines.push(l),
    (c) => bad.push(c),
  );
  return { lines, bad };
}

test('lines carry the XOR checksum of the body in upper-case hex (the examples in the spec)', () => {
  assert.equal(encodeVel(200, 200), '$VEL,200,200*5F\n');
  assert.equal(encodeVel(-150, 150), '$VEL,-150,150*72\n');
  assert.equal(encodeHello(), '$HELLO,1*5F\n');
  assert.equal(encodeStopCommand(), '$STOP*18\n');
  assert.equal(
    encodeVer({
      protocol: 1,
      firmware: 'swath-diy',
      maxSpeed: 500,
      emptyMv: 9900,
      fullMv: 12600,
      features: 15,
    }),
    '$VER,1,swath-diy,500,9900,12600,15*54\n',
  );
  assert.equal(
    encodeOdo({
      seq: 1234,
      left: 4294967000,
      right: 12,
      safety: 1,
      millivolts: 12150,
      milliamps: -850,
      flags: 0,
    }),
    '$ODO,1234,4294967000,12,1,12150,-850,0*4A\n',
  );
  assert.equal(encodeErr(DiyErrorCode.Frame), '$ERR,1,frame*09\n');
});

test('ODO, VER and ERR round-trip through the framer and the decoder', () => {
  const odo = {
    seq: 65535,
    left: 4294967295,
    right: 0,
    safety: 255,
    millivolts: 11999,
    milliamps: -32768,
    flags: 33,
  };
  const ver = { protocol: 1, firmware: 'fw-1.0', maxSpeed: 800, emptyMv: 9000, fullMv: 12600, features: 3 };
  const { lines, bad } = frame(encodeOdo(odo) + encodeVer(ver) + encodeErr(4));
  assert.deepEqual(bad, []);
  assert.deepEqual(lines.map(decodeControllerMessage), [
    { type: 'ODO', ...odo },
    { type: 'VER', ...ver },
    { type: 'ERR', code: 4, text: 'value' },
  ]);
});

test('host commands decode, and bad ones give the spec error codes', () => {
  assert.deepEqual(decodeHostCommand('VEL,-5000,5000'), { type: 'VEL', left: -5000, right: 5000 });
  assert.deepEqual(decodeHostCommand('HELLO,1'), { type: 'HELLO', protocol: 1 });
  assert.deepEqual(decodeHostCommand('STOP'), { type: 'STOP' });
  assert.deepEqual(decodeHostCommand('VEL,5001,0'), { type: 'error', code: DiyErrorCode.Value });
  assert.deepEqual(decodeHostCommand('VEL,1.5,0'), { type: 'error', code: DiyErrorCode.Value });
  assert.deepEqual(decodeHostCommand('VEL,+1,0'), { type: 'error', code: DiyErrorCode.Value });
  assert.deepEqual(decodeHostCommand('VEL,1'), { type: 'error', code: DiyErrorCode.Fields });
  assert.deepEqual(decodeHostCommand('STOP,1'), { type: 'error', code: DiyErrorCode.Fields });
  assert.deepEqual(decodeHostCommand('JUMP'), { type: 'error', code: DiyErrorCode.Unknown });
  assert.deepEqual(decodeControllerMessage('ODO,1,2,3'), { type: 'error', code: DiyErrorCode.Fields });
  assert.deepEqual(decodeControllerMessage('ODO,1,4294967296,3,0,0,0,0'), {
    type: 'error',
    code: DiyErrorCode.Value,
  });
});

test('bad checksums, missing checksums and over-long lines are rejected and counted', () => {
  const framer = new DiyLineFramer();
  const { lines, bad } = frame(
    '$VEL,200,200*5E\n' + // wrong checksum
      '$VEL,200,200\n' + // no checksum
      '$VEL,200,200*5G\n' + // not hex
      `$${'A'.repeat(MAX_LINE_LENGTH + 10)}*00\n` +
      '$VEL,200,200*5f\r\n', // lower-case hex and CRLF are fine
    framer,
  );
  assert.deepEqual(lines, ['VEL,200,200']);
  assert.deepEqual(bad, [DiyErrorCode.Frame, DiyErrorCode.Frame, DiyErrorCode.Frame, DiyErrorCode.TooLong]);
  assert.equal(framer.linesBad, 4);
  assert.equal(framer.linesOk, 1);
});

test('noise before a line is ignored and a $ inside a line restarts it', () => {
  const { lines, bad } = frame('bootloader v2\r\n$VEL,1$STOP*18\n');
  assert.deepEqual(lines, ['STOP']);
  assert.deepEqual(bad, []);
});

test('arbitrary bytes never throw, and every valid line after them is recovered', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 120 }), fc.integer({ min: -5000, max: 5000 })), {
        maxLength: 10,
      }),
      fc.integer({ min: 1, max: 40 }),
      (pieces, chunkSize) => {
        const parts: Uint8Array[] = [];
        const expected: string[] = [];
        for (const [garbage, v] of pieces) {
          parts.push(garbage, lineBytes(encodeVel(v, -v)));
          expected.push(`VEL,${v},${-v}`);
        }
        const stream = Buffer.concat(parts);
        const framer = new DiyLineFramer();
        const got: string[] = [];
        for (let i = 0; i < stream.length; i += chunkSize) {
          framer.push(
            stream.subarray(i, i + chunkSize),
            (l) => got.push(l),
            () => {},
          );
        }
        // Garbage could itself hold a valid line by chance; the real lines must all be there, in order.
        let k = 0;
        for (const l of got) if (k < expected.length && l === expected[k]) k++;
        assert.equal(k, expected.length, `recovered ${k} of ${expected.length}: ${JSON.stringify(got)}`);
      },
    ),
    { numRuns: 300 },
  );
});
