/**
 * Codec for the Swath DIY base line protocol, version 1 (pure). The specification is
 * firmware-config/diy-base-protocol.md; the constants and layouts here follow it field for field. Used by
 * the host driver and by the simulator's virtual controller. Nothing here throws on any input.
 */

export const DIY_PROTOCOL_VERSION = 1;
export const DIY_BAUD = 115200;
/** bytes from `$` to the last checksum digit */
export const MAX_LINE_LENGTH = 96;
/** s without a valid VEL/STOP before the controller stops the motors */
export const WATCHDOG_TIMEOUT = 0.3;
/** s between ODO reports */
export const REPORT_PERIOD = 0.02;
/** |mm/s| a VEL field may carry */
export const VEL_FIELD_LIMIT = 5000;

export const DiyErrorCode = { Frame: 1, Unknown: 2, Fields: 3, Value: 4, TooLong: 5, Version: 6 } as const;
export type DiyErrorCodeValue = (typeof DiyErrorCode)[keyof typeof DiyErrorCode];
export const DIY_ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'frame',
  2: 'unknown',
  3: 'fields',
  4: 'value',
  5: 'too long',
  6: 'version',
};

export const SafetyBit = {
  BumpLeft: 1,
  BumpRight: 2,
  CliffLeft: 4,
  CliffFrontLeft: 8,
  CliffFrontRight: 16,
  CliffRight: 32,
  WheelDropLeft: 64,
  WheelDropRight: 128,
} as const;

export const StatusFlag = {
  Watchdog: 1,
  Clamped: 2,
  MotorFault: 4,
  Charging: 8,
  Estop: 16,
  Booted: 32,
} as const;

export const Feature = { Current: 1, Cliffs: 2, WheelDrops: 4, ChargeDetect: 8 } as const;

export interface OdoReport {
  seq: number;
  /** unsigned 32-bit wrapping counters */
  left: number;
  right: number;
  safety: number;
  millivolts: number;
  milliamps: number;
  flags: number;
}

export interface VersionInfo {
  protocol: number;
  firmware: string;
  /** mm/s */
  maxSpeed: number;
  emptyMv: number;
  fullMv: number;
  features: number;
}

export type ControllerMessage =
  | ({ type: 'ODO' } & OdoReport)
  | ({ type: 'VER' } & VersionInfo)
  | { type: 'ERR'; code: number; text: string };

export type HostCommand =
  { type: 'HELLO'; protocol: number } | { type: 'VEL'; left: number; right: number } | { type: 'STOP' };

/** A line that framed correctly but whose content is not acceptable. */
export interface DecodeError {
  type: 'error';
  code: DiyErrorCodeValue;
}

/** XOR of the characters of a body. */
export function checksum(body: string): number {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i) & 0xff;
  return x;
}

/** `$BODY*HH\n` */
export function encodeLine(body: string): string {
  return `$${body}*${checksum(body).toString(16).toUpperCase().padStart(2, '0')}\n`;
}

const int = (v: number): string => String(Math.trunc(Number.isFinite(v) ? v : 0));
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
/** Text fields may not carry the framing characters. */
const text = (s: string, max: number): string => s.replace(/[^\x20-\x7e]|[,$*]/g, '_').slice(0, max);

export const encodeHello = (protocol = DIY_PROTOCOL_VERSION): string => encodeLine(`HELLO,${int(protocol)}`);
export const encodeVel = (leftMm: number, rightMm: number): string =>
  encodeLine(
    `VEL,${int(clamp(Math.round(leftMm), -VEL_FIELD_LIMIT, VEL_FIELD_LIMIT))},${int(clamp(Math.round(rightMm), -VEL_FIELD_LIMIT, VEL_FIELD_LIMIT))}`,
  );
export const encodeStopCommand = (): string => encodeLine('STOP');
export const encodeOdo = (r: OdoReport): string =>
  encodeLine(
    `ODO,${r.seq & 0xffff},${r.left >>> 0},${r.right >>> 0},${r.safety & 0xff},${int(clamp(r.millivolts, 0, 65535))},${int(clamp(r.milliamps, -32768, 32767))},${r.flags & 0xff}`,
  );
export const encodeVer = (v: VersionInfo): string =>
  encodeLine(
    `VER,${int(v.protocol)},${text(v.firmware, 24)},${int(v.maxSpeed)},${int(v.emptyMv)},${int(v.fullMv)},${v.features & 0xff}`,
  );
export const encodeErr = (code: number, message = DIY_ERROR_TEXT[code] ?? 'error'): string =>
  encodeLine(`ERR,${int(code)},${text(message, 40)}`);

const INTEGER = /^-?[0-9]{1,10}$/;

/** Parses an integer field within [lo, hi]; NaN if it is not one. */
function field(s: string | undefined, lo: number, hi: number): number {
  if (s === undefined || !INTEGER.test(s)) return Number.NaN;
  const v = Number(s);
  return v >= lo && v <= hi ? v : Number.NaN;
}

const error = (code: DiyErrorCodeValue): DecodeError => ({ type: 'error', code });

/** Decodes the body of a line the controller sent. */
export function decodeControllerMessage(body: string): ControllerMessage | DecodeError {
  const f = body.split(',');
  switch (f[0]) {
    case 'ODO': {
      if (f.length !== 8) return error(DiyErrorCode.Fields);
      const seq = field(f[1], 0, 65535);
      const left = field(f[2], 0, 4294967295);
      const right = field(f[3], 0, 4294967295);
      const safety = field(f[4], 0, 255);
      const millivolts = field(f[5], 0, 65535);
      const milliamps = field(f[6], -32768, 32767);
      const flags = field(f[7], 0, 255);
      if ([seq, left, right, safety, millivolts, milliamps, flags].some(Number.isNaN))
        return error(DiyErrorCode.Value);
      return { type: 'ODO', seq, left, right, safety, millivolts, milliamps, flags };
    }
    case 'VER': {
      if (f.length !== 7) return error(DiyErrorCode.Fields);
      const protocol = field(f[1], 0, 65535);
      const firmware = f[2]!;
      const maxSpeed = field(f[3], 1, VEL_FIELD_LIMIT);
      const emptyMv = field(f[4], 0, 65535);
      const fullMv = field(f[5], 0, 65535);
      const features = field(f[6], 0, 255);
      if ([protocol, maxSpeed, emptyMv, fullMv, features].some(Number.isNaN) || firmware.length === 0)
        return error(DiyErrorCode.Value);
      return { type: 'VER', protocol, firmware, maxSpeed, emptyMv, fullMv, features };
    }
    case 'ERR': {
      if (f.length !== 3) return error(DiyErrorCode.Fields);
      const code = field(f[1], 0, 255);
      if (Number.isNaN(code)) return error(DiyErrorCode.Value);
      return { type: 'ERR', code, text: f[2]! };
    }
    default:
      return error(DiyErrorCode.Unknown);
  }
}

/** Decodes the body of a line the host sent. */
export function decodeHostCommand(body: string): HostCommand | DecodeError {
  const f = body.split(',');
  switch (f[0]) {
    case 'HELLO': {
      if (f.length !== 2) return error(DiyErrorCode.Fields);
      const protocol = field(f[1], 0, 65535);
      return Number.isNaN(protocol) ? error(DiyErrorCode.Value) : { type: 'HELLO', protocol };
    }
    case 'VEL': {
      if (f.length !== 3) return error(DiyErrorCode.Fields);
      const left = field(f[1], -VEL_FIELD_LIMIT, VEL_FIELD_LIMIT);
      const right = field(f[2], -VEL_FIELD_LIMIT, VEL_FIELD_LIMIT);
      return Number.isNaN(left) || Number.isNaN(right)
        ? error(DiyErrorCode.Value)
        : { type: 'VEL', left, right };
    }
    case 'STOP':
      return f.length === 1 ? { type: 'STOP' } : error(DiyErrorCode.Fields);
    default:
      return error(DiyErrorCode.Unknown);
  }
}

const DOLLAR = 0x24;
const STAR = 0x2a;
const LF = 0x0a;
const CR = 0x0d;

const hexValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
};

/**
 * Assembles bytes into validated line bodies (section 1 of the spec). Bytes before a `$` are ignored; a
 * `$` inside a line restarts it; a line longer than MAX_LINE_LENGTH is discarded up to its end of line.
 * Calls onLine with the body of every valid line and onBad with the error code of every invalid one.
 */
export class DiyLineFramer {
  linesOk = 0;
  /** lines rejected for framing, checksum or length */
  linesBad = 0;
  private readonly line = new Uint8Array(MAX_LINE_LENGTH);
  private len = 0;
  private inLine = false;
  private overflow = false;

  push(chunk: Uint8Array, onLine: (body: string) => void, onBad: (code: DiyErrorCodeValue) => void): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === DOLLAR) {
        this.inLine = true;
        this.overflow = false;
        this.line[0] = b;
        this.len = 1;
        continue;
      }
      if (!this.inLine) continue;
      if (b === LF) {
        this.inLine = false;
        if (this.overflow) {
          this.linesBad++;
          onBad(DiyErrorCode.TooLong);
        } else {
          this.finish(onLine, onBad);
        }
        continue;
      }
      if (b === CR || this.overflow) continue;
      if (this.len >= MAX_LINE_LENGTH) {
        this.overflow = true;
        continue;
      }
      this.line[this.len++] = b;
    }
  }

  private finish(onLine: (body: string) => void, onBad: (code: DiyErrorCodeValue) => void): void {
    const n = this.len;
    const line = this.line;
    // `$`, at least one body byte, `*`, two hex digits.
    if (n < 5 || line[n - 3] !== STAR) return this.bad(onBad);
    const hi = hexValue(line[n - 2]!);
    const lo = hexValue(line[n - 1]!);
    if (hi < 0 || lo < 0) return this.bad(onBad);
    let x = 0;
    for (let i = 1; i < n - 3; i++) {
      const c = line[i]!;
      if (c < 0x20 || c > 0x7e || c === STAR) return this.bad(onBad);
      x ^= c;
    }
    if (x !== ((hi << 4) | lo)) return this.bad(onBad);
    this.linesOk++;
    onLine(String.fromCharCode(...line.subarray(1, n - 3)));
  }

  private bad(onBad: (code: DiyErrorCodeValue) => void): void {
    this.linesBad++;
    onBad(DiyErrorCode.Frame);
  }
}

/** Encodes a line to the bytes on the wire (the protocol is ASCII). */
export function lineBytes(line: string): Uint8Array {
  const out = new Uint8Array(line.length);
  for (let i = 0; i < line.length; i++) out[i] = line.charCodeAt(i) & 0x7f;
  return out;
}
