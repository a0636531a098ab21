/**
 * Raw I420 (YUV 4:2:0 planar) frames as `rpicam-vid --codec yuv420` writes them: a Y plane of
 * stride × height bytes, then U and V planes of (stride / 2) × ⌈height / 2⌉ bytes each, the stride padded to
 * a multiple of 64 bytes. Colours are limited range (Y 16–235, U/V 16–240); rpicam-apps picks BT.709 for
 * streams 1280 wide or 720 high and larger, BT.601 (SMPTE 170M) below. Pure codecs, no I/O.
 */

export type YuvMatrix = 'bt601' | 'bt709';

export interface I420Layout {
  width: number;
  height: number;
  /** bytes per Y row (width padded to a multiple of 64) */
  stride: number;
  /** bytes per U or V row */
  chromaStride: number;
  chromaHeight: number;
  /** offsets of the U and V planes */
  uOffset: number;
  vOffset: number;
  frameBytes: number;
}

/** The frame layout rpicam-vid uses for a width × height stream. */
export function i420Layout(width: number, height: number, strideAlign = 64): I420Layout {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2)
    throw new RangeError(`I420 frame size must be whole pixels ≥ 2, got ${width}×${height}`);
  const stride = Math.ceil(width / strideAlign) * strideAlign;
  const chromaStride = stride / 2;
  const chromaHeight = Math.ceil(height / 2);
  const uOffset = stride * height;
  const vOffset = uOffset + chromaStride * chromaHeight;
  return {
    width,
    height,
    stride,
    chromaStride,
    chromaHeight,
    uOffset,
    vOffset,
    frameBytes: vOffset + chromaStride * chromaHeight,
  };
}

/** The matrix rpicam-apps configures for a video stream of this size. */
export function rpicamMatrix(width: number, height: number): YuvMatrix {
  return width >= 1280 || height >= 720 ? 'bt709' : 'bt601';
}

/** One complete frame; `data` is reused: valid until the splitter's next take(). */
export interface I420Frame {
  data: Uint8Array;
  layout: I420Layout;
  /** frames completed since the splitter was created, from 1 */
  seq: number;
  /** time the last byte arrived (as passed to push), s */
  t: number;
}

/**
 * Cuts a raw I420 byte stream into frames. Keeps only the newest complete frame: a frame completed while
 * the previous one was not yet taken replaces it and counts as dropped. Never throws on any input.
 */
export class I420FrameSplitter {
  readonly layout: I420Layout;
  /** complete frames seen */
  frames = 0;
  /** complete frames replaced before anyone took them */
  dropped = 0;
  /** partial frames thrown away when the stream ended mid-frame */
  partial = 0;
  // Triple buffering: bytes go into `writing`; a complete frame waits in `ready`; `lent` is what the
  // last take() returned, untouched until the next take().
  private writing: Uint8Array;
  private ready: Uint8Array;
  private lent: Uint8Array;
  private fill = 0;
  private readyFull = false;
  private readySeq = 0;
  private readyT = 0;

  constructor(width: number, height: number) {
    this.layout = i420Layout(width, height);
    const n = this.layout.frameBytes;
    this.writing = new Uint8Array(n);
    this.ready = new Uint8Array(n);
    this.lent = new Uint8Array(n);
  }

  /** Bytes of the frame being assembled. */
  get pendingBytes(): number {
    return this.fill;
  }

  /** Adds bytes that arrived at time t; returns how many frames they completed. */
  push(chunk: Uint8Array, t: number): number {
    const n = this.layout.frameBytes;
    let completed = 0;
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(n - this.fill, chunk.length - off);
      this.writing.set(chunk.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === n) {
        if (this.readyFull) this.dropped++;
        const swap = this.ready;
        this.ready = this.writing;
        this.writing = swap;
        this.readyFull = true;
        this.readySeq = ++this.frames;
        this.readyT = t;
        this.fill = 0;
        completed++;
      }
    }
    return completed;
  }

  /** The newest complete frame not taken yet, or undefined. */
  take(): I420Frame | undefined {
    if (!this.readyFull) return undefined;
    const swap = this.lent;
    this.lent = this.ready;
    this.ready = swap;
    this.readyFull = false;
    return { data: this.lent, layout: this.layout, seq: this.readySeq, t: this.readyT };
  }

  /** The stream ended (the capture program exited): a half-assembled frame is counted and thrown away. */
  endOfStream(): void {
    if (this.fill > 0) this.partial++;
    this.fill = 0;
  }
}

/** Limited-range conversion coefficients for 8-bit values. */
export interface Coefficients {
  /** RGB → Y, U, V rows */
  toYuv: readonly number[];
  /** Y scale, V→R, U→G, V→G, U→B */
  toRgb: readonly [number, number, number, number, number];
}

export const YUV_COEFFICIENTS: Readonly<Record<YuvMatrix, Coefficients>> = {
  // Kr = 0.299, Kb = 0.114
  bt601: {
    toYuv: [0.256788, 0.504129, 0.097906, -0.148223, -0.290993, 0.439216, 0.439216, -0.367788, -0.071427],
    toRgb: [1.164384, 1.596027, 0.391762, 0.812968, 2.017232],
  },
  // Kr = 0.2126, Kb = 0.0722
  bt709: {
    toYuv: [0.182586, 0.614231, 0.062007, -0.100644, -0.338572, 0.439216, 0.439216, -0.398942, -0.040274],
    toRgb: [1.164384, 1.792741, 0.213249, 0.532909, 2.112402],
  },
};

interface DecodeTables {
  y: Int32Array;
  vr: Int32Array;
  ug: Int32Array;
  vg: Int32Array;
  ub: Int32Array;
}
const decodeTables = new Map<YuvMatrix, DecodeTables>();

/** Per-byte lookup tables (×2¹⁶ fixed point) so the pixel loop only adds and shifts. */
function tablesFor(matrix: YuvMatrix): DecodeTables {
  let t = decodeTables.get(matrix);
  if (t) return t;
  const [ky, kvr, kug, kvg, kub] = YUV_COEFFICIENTS[matrix].toRgb;
  t = {
    y: new Int32Array(256),
    vr: new Int32Array(256),
    ug: new Int32Array(256),
    vg: new Int32Array(256),
    ub: new Int32Array(256),
  };
  for (let i = 0; i < 256; i++) {
    t.y[i] = Math.round(ky * (i - 16) * 65536) + 32768; // + ½ for rounding
    t.vr[i] = Math.round(kvr * (i - 128) * 65536);
    t.ug[i] = Math.round(kug * (i - 128) * 65536);
    t.vg[i] = Math.round(kvg * (i - 128) * 65536);
    t.ub[i] = Math.round(kub * (i - 128) * 65536);
  }
  decodeTables.set(matrix, t);
  return t;
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Decodes an I420 frame into packed RGB (3 bytes per pixel, no padding). */
export function i420ToRgb(
  src: Uint8Array,
  layout: I420Layout,
  out: Uint8Array,
  matrix: YuvMatrix = 'bt601',
): Uint8Array {
  const { width, height, stride, chromaStride, uOffset, vOffset } = layout;
  if (src.length < layout.frameBytes)
    throw new RangeError(`I420 frame needs ${layout.frameBytes} bytes, got ${src.length}`);
  if (out.length < width * height * 3) throw new RangeError(`RGB output needs ${width * height * 3} bytes`);
  const t = tablesFor(matrix);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const yRow = y * stride;
    const cRow = (y >> 1) * chromaStride;
    for (let x = 0; x < width; x++) {
      const yy = t.y[src[yRow + x]!]!;
      const u = src[uOffset + cRow + (x >> 1)]!;
      const v = src[vOffset + cRow + (x >> 1)]!;
      out[o++] = clampByte((yy + t.vr[v]!) >> 16);
      out[o++] = clampByte((yy - t.ug[u]! - t.vg[v]!) >> 16);
      out[o++] = clampByte((yy + t.ub[u]!) >> 16);
    }
  }
  return out;
}

/**
 * Encodes packed RGB into an I420 frame with the layout's padding (padding bytes are left as they are);
 * chroma is the average of each 2 × 2 block.
 */
export function rgbToI420(
  rgb: Uint8Array,
  layout: I420Layout,
  out: Uint8Array,
  matrix: YuvMatrix = 'bt601',
): Uint8Array {
  const { width, height, stride, chromaStride, chromaHeight, uOffset, vOffset } = layout;
  if (rgb.length < width * height * 3) throw new RangeError(`RGB input needs ${width * height * 3} bytes`);
  if (out.length < layout.frameBytes) throw new RangeError(`I420 output needs ${layout.frameBytes} bytes`);
  const k = YUV_COEFFICIENTS[matrix].toYuv;
  const yr = Math.round(k[0]! * 65536);
  const yg = Math.round(k[1]! * 65536);
  const yb = Math.round(k[2]! * 65536);
  // Chroma from the sum of 4 pixels: coefficients / 4.
  const ur = Math.round(k[3]! * 16384);
  const ug = Math.round(k[4]! * 16384);
  const ub = Math.round(k[5]! * 16384);
  const vr = Math.round(k[6]! * 16384);
  const vg = Math.round(k[7]! * 16384);
  const vb = Math.round(k[8]! * 16384);
  const yBias = (16 << 16) + 32768;
  const cBias = (128 << 16) + 32768;
  for (let y = 0; y < height; y++) {
    let i = y * width * 3;
    const row = y * stride;
    for (let x = 0; x < width; x++, i += 3) {
      out[row + x] = (yr * rgb[i]! + yg * rgb[i + 1]! + yb * rgb[i + 2]! + yBias) >> 16;
    }
  }
  for (let cy = 0; cy < chromaHeight; cy++) {
    const y0 = 2 * cy;
    const y1 = Math.min(height - 1, y0 + 1);
    for (let cx = 0; cx < (width + 1) >> 1; cx++) {
      const x0 = 2 * cx;
      const x1 = Math.min(width - 1, x0 + 1);
      const a = (y0 * width + x0) * 3;
      const b = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      const r = rgb[a]! + rgb[b]! + rgb[c]! + rgb[d]!;
      const g = rgb[a + 1]! + rgb[b + 1]! + rgb[c + 1]! + rgb[d + 1]!;
      const bl = rgb[a + 2]! + rgb[b + 2]! + rgb[c + 2]! + rgb[d + 2]!;
      const o = cy * chromaStride + cx;
      out[uOffset + o] = clampByte((ur * r + ug * g + ub * bl + cBias) >> 16);
      out[vOffset + o] = clampByte((vr * r + vg * g + vb * bl + cBias) >> 16);
    }
  }
  return out;
}
