/**
 * Streaming decoder of everything an RPLIDAR sends: response descriptors, single answers, standard scan
 * nodes (0x81), legacy express capsules (0x82) and dense capsules (0x85). Fed arbitrary chunks; never
 * throws on any input. Samples leave through a callback as plain numbers (vendor convention: degrees
 * clockwise, millimetres), so the hot path allocates nothing.
 *
 * Resynchronisation: a frame candidate that fails validation costs one byte (the parser moves on to the
 * next byte, not past the candidate), so a frame right after garbage or a truncated frame is still found.
 * Capsules carry a checksum; a standard node after skipped bytes must be followed by another plausible
 * node header before it counts.
 */
import {
  AnswerType,
  CAPSULE_LENGTH,
  DESCRIPTOR_LENGTH,
  DESCRIPTOR_SYNC_1,
  DESCRIPTOR_SYNC_2,
  FULL_TURN_Q6,
  LEGACY_CABINS,
  NODE_LENGTH,
  SendMode,
  decodeDescriptor,
  isPlausibleDescriptor,
  type ResponseDescriptor,
} from './protocol.ts';

export interface RplidarParserHandlers {
  /**
   * One measurement. `angleDeg` in [0, 360) clockwise from the sensor's front, `distanceMm` 0 = no
   * return, `quality` 0–63, `startOfRevolution` true on the first sample of a new revolution.
   */
  onSample(angleDeg: number, distanceMm: number, quality: number, startOfRevolution: boolean): void;
  /** A single answer (info, health, sample rate, …). The payload is a copy the listener may keep. */
  onResponse?(descriptor: ResponseDescriptor, payload: Uint8Array): void;
  /** Every accepted descriptor, including the ones that start a measurement stream. */
  onDescriptor?(descriptor: ResponseDescriptor): void;
  /** A capsule carried the S bit: the device restarted its stream, so a partial revolution is stale. */
  onStreamRestart?(): void;
}

export interface RplidarParserStats {
  bytes: number;
  /** bytes discarded while looking for a descriptor, node or capsule boundary */
  droppedBytes: number;
  /** nodes that passed the sync checks but carried an impossible angle */
  badNodes: number;
  /** capsules with the right sync nibbles but a wrong checksum or impossible start angle */
  badCapsules: number;
  /** capsules not interpolated because the next one started implausibly far away */
  skippedCapsules: number;
  /** capsules with the S bit while history was held */
  streamRestarts: number;
  nodes: number;
  capsules: number;
  samples: number;
  /** bytes of a measurement stream Swath cannot decode (ultra capsules) */
  unsupportedBytes: number;
}

export interface RplidarParserOptions {
  /**
   * A capsule whose successor starts further away than this is not interpolated (a sample-rate or
   * encoder glitch). 120° is far beyond any real capsule: 40 samples at 2 k/s and 10 Hz span 72°.
   */
  maxCapsuleSpanDeg?: number;
}

/** What the parser expects next. */
export type ParserMode = 'descriptor' | 'payload' | 'standard' | 'legacy' | 'dense' | 'unsupported';

const MODE_DESCRIPTOR = 0;
const MODE_PAYLOAD = 1;
const MODE_STANDARD = 2;
const MODE_LEGACY = 3;
const MODE_DENSE = 4;
const MODE_UNSUPPORTED = 5;
const MODE_NAMES: readonly ParserMode[] = [
  'descriptor',
  'payload',
  'standard',
  'legacy',
  'dense',
  'unsupported',
];

const FULL_TURN_Q16 = 360 << 16;
const FULL_TURN_Q8 = 360 << 8;
/** Quality the SDK assigns to capsule samples with a return (capsules carry no quality). */
const CAPSULE_QUALITY = 47;

export class RplidarParser {
  readonly stats: RplidarParserStats = {
    bytes: 0,
    droppedBytes: 0,
    badNodes: 0,
    badCapsules: 0,
    skippedCapsules: 0,
    streamRestarts: 0,
    nodes: 0,
    capsules: 0,
    samples: 0,
    unsupportedBytes: 0,
  };

  private mode = MODE_DESCRIPTOR;
  private payloadDescriptor: ResponseDescriptor | undefined;
  /** Carried-over bytes of an incomplete frame live at work[0, pendingLength). */
  private work = new Uint8Array(4096);
  private pendingLength = 0;
  /** Bumped by reset(), so a reset from inside a callback stops the push in progress. */
  private generation = 0;
  private readonly previousCapsule = new Uint8Array(CAPSULE_LENGTH);
  private hasPrevious = false;
  private previousStartQ6 = 0;
  /** Interpolated raw angle (q16, mod 360°) of the last capsule sample, -1 after a history reset. */
  private lastRawQ16 = -1;
  /** True while standard nodes follow each other without a skipped byte (or right after a descriptor). */
  private nodesLocked = false;
  private readonly maxSpanQ8: number;

  constructor(
    private readonly handlers: RplidarParserHandlers,
    options: RplidarParserOptions = {},
  ) {
    this.maxSpanQ8 = Math.round((options.maxCapsuleSpanDeg ?? 120) * 256);
  }

  get currentMode(): ParserMode {
    return MODE_NAMES[this.mode]!;
  }

  /**
   * Forgets partial frames and capsule history. Without an argument the parser waits for a descriptor
   * (after a command); with a measurement answer type it decodes that stream directly.
   */
  reset(streamType?: number): void {
    this.generation++;
    this.pendingLength = 0;
    this.payloadDescriptor = undefined;
    this.clearHistory();
    this.mode = streamType === undefined ? MODE_DESCRIPTOR : streamModeFor(streamType);
    this.nodesLocked = false;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.stats.bytes += chunk.length;
    let buf: Uint8Array;
    let end: number;
    if (this.pendingLength === 0) {
      buf = chunk;
      end = chunk.length;
    } else {
      this.ensureCapacity(this.pendingLength + chunk.length);
      this.work.set(chunk, this.pendingLength);
      buf = this.work;
      end = this.pendingLength + chunk.length;
    }
    const generation = this.generation;
    let off = 0;
    for (;;) {
      const mode = this.mode;
      switch (mode) {
        case MODE_DESCRIPTOR:
          off = this.parseDescriptor(buf, off, end);
          break;
        case MODE_PAYLOAD:
          off = this.parsePayload(buf, off, end);
          break;
        case MODE_STANDARD:
          off = this.parseNodes(buf, off, end, generation);
          break;
        case MODE_LEGACY:
        case MODE_DENSE:
          off = this.parseCapsules(buf, off, end, generation);
          break;
        default:
          this.stats.unsupportedBytes += end - off;
          off = end;
      }
      if (generation !== this.generation) return;
      // A mode change (descriptor → stream, payload → descriptor) leaves bytes for the new mode.
      if (this.mode === mode || off >= end) break;
    }
    const rest = end - off;
    if (rest > 0) {
      if (buf === this.work) this.work.copyWithin(0, off, end);
      else {
        this.ensureCapacity(rest);
        this.work.set(buf.subarray(off, end), 0);
      }
    }
    this.pendingLength = rest;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.work.length) return;
    let size = this.work.length * 2;
    while (size < n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.work.subarray(0, this.pendingLength));
    this.work = grown;
  }

  private clearHistory(): void {
    this.hasPrevious = false;
    this.lastRawQ16 = -1;
  }

  private drop(n: number): void {
    this.stats.droppedBytes += n;
  }

  private parseDescriptor(buf: Uint8Array, off: number, end: number): number {
    while (off < end) {
      const sync = buf.indexOf(DESCRIPTOR_SYNC_1, off);
      const found = sync < 0 || sync >= end ? end : sync;
      this.drop(found - off);
      off = found;
      if (off >= end) return off;
      if (end - off < 2) return off;
      if (buf[off + 1] !== DESCRIPTOR_SYNC_2) {
        this.drop(1);
        off++;
        continue;
      }
      if (end - off < DESCRIPTOR_LENGTH) return off;
      const d = decodeDescriptor(buf, off);
      if (!d || !isPlausibleDescriptor(d)) {
        this.drop(1);
        off++;
        continue;
      }
      off += DESCRIPTOR_LENGTH;
      this.handlers.onDescriptor?.(d);
      if (d.sendMode === SendMode.MULTIPLE) {
        this.clearHistory();
        // The first node starts right after its descriptor.
        this.nodesLocked = true;
        this.mode = streamModeFor(d.type);
      } else if (d.length === 0) {
        this.handlers.onResponse?.(d, new Uint8Array(0));
      } else {
        this.payloadDescriptor = d;
        this.mode = MODE_PAYLOAD;
      }
      return off;
    }
    return off;
  }

  private parsePayload(buf: Uint8Array, off: number, end: number): number {
    const d = this.payloadDescriptor;
    if (!d) {
      this.mode = MODE_DESCRIPTOR;
      return off;
    }
    if (end - off < d.length) return off;
    const payload = buf.slice(off, off + d.length);
    this.payloadDescriptor = undefined;
    this.mode = MODE_DESCRIPTOR;
    this.handlers.onResponse?.(d, payload);
    return off + d.length;
  }

  private parseNodes(buf: Uint8Array, off: number, end: number, generation: number): number {
    const stats = this.stats;
    const handlers = this.handlers;
    while (end - off >= NODE_LENGTH) {
      const b0 = buf[off]!;
      // S and ¬S must differ, and byte 1 carries a check bit that is always 1.
      if (((b0 ^ (b0 >> 1)) & 1) === 0 || (buf[off + 1]! & 1) === 0) {
        stats.droppedBytes++;
        this.nodesLocked = false;
        off++;
        continue;
      }
      const angleQ6 = (buf[off + 1]! >> 1) | (buf[off + 2]! << 7);
      if (angleQ6 >= FULL_TURN_Q6) {
        stats.badNodes++;
        stats.droppedBytes++;
        this.nodesLocked = false;
        off++;
        continue;
      }
      if (!this.nodesLocked) {
        // Behind garbage a quarter of all byte pairs pass the checks above, so a node only counts if
        // another plausible node header follows it.
        if (end - off < NODE_LENGTH + 2) return off;
        const n0 = buf[off + NODE_LENGTH]!;
        if (((n0 ^ (n0 >> 1)) & 1) === 0 || (buf[off + NODE_LENGTH + 1]! & 1) === 0) {
          stats.droppedBytes++;
          off++;
          continue;
        }
        this.nodesLocked = true;
      }
      const distanceQ2 = buf[off + 3]! | (buf[off + 4]! << 8);
      off += NODE_LENGTH;
      stats.nodes++;
      stats.samples++;
      handlers.onSample(angleQ6 / 64, distanceQ2 / 4, b0 >> 2, (b0 & 1) === 1);
      if (generation !== this.generation) return off;
    }
    return off;
  }

  private parseCapsules(buf: Uint8Array, off: number, end: number, generation: number): number {
    const stats = this.stats;
    while (off < end) {
      const b0 = buf[off]!;
      if ((b0 & 0xf0) !== 0xa0) {
        stats.droppedBytes++;
        this.clearHistory();
        off++;
        continue;
      }
      if (end - off < 2) return off;
      const b1 = buf[off + 1]!;
      if ((b1 & 0xf0) !== 0x50) {
        stats.droppedBytes++;
        this.clearHistory();
        off++;
        continue;
      }
      if (end - off < CAPSULE_LENGTH) return off;
      let sum = 0;
      const stop = off + CAPSULE_LENGTH;
      for (let i = off + 2; i < stop; i++) sum ^= buf[i]!;
      const startRaw = buf[off + 2]! | (buf[off + 3]! << 8);
      const startQ6 = startRaw & 0x7fff;
      if (sum !== ((b0 & 0xf) | ((b1 & 0xf) << 4)) || startQ6 >= FULL_TURN_Q6) {
        stats.badCapsules++;
        stats.droppedBytes++;
        this.clearHistory();
        off++;
        continue;
      }
      if ((startRaw & 0x8000) !== 0) {
        if (this.hasPrevious) stats.streamRestarts++;
        this.clearHistory();
        this.handlers.onStreamRestart?.();
        if (generation !== this.generation) return stop;
      }
      stats.capsules++;
      if (this.hasPrevious) {
        if (this.mode === MODE_LEGACY) this.decodeLegacy(startQ6);
        else this.decodeDense(startQ6);
        if (generation !== this.generation) return stop;
      }
      this.previousCapsule.set(buf.subarray(off, stop));
      this.previousStartQ6 = startQ6;
      this.hasPrevious = true;
      off = stop;
    }
    return off;
  }

  /** ΔA from the previous capsule's start to `nextStartQ6` in q8 degrees, or -1 if implausible. */
  private spanQ8(nextStartQ6: number): number {
    let diffQ8 = (nextStartQ6 << 2) - (this.previousStartQ6 << 2);
    if (diffQ8 < 0) diffQ8 += FULL_TURN_Q8;
    if (diffQ8 > this.maxSpanQ8) {
      this.stats.skippedCapsules++;
      this.clearHistory();
      return -1;
    }
    return diffQ8;
  }

  /** Legacy capsule: 16 cabins of two samples, each angle = start + ΔA·k/32 − dθ (dθ unsigned q3). */
  private decodeLegacy(nextStartQ6: number): void {
    const diffQ8 = this.spanQ8(nextStartQ6);
    if (diffQ8 < 0) return;
    const p = this.previousCapsule;
    const incQ16 = diffQ8 << 3;
    let rawQ16 = this.previousStartQ6 << 10;
    for (let c = 0; c < LEGACY_CABINS; c++) {
      const base = 4 + 5 * c;
      const d1 = p[base]! | (p[base + 1]! << 8);
      const d2 = p[base + 2]! | (p[base + 3]! << 8);
      const offsets = p[base + 4]!;
      this.emitCapsuleSample(rawQ16, (offsets & 0xf) | ((d1 & 0x3) << 4), (d1 & 0xfffc) / 4, incQ16);
      rawQ16 += incQ16;
      this.emitCapsuleSample(rawQ16, (offsets >> 4) | ((d2 & 0x3) << 4), (d2 & 0xfffc) / 4, incQ16);
      rawQ16 += incQ16;
    }
  }

  /** Dense capsule: 40 distances in mm, angle = start + ΔA·k/40. */
  private decodeDense(nextStartQ6: number): void {
    const diffQ8 = this.spanQ8(nextStartQ6);
    if (diffQ8 < 0) return;
    const p = this.previousCapsule;
    const incQ16 = Math.floor((diffQ8 << 8) / 40);
    let rawQ16 = this.previousStartQ6 << 10;
    for (let k = 0; k < 40; k++) {
      const base = 4 + 2 * k;
      this.emitCapsuleSample(rawQ16, 0, p[base]! | (p[base + 1]! << 8), incQ16);
      rawQ16 += incQ16;
    }
  }

  private emitCapsuleSample(rawQ16: number, offsetQ3: number, distanceMm: number, incQ16: number): void {
    let wrapped = rawQ16;
    if (wrapped >= FULL_TURN_Q16) wrapped -= FULL_TURN_Q16;
    // A revolution starts where the interpolated angle wraps; right after a history reset, where the
    // first sample lies within one step of 0° (the SDK's rule).
    const start = this.lastRawQ16 < 0 ? wrapped < incQ16 : wrapped < this.lastRawQ16;
    this.lastRawQ16 = wrapped;
    let angleQ16 = wrapped - (offsetQ3 << 13);
    if (angleQ16 < 0) angleQ16 += FULL_TURN_Q16;
    this.stats.samples++;
    this.handlers.onSample(angleQ16 / 65536, distanceMm, distanceMm > 0 ? CAPSULE_QUALITY : 0, start);
  }
}

function streamModeFor(type: number): number {
  switch (type) {
    case AnswerType.MEASUREMENT:
      return MODE_STANDARD;
    case AnswerType.CAPSULED:
      return MODE_LEGACY;
    case AnswerType.DENSE_CAPSULED:
      return MODE_DENSE;
    default:
      return MODE_UNSUPPORTED;
  }
}
