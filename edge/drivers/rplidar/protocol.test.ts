import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AnswerType,
  Command,
  MODEL_BYTES,
  accBoardFlagPayload,
  decodeAccBoardFlag,
  decodeDescriptor,
  decodeDeviceInfo,
  decodeHealth,
  decodeLidarConf,
  decodeSampleRate,
  encodeDescriptor,
  encodeDeviceInfo,
  encodeHealth,
  encodeRequest,
  encodeSampleRate,
  expectedDescriptor,
  expressScanPayload,
  isPlausibleDescriptor,
  lidarConfPayload,
  lidarModelFromByte,
  modelName,
  motorPwmPayload,
} from './protocol.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase().match(/../g)!.join(' ');

test('requests carry the XOR checksum from the protocol notes', () => {
  assert.equal(hex(encodeRequest(Command.EXPRESS_SCAN, expressScanPayload(0))), 'A5 82 05 00 00 00 00 00 22');
  assert.equal(hex(encodeRequest(Command.SET_MOTOR_PWM, motorPwmPayload(660))), 'A5 F0 02 94 02 C1');
  assert.equal(hex(encodeRequest(Command.SET_MOTOR_PWM, motorPwmPayload(0))), 'A5 F0 02 00 00 57');
  assert.equal(
    hex(encodeRequest(Command.GET_ACC_BOARD_FLAG, accBoardFlagPayload())),
    'A5 FF 04 00 00 00 00 5E',
  );
  assert.equal(hex(encodeRequest(Command.STOP)), 'A5 25');
  assert.equal(hex(encodeRequest(Command.GET_INFO)), 'A5 50');
  assert.equal(
    hex(encodeRequest(Command.GET_LIDAR_CONF, lidarConfPayload(0x75, 2))),
    'A5 84 06 75 00 00 00 02 00 50',
  );
  // Out-of-range PWM is clamped to the 0–1023 the firmware accepts.
  assert.equal(hex(motorPwmPayload(5000)), 'FF 03');
});

test('every request checksum makes the XOR of the whole frame zero', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0x80, max: 0xff }), fc.uint8Array({ maxLength: 40 }), (cmd, payload) => {
      const frame = encodeRequest(cmd, payload);
      assert.equal(frame.length, payload.length + 4);
      assert.equal(
        frame.reduce((a, b) => a ^ b, 0),
        0,
      );
    }),
  );
});

test('response descriptors match the table in the protocol notes', () => {
  const table: Array<[string, number]> = [
    ['A5 5A 05 00 00 40 81', AnswerType.MEASUREMENT],
    ['A5 5A 54 00 00 40 82', AnswerType.CAPSULED],
    ['A5 5A 84 00 00 40 84', AnswerType.ULTRA_CAPSULED],
    ['A5 5A 54 00 00 40 85', AnswerType.DENSE_CAPSULED],
    ['A5 5A 14 00 00 00 04', AnswerType.DEVICE_INFO],
    ['A5 5A 03 00 00 00 06', AnswerType.DEVICE_HEALTH],
    ['A5 5A 04 00 00 00 15', AnswerType.SAMPLE_RATE],
  ];
  for (const [bytes, type] of table) {
    const expected = expectedDescriptor(type)!;
    const encoded = encodeDescriptor({ ...expected, type });
    assert.equal(hex(encoded), bytes);
    const decoded = decodeDescriptor(Uint8Array.from(Buffer.from(bytes.replaceAll(' ', ''), 'hex')));
    assert.deepEqual(decoded, { ...expected, type });
    assert.ok(isPlausibleDescriptor(decoded!));
  }
});

test('descriptor decoding rejects wrong sync, short input and impossible send modes', () => {
  assert.equal(decodeDescriptor(Uint8Array.of(0xa5, 0x5a, 5, 0, 0)), undefined);
  assert.equal(decodeDescriptor(Uint8Array.of(0xa5, 0x5b, 5, 0, 0, 0x40, 0x81)), undefined);
  assert.equal(decodeDescriptor(Uint8Array.of(0xa5, 0x5a, 5, 0, 0, 0x80, 0x81)), undefined);
  assert.deepEqual(decodeDescriptor(Uint8Array.of(0, 0xa5, 0x5a, 3, 0, 0, 0, 6), 1), {
    length: 3,
    sendMode: 0,
    type: 6,
  });
  // A known type with the wrong length is line noise, not an answer.
  assert.equal(isPlausibleDescriptor({ length: 6, sendMode: 1, type: AnswerType.MEASUREMENT }), false);
  assert.equal(isPlausibleDescriptor({ length: 5000, sendMode: 0, type: 0x33 }), false);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0x3fffffff }),
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 0, max: 255 }),
      (length, sendMode, type) => {
        assert.deepEqual(decodeDescriptor(encodeDescriptor({ length, sendMode, type })), {
          length,
          sendMode,
          type,
        });
      },
    ),
  );
  fc.assert(
    fc.property(fc.uint8Array(), fc.integer({ min: -3, max: 20 }), (b, o) => void decodeDescriptor(b, o)),
  );
});

test('answers decode: device info, health, sample rate, board flag, LIDAR_CONF', () => {
  const serial = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  const info = decodeDeviceInfo(
    encodeDeviceInfo({ modelByte: 0x18, firmwareMajor: 1, firmwareMinor: 29, hardware: 7, serial }),
  )!;
  assert.equal(info.modelName, 'A1M8');
  assert.equal(info.model, 'A1M8');
  assert.equal(info.firmwareMajor, 1);
  assert.equal(info.firmwareMinor, 29);
  assert.equal(info.hardware, 7);
  assert.equal(info.serialNumber, '00112233445566778899AABBCCDDEEFF');
  assert.equal(decodeDeviceInfo(new Uint8Array(19)), undefined);

  assert.deepEqual(decodeHealth(encodeHealth({ status: 2, errorCode: 0x1234 })), {
    status: 2,
    errorCode: 0x1234,
  });
  assert.deepEqual(decodeHealth(Uint8Array.of(2, 0x34, 0x12)), { status: 2, errorCode: 0x1234 });
  assert.equal(decodeHealth(Uint8Array.of(0, 0)), undefined);

  assert.deepEqual(decodeSampleRate(Uint8Array.of(0xf4, 0x01, 0xfa, 0x00)), {
    standardUs: 500,
    expressUs: 250,
  });
  assert.deepEqual(decodeSampleRate(encodeSampleRate({ standardUs: 250, expressUs: 125 })), {
    standardUs: 250,
    expressUs: 125,
  });
  assert.equal(decodeSampleRate(Uint8Array.of(1, 2, 3)), undefined);

  assert.deepEqual(decodeAccBoardFlag(Uint8Array.of(1, 0, 0, 0)), { motorPwmSupported: true });
  assert.deepEqual(decodeAccBoardFlag(Uint8Array.of(0, 0, 0, 0)), { motorPwmSupported: false });
  assert.equal(decodeAccBoardFlag(Uint8Array.of(1)), undefined);

  const conf = decodeLidarConf(Uint8Array.of(0x75, 0, 0, 0, 0x85))!;
  assert.equal(conf.key, 0x75);
  assert.deepEqual([...conf.data], [0x85]);
});

test('model bytes name the model: high nibble family, low nibble sub-model', () => {
  assert.equal(modelName(0x18), 'A1M8');
  assert.equal(modelName(0x2c), 'A2M12');
  assert.equal(modelName(0x31), 'A3M1');
  assert.equal(modelName(0x61), 'S1M1');
  assert.equal(modelName(0x41), 'C1M1');
  assert.equal(modelName(0x00), 'unknown(0x00)');
  assert.equal(lidarModelFromByte(0x31), 'A3');
  assert.equal(lidarModelFromByte(0x71), 'S2');
  assert.equal(lidarModelFromByte(0x81), 'S3');
  assert.equal(lidarModelFromByte(0x19), undefined, 'an A1 sub-model Swath does not know');
  for (const [model, byte] of Object.entries(MODEL_BYTES)) assert.equal(lidarModelFromByte(byte), model);
});
