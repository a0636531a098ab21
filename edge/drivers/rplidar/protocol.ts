/**
 * The RPLIDAR serial protocol (A1/A2/A3/S/C series): request framing, response descriptors and the
 * fixed-size answers. Pure: bytes in, values out. Multi-byte fields are little-endian. Decoders return
 * undefined on short or malformed input instead of throwing, because they see raw device bytes.
 */
import type { LidarModel } from '../../../shared/config.ts';

export const REQUEST_SYNC = 0xa5;
export const DESCRIPTOR_SYNC_1 = 0xa5;
export const DESCRIPTOR_SYNC_2 = 0x5a;
export const DESCRIPTOR_LENGTH = 7;

export const Command = {
  STOP: 0x25,
  RESET: 0x40,
  SCAN: 0x20,
  FORCE_SCAN: 0x21,
  EXPRESS_SCAN: 0x82,
  GET_INFO: 0x50,
  GET_HEALTH: 0x52,
  GET_SAMPLERATE: 0x59,
  GET_LIDAR_CONF: 0x84,
  MOTOR_SPEED_CTRL: 0xa8,
  SET_MOTOR_PWM: 0xf0,
  GET_ACC_BOARD_FLAG: 0xff,
} as const;

export const AnswerType = {
  DEVICE_INFO: 0x04,
  DEVICE_HEALTH: 0x06,
  SAMPLE_RATE: 0x15,
  LIDAR_CONF: 0x20,
  MEASUREMENT: 0x81,
  CAPSULED: 0x82,
  ULTRA_CAPSULED: 0x84,
  DENSE_CAPSULED: 0x85,
  ULTRA_DENSE_CAPSULED: 0x86,
  ACC_BOARD_FLAG: 0xff,
} as const;

export const SendMode = { SINGLE: 0, MULTIPLE: 1 } as const;

export const HealthStatus = { GOOD: 0, WARNING: 1, ERROR: 2 } as const;

/** Bytes of one standard scan node (answer 0x81). */
export const NODE_LENGTH = 5;
/** Bytes of one legacy (0x82) or dense (0x85) express capsule. */
export const CAPSULE_LENGTH = 84;
export const LEGACY_CABINS = 16;
export const LEGACY_SAMPLES_PER_CAPSULE = 32;
export const DENSE_SAMPLES_PER_CAPSULE = 40;
/** 360° in the q6 fixed point the device uses for angles. */
export const FULL_TURN_Q6 = 360 << 6;

/**
 * EXPRESS_SCAN `mode` bytes. Mode 0 with all-zero flags/param is the legacy express request every A-series
 * firmware ≥ 1.17 understands (answer 0x82). Swath asks for dense capsules with mode 2, the id of the
 * "Boost" mode on A-series firmware that answers 0x85; the virtual RPLIDAR follows the same table.
 */
export const ExpressMode = { LEGACY: 0, EXPRESS: 1, DENSE: 2 } as const;

/** Largest single-answer payload accepted; anything larger in a descriptor is line noise. */
export const MAX_SINGLE_PAYLOAD = 1024;

/** `A5 cmd` or, for commands with bit 7 set, `A5 cmd size payload… checksum` (XOR of all preceding bytes). */
export function encodeRequest(cmd: number, payload?: Uint8Array): Uint8Array {
  if ((cmd & 0x80) === 0 && (payload === undefined || payload.length === 0)) {
    return Uint8Array.of(REQUEST_SYNC, cmd & 0xff);
  }
  const body = payload ?? new Uint8Array(0);
  const out = new Uint8Array(4 + body.length);
  out[0] = REQUEST_SYNC;
  out[1] = cmd & 0xff;
  out[2] = body.length & 0xff;
  out.set(body, 3);
  let sum = 0;
  for (let i = 0; i < out.length - 1; i++) sum ^= out[i]!;
  out[out.length - 1] = sum;
  return out;
}

export const expressScanPayload = (mode: number): Uint8Array => Uint8Array.of(mode & 0xff, 0, 0, 0, 0);
export const motorPwmPayload = (pwm: number): Uint8Array =>
  u16le(Math.max(0, Math.min(1023, Math.round(pwm))));
export const motorSpeedPayload = (rpm: number): Uint8Array =>
  u16le(Math.max(0, Math.min(65535, Math.round(rpm))));
export const accBoardFlagPayload = (): Uint8Array => new Uint8Array(4);

/** LIDAR_CONF keys. */
export const LidarConfKey = {
  SCAN_MODE_COUNT: 0x70,
  SCAN_MODE_US_PER_SAMPLE: 0x71,
  SCAN_MODE_MAX_DISTANCE: 0x74,
  SCAN_MODE_ANSWER_TYPE: 0x75,
  SCAN_MODE_TYPICAL: 0x7c,
  SCAN_MODE_NAME: 0x7f,
} as const;

export function lidarConfPayload(key: number, modeId?: number): Uint8Array {
  const out = new Uint8Array(modeId === undefined ? 4 : 6);
  const view = new DataView(out.buffer);
  view.setUint32(0, key >>> 0, true);
  if (modeId !== undefined) view.setUint16(4, modeId & 0xffff, true);
  return out;
}

export interface ResponseDescriptor {
  /** Bytes of one answer packet. */
  length: number;
  /** SendMode: 0 one packet, 1 packets repeat until STOP. */
  sendMode: number;
  type: number;
}

export function encodeDescriptor(d: ResponseDescriptor): Uint8Array {
  const out = new Uint8Array(DESCRIPTOR_LENGTH);
  out[0] = DESCRIPTOR_SYNC_1;
  out[1] = DESCRIPTOR_SYNC_2;
  const word = ((d.length & 0x3fffffff) | ((d.sendMode & 0x3) << 30)) >>> 0;
  out[2] = word & 0xff;
  out[3] = (word >>> 8) & 0xff;
  out[4] = (word >>> 16) & 0xff;
  out[5] = (word >>> 24) & 0xff;
  out[6] = d.type & 0xff;
  return out;
}

/** Reads the 7 bytes at `offset`; undefined if they are not a descriptor (wrong sync, short, bad mode). */
export function decodeDescriptor(bytes: Uint8Array, offset = 0): ResponseDescriptor | undefined {
  if (offset < 0 || bytes.length - offset < DESCRIPTOR_LENGTH) return undefined;
  if (bytes[offset] !== DESCRIPTOR_SYNC_1 || bytes[offset + 1] !== DESCRIPTOR_SYNC_2) return undefined;
  const word =
    (bytes[offset + 2]! |
      (bytes[offset + 3]! << 8) |
      (bytes[offset + 4]! << 16) |
      (bytes[offset + 5]! << 24)) >>>
    0;
  const sendMode = word >>> 30;
  if (sendMode > SendMode.MULTIPLE) return undefined;
  return { length: word & 0x3fffffff, sendMode, type: bytes[offset + 6]! };
}

/**
 * The (length, send mode) a well-formed descriptor of a known answer type carries; undefined for types
 * whose length varies (LIDAR_CONF) or that Swath does not know.
 */
export function expectedDescriptor(type: number): { length: number; sendMode: number } | undefined {
  switch (type) {
    case AnswerType.DEVICE_INFO:
      return { length: 20, sendMode: SendMode.SINGLE };
    case AnswerType.DEVICE_HEALTH:
      return { length: 3, sendMode: SendMode.SINGLE };
    case AnswerType.SAMPLE_RATE:
      return { length: 4, sendMode: SendMode.SINGLE };
    case AnswerType.ACC_BOARD_FLAG:
      return { length: 4, sendMode: SendMode.SINGLE };
    case AnswerType.MEASUREMENT:
      return { length: NODE_LENGTH, sendMode: SendMode.MULTIPLE };
    case AnswerType.CAPSULED:
    case AnswerType.DENSE_CAPSULED:
      return { length: CAPSULE_LENGTH, sendMode: SendMode.MULTIPLE };
    case AnswerType.ULTRA_CAPSULED:
      return { length: 132, sendMode: SendMode.MULTIPLE };
    case AnswerType.ULTRA_DENSE_CAPSULED:
      return { length: 170, sendMode: SendMode.MULTIPLE };
    default:
      return undefined;
  }
}

/** Whether a decoded descriptor is plausible: known types must match exactly, others must be small. */
export function isPlausibleDescriptor(d: ResponseDescriptor): boolean {
  const expected = expectedDescriptor(d.type);
  if (expected) return expected.length === d.length && expected.sendMode === d.sendMode;
  return d.length <= MAX_SINGLE_PAYLOAD;
}

// ---------------------------------------------------------------------------------------------------------
// Models

const A_FAMILY_MODELS: Readonly<Record<string, LidarModel>> = {
  A1M8: 'A1M8',
  A2M8: 'A2M8',
  A2M7: 'A2M7',
  A2M12: 'A2M12',
};

/** Model byte the firmware reports for each configurable model (A3 is the A3M1). */
export const MODEL_BYTES: Readonly<Record<LidarModel, number>> = {
  A1M8: 0x18,
  A2M8: 0x28,
  A2M7: 0x27,
  A2M12: 0x2c,
  A3: 0x31,
  S1: 0x61,
  S2: 0x71,
  S3: 0x81,
  C1: 0x41,
};

/** Human name of a model byte: high nibble family, low nibble sub-model (0x18 → "A1M8"). */
export function modelName(byte: number): string {
  const family = (byte >> 4) & 0xf;
  const sub = byte & 0xf;
  if (family >= 1 && family <= 3) return `A${family}M${sub}`;
  if (family === 4) return `C1M${sub}`;
  if (family >= 6 && family <= 8) return `S${family - 5}M${sub}`;
  return `unknown(0x${byte.toString(16).padStart(2, '0')})`;
}

/** The config model a model byte corresponds to, if Swath knows it. */
export function lidarModelFromByte(byte: number): LidarModel | undefined {
  const family = (byte >> 4) & 0xf;
  const name = modelName(byte);
  if (A_FAMILY_MODELS[name]) return A_FAMILY_MODELS[name];
  switch (family) {
    case 3:
      return 'A3';
    case 4:
      return 'C1';
    case 6:
      return 'S1';
    case 7:
      return 'S2';
    case 8:
      return 'S3';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Answers

export interface DeviceInfo {
  modelByte: number;
  modelName: string;
  model: LidarModel | undefined;
  firmwareMajor: number;
  firmwareMinor: number;
  hardware: number;
  /** 16 bytes as 32 upper-case hex digits */
  serialNumber: string;
}

export function decodeDeviceInfo(p: Uint8Array): DeviceInfo | undefined {
  if (p.length < 20) return undefined;
  let serial = '';
  for (let i = 4; i < 20; i++) serial += p[i]!.toString(16).padStart(2, '0').toUpperCase();
  return {
    modelByte: p[0]!,
    modelName: modelName(p[0]!),
    model: lidarModelFromByte(p[0]!),
    firmwareMinor: p[1]!,
    firmwareMajor: p[2]!,
    hardware: p[3]!,
    serialNumber: serial,
  };
}

export function encodeDeviceInfo(info: {
  modelByte: number;
  firmwareMajor: number;
  firmwareMinor: number;
  hardware: number;
  serial: Uint8Array;
}): Uint8Array {
  const out = new Uint8Array(20);
  out[0] = info.modelByte;
  out[1] = info.firmwareMinor;
  out[2] = info.firmwareMajor;
  out[3] = info.hardware;
  out.set(info.serial.subarray(0, 16), 4);
  return out;
}

export interface DeviceHealth {
  /** HealthStatus: 0 good, 1 warning, 2 error */
  status: number;
  errorCode: number;
}

export function decodeHealth(p: Uint8Array): DeviceHealth | undefined {
  if (p.length < 3) return undefined;
  return { status: p[0]!, errorCode: p[1]! | (p[2]! << 8) };
}

export const encodeHealth = (h: DeviceHealth): Uint8Array =>
  Uint8Array.of(h.status & 0xff, h.errorCode & 0xff, (h.errorCode >> 8) & 0xff);

export interface SampleRate {
  /** µs per sample in standard scan */
  standardUs: number;
  /** µs per sample in legacy express scan */
  expressUs: number;
}

export function decodeSampleRate(p: Uint8Array): SampleRate | undefined {
  if (p.length < 4) return undefined;
  return { standardUs: p[0]! | (p[1]! << 8), expressUs: p[2]! | (p[3]! << 8) };
}

export const encodeSampleRate = (r: SampleRate): Uint8Array =>
  Uint8Array.of(
    r.standardUs & 0xff,
    (r.standardUs >> 8) & 0xff,
    r.expressUs & 0xff,
    (r.expressUs >> 8) & 0xff,
  );

/** GET_ACC_BOARD_FLAG: bit 0 set when the adapter board controls the motor by PWM. */
export function decodeAccBoardFlag(p: Uint8Array): { motorPwmSupported: boolean } | undefined {
  if (p.length < 4) return undefined;
  return { motorPwmSupported: (p[0]! & 1) === 1 };
}

/** LIDAR_CONF answer: echoed key then the value bytes. */
export function decodeLidarConf(p: Uint8Array): { key: number; data: Uint8Array } | undefined {
  if (p.length < 4) return undefined;
  const key = (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0;
  return { key, data: p.subarray(4) };
}

function u16le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >> 8) & 0xff);
}
