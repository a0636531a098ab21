/**
 * iRobot Create 2 Open Interface codec (pure): opcode encoders, the sensor packet table, the stream-frame
 * parser the driver uses, and the encoders/command parser the virtual robot uses. Two-byte values are
 * big-endian; speeds are mm/s and lengths mm, as on the wire — the driver converts to SI.
 */

export const OI_BAUD = 115200;

export const Opcode = {
  Reset: 7,
  Start: 128,
  Safe: 131,
  Full: 132,
  Power: 133,
  Drive: 137,
  Sensors: 142,
  SeekDock: 143,
  DriveDirect: 145,
  DrivePwm: 146,
  Stream: 148,
  QueryList: 149,
  PauseResumeStream: 150,
  Stop: 173,
} as const;

/** OI mode as reported by packet 35. */
export const OiMode = { Off: 0, Passive: 1, Safe: 2, Full: 3 } as const;
export type OiModeValue = (typeof OiMode)[keyof typeof OiMode];

export const MAX_WHEEL_SPEED_MM = 500;
export const MAX_DRIVE_RADIUS_MM = 2000;
export const STREAM_HEADER = 19;
/** s between stream frames */
export const STREAM_PERIOD = 0.015;

export const Packet = {
  BumpsWheelDrops: 7,
  Wall: 8,
  CliffLeft: 9,
  CliffFrontLeft: 10,
  CliffFrontRight: 11,
  CliffRight: 12,
  ChargingState: 21,
  Voltage: 22,
  Current: 23,
  BatteryCharge: 25,
  BatteryCapacity: 26,
  OiMode: 35,
  LeftEncoder: 43,
  RightEncoder: 44,
  LightBumper: 45,
} as const;

/** Highest packet id the tables below can index. */
export const MAX_PACKET_ID = 58;

/** Bytes of each packet id (0 = not supported here). */
export const PACKET_SIZE = new Uint8Array(MAX_PACKET_ID + 1);
/** 1 where the packet is a signed (two's complement) value. */
export const PACKET_SIGNED = new Uint8Array(MAX_PACKET_ID + 1);
for (const [id, size, signed] of [
  [Packet.BumpsWheelDrops, 1, 0],
  [Packet.Wall, 1, 0],
  [Packet.CliffLeft, 1, 0],
  [Packet.CliffFrontLeft, 1, 0],
  [Packet.CliffFrontRight, 1, 0],
  [Packet.CliffRight, 1, 0],
  [Packet.ChargingState, 1, 0],
  [Packet.Voltage, 2, 0],
  [Packet.Current, 2, 1],
  [Packet.BatteryCharge, 2, 0],
  [Packet.BatteryCapacity, 2, 0],
  [Packet.OiMode, 1, 0],
  // The spec calls the encoder counts signed; they are free-running 16-bit counters either way.
  [Packet.LeftEncoder, 2, 1],
  [Packet.RightEncoder, 2, 1],
  [Packet.LightBumper, 1, 0],
] as const) {
  PACKET_SIZE[id] = size;
  PACKET_SIGNED[id] = signed;
}

/** Packet 7 bits. */
export const BumpBits = { BumpRight: 1, BumpLeft: 2, WheelDropRight: 4, WheelDropLeft: 8 } as const;

export const isSupportedPacket = (id: number): boolean =>
  Number.isInteger(id) && id >= 0 && id <= MAX_PACKET_ID && PACKET_SIZE[id]! > 0;

const clampInt = (v: number, lo: number, hi: number): number =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : 0;

const i16 = (v: number): [number, number] => [(v >> 8) & 0xff, v & 0xff];

export const encodeStart = (): Uint8Array => Uint8Array.of(Opcode.Start);
export const encodeSafe = (): Uint8Array => Uint8Array.of(Opcode.Safe);
export const encodeFull = (): Uint8Array => Uint8Array.of(Opcode.Full);
export const encodeStop = (): Uint8Array => Uint8Array.of(Opcode.Stop);
export const encodeReset = (): Uint8Array => Uint8Array.of(Opcode.Reset);
export const encodeSeekDock = (): Uint8Array => Uint8Array.of(Opcode.SeekDock);
export const encodePower = (): Uint8Array => Uint8Array.of(Opcode.Power);

/** Drive Direct: right then left wheel velocity, mm/s, each clamped to ±500. */
export function encodeDriveDirect(rightMm: number, leftMm: number): Uint8Array {
  const r = clampInt(rightMm, -MAX_WHEEL_SPEED_MM, MAX_WHEEL_SPEED_MM);
  const l = clampInt(leftMm, -MAX_WHEEL_SPEED_MM, MAX_WHEEL_SPEED_MM);
  return Uint8Array.of(Opcode.DriveDirect, ...i16(r), ...i16(l));
}

/** Special radius values of the Drive command. */
export const DriveRadius = { Straight: 0x8000, SpinCounterClockwise: 1, SpinClockwise: -1 } as const;

/**
 * Drive: velocity mm/s (clamped ±500) along a turn of `radius` mm (clamped ±2000, positive turns left), or
 * one of DriveRadius's special values.
 */
export function encodeDrive(velocityMm: number, radius: number): Uint8Array {
  const v = clampInt(velocityMm, -MAX_WHEEL_SPEED_MM, MAX_WHEEL_SPEED_MM);
  const r =
    radius === DriveRadius.Straight || radius === 0x7fff
      ? radius
      : clampInt(radius, -MAX_DRIVE_RADIUS_MM, MAX_DRIVE_RADIUS_MM);
  return Uint8Array.of(Opcode.Drive, ...i16(v), ...i16(r));
}

/** Stream: from now on, a frame with these packets every 15 ms. */
export function encodeStream(ids: readonly number[]): Uint8Array {
  return Uint8Array.of(Opcode.Stream, ids.length, ...ids);
}

export const encodePauseResumeStream = (resume: boolean): Uint8Array =>
  Uint8Array.of(Opcode.PauseResumeStream, resume ? 1 : 0);

export const encodeQueryList = (ids: readonly number[]): Uint8Array =>
  Uint8Array.of(Opcode.QueryList, ids.length, ...ids);

export const encodeSensors = (id: number): Uint8Array => Uint8Array.of(Opcode.Sensors, id);

/** Number of data bytes (id bytes excluded) the packets occupy. */
export function packetDataBytes(ids: readonly number[]): number {
  let n = 0;
  for (const id of ids) n += PACKET_SIZE[id] ?? 0;
  return n;
}

/** Writes packet values (indexed by id) big-endian at `offset`; returns the offset after the last byte. */
function writeValue(out: Uint8Array, offset: number, id: number, value: number): number {
  if (PACKET_SIZE[id] === 2) {
    out[offset] = (value >> 8) & 0xff;
    out[offset + 1] = value & 0xff;
    return offset + 2;
  }
  out[offset] = value & 0xff;
  return offset + 1;
}

/** The bytes a Sensors / Query List request is answered with: the packets' data in order, no framing. */
export function encodeSensorData(ids: readonly number[], values: Int32Array): Uint8Array {
  const out = new Uint8Array(packetDataBytes(ids));
  let o = 0;
  for (const id of ids) o = writeValue(out, o, id, values[id] ?? 0);
  return out;
}

/** A stream frame: 19, n, (id, data)…, checksum. */
export function encodeStreamFrame(ids: readonly number[], values: Int32Array): Uint8Array {
  const n = ids.length + packetDataBytes(ids);
  const out = new Uint8Array(n + 3);
  out[0] = STREAM_HEADER;
  out[1] = n;
  let o = 2;
  for (const id of ids) {
    out[o++] = id;
    o = writeValue(out, o, id, values[id] ?? 0);
  }
  let sum = 0;
  for (let i = 0; i < o; i++) sum += out[i]!;
  out[o] = (256 - (sum & 0xff)) & 0xff;
  return out;
}

/**
 * Streaming parser for the frames of one Stream request. Never throws on any input: it scans for the
 * header byte, checks n against the requested packet list, checks every id in place and the checksum.
 * A candidate that fails n or the ids was a data byte equal to 19 and is skipped silently; a frame whose
 * structure is right but whose checksum is wrong is dropped and counted. Every rejected candidate resumes
 * the scan one byte after its header, so a real frame overlapped by garbage is still found.
 */
export class OiStreamParser {
  /** Decoded values of the last good frame, indexed by packet id (reused between frames). */
  readonly values = new Int32Array(MAX_PACKET_ID + 1);
  framesOk = 0;
  /** frames dropped for a bad checksum */
  framesBad = 0;
  /** bytes skipped while looking for a header */
  bytesSkipped = 0;
  private readonly ids: Uint8Array;
  private readonly n: number;
  private buf = new Uint8Array(1024);
  private head = 0;
  private tail = 0;

  /** Throws (a programming error, not an input error) if an id is not in the packet table. */
  constructor(ids: readonly number[]) {
    for (const id of ids) if (!isSupportedPacket(id)) throw new RangeError(`unsupported OI packet id ${id}`);
    if (ids.length === 0) throw new RangeError('a stream needs at least one packet id');
    this.ids = Uint8Array.from(ids);
    this.n = ids.length + packetDataBytes(ids);
    if (this.n > 255) throw new RangeError('stream frame too long');
  }

  /** Appends bytes and calls onFrame (with `values`) for every good frame completed by them. */
  push(chunk: Uint8Array, onFrame: (values: Int32Array) => void): void {
    this.append(chunk);
    const buf = this.buf;
    const frameLen = this.n + 3;
    while (this.head < this.tail) {
      if (buf[this.head] !== STREAM_HEADER) {
        this.head++;
        this.bytesSkipped++;
        continue;
      }
      if (this.tail - this.head < 2) break;
      if (buf[this.head + 1] !== this.n) {
        this.head++;
        this.bytesSkipped++;
        continue;
      }
      if (this.tail - this.head < frameLen) break;
      if (!this.idsInPlace(this.head)) {
        this.head++;
        this.bytesSkipped++;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < frameLen; i++) sum += buf[this.head + i]!;
      if ((sum & 0xff) !== 0) {
        this.framesBad++;
        this.head++;
        this.bytesSkipped++;
        continue;
      }
      this.decode(this.head + 2);
      this.head += frameLen;
      this.framesOk++;
      onFrame(this.values);
    }
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Drops buffered bytes (after reconnecting). */
  reset(): void {
    this.head = this.tail = 0;
  }

  private idsInPlace(start: number): boolean {
    let o = start + 2;
    for (let k = 0; k < this.ids.length; k++) {
      const id = this.ids[k]!;
      if (this.buf[o] !== id) return false;
      o += 1 + PACKET_SIZE[id]!;
    }
    return true;
  }

  private decode(start: number): void {
    const buf = this.buf;
    let o = start;
    for (let k = 0; k < this.ids.length; k++) {
      const id = this.ids[k]!;
      o++;
      let v: number;
      if (PACKET_SIZE[id] === 2) {
        v = (buf[o]! << 8) | buf[o + 1]!;
        if (PACKET_SIGNED[id] && v >= 0x8000) v -= 0x10000;
        o += 2;
      } else {
        v = buf[o]!;
        if (PACKET_SIGNED[id] && v >= 0x80) v -= 0x100;
        o += 1;
      }
      this.values[id] = v;
    }
  }

  private append(chunk: Uint8Array): void {
    const pending = this.tail - this.head;
    if (this.tail + chunk.length > this.buf.length) {
      if (pending + chunk.length > this.buf.length) {
        const bigger = new Uint8Array(Math.max(this.buf.length * 2, pending + chunk.length));
        bigger.set(this.buf.subarray(this.head, this.tail));
        this.buf = bigger;
      } else {
        this.buf.copyWithin(0, this.head, this.tail);
      }
      this.head = 0;
      this.tail = pending;
    }
    this.buf.set(chunk, this.tail);
    this.tail += chunk.length;
  }
}

/** Data bytes following each opcode the virtual robot understands; -1 = a count byte then that many ids. */
const COMMAND_DATA = new Int16Array(256).fill(-2);
for (const [op, len] of [
  [Opcode.Reset, 0],
  [Opcode.Start, 0],
  [Opcode.Safe, 0],
  [Opcode.Full, 0],
  [Opcode.Power, 0],
  [Opcode.Drive, 4],
  [Opcode.Sensors, 1],
  [Opcode.SeekDock, 0],
  [Opcode.DriveDirect, 4],
  [Opcode.DrivePwm, 4],
  [Opcode.Stream, -1],
  [Opcode.QueryList, -1],
  [Opcode.PauseResumeStream, 1],
  [Opcode.Stop, 0],
] as const) {
  COMMAND_DATA[op] = len;
}

/**
 * Splits the host's byte stream into commands (used by the virtual robot). Unknown opcodes are skipped a
 * byte at a time, as the real robot ignores them. Never throws.
 */
export class OiCommandParser {
  unknownBytes = 0;
  private pending: number[] = [];

  push(chunk: Uint8Array, onCommand: (opcode: number, data: Uint8Array) => void): void {
    for (const b of chunk) this.pending.push(b);
    let i = 0;
    const p = this.pending;
    while (i < p.length) {
      const op = p[i]!;
      const fixed = COMMAND_DATA[op]!;
      if (fixed === -2) {
        this.unknownBytes++;
        i++;
        continue;
      }
      let len: number;
      if (fixed === -1) {
        if (i + 1 >= p.length) break;
        len = 1 + p[i + 1]!;
      } else {
        len = fixed;
      }
      if (i + 1 + len > p.length) break;
      onCommand(op, Uint8Array.from(p.slice(i + 1, i + 1 + len)));
      i += 1 + len;
    }
    this.pending = p.slice(i);
  }
}

/** Reads a big-endian signed 16-bit value. */
export const readI16 = (data: Uint8Array, offset: number): number => {
  const v = ((data[offset] ?? 0) << 8) | (data[offset + 1] ?? 0);
  return v >= 0x8000 ? v - 0x10000 : v;
};
