/**
 * I420 straight into a model's input tensor: Float32, CHW (R, G, B planes), values 0–1, resized (nearest
 * pixel) and optionally letterboxed to keep the aspect ratio — one pass, no intermediate RGB image.
 */
import { YUV_COEFFICIENTS, type I420Layout, type YuvMatrix } from './i420.ts';

export interface TensorShape {
  width: number;
  height: number;
  /** keep the aspect ratio and pad (YOLO style); false stretches */
  letterbox: boolean;
  /** value of the padding, 0–1 (114/255 is the YOLO grey) */
  padValue?: number;
}

/** How tensor pixels map back to image pixels: image = (tensor − pad) / scale. */
export interface LetterboxTransform {
  scale: number;
  padX: number;
  padY: number;
}

/** Precomputes the sampling maps for one frame layout and tensor shape; convert() then runs per frame. */
export class I420TensorConverter {
  readonly transform: LetterboxTransform;
  private readonly yIndex: Int32Array;
  private readonly cIndex: Int32Array;
  private readonly pad: Uint8Array;
  private readonly padValue: number;
  private readonly k: readonly [number, number, number, number, number];

  constructor(
    readonly layout: I420Layout,
    readonly shape: TensorShape,
    readonly matrix: YuvMatrix = 'bt601',
  ) {
    const { width: W, height: H } = shape;
    const sx = W / layout.width;
    const sy = H / layout.height;
    const scale = shape.letterbox ? Math.min(sx, sy) : 1;
    const scaleX = shape.letterbox ? scale : sx;
    const scaleY = shape.letterbox ? scale : sy;
    const padX = shape.letterbox ? (W - layout.width * scale) / 2 : 0;
    const padY = shape.letterbox ? (H - layout.height * scale) / 2 : 0;
    this.transform = { scale: shape.letterbox ? scale : sx, padX, padY };
    this.padValue = shape.padValue ?? 114 / 255;
    this.k = YUV_COEFFICIENTS[matrix].toRgb;
    this.yIndex = new Int32Array(W * H);
    this.cIndex = new Int32Array(W * H);
    this.pad = new Uint8Array(W * H);
    for (let ty = 0; ty < H; ty++)
      for (let tx = 0; tx < W; tx++) {
        const i = ty * W + tx;
        const ix = Math.floor((tx + 0.5 - padX) / scaleX);
        const iy = Math.floor((ty + 0.5 - padY) / scaleY);
        if (ix < 0 || iy < 0 || ix >= layout.width || iy >= layout.height) {
          this.pad[i] = 1;
          continue;
        }
        this.yIndex[i] = iy * layout.stride + ix;
        this.cIndex[i] = (iy >> 1) * layout.chromaStride + (ix >> 1);
      }
  }

  /** Fills `out` (3 × height × width floats) from one I420 frame. */
  convert(src: Uint8Array, out: Float32Array): Float32Array {
    const n = this.shape.width * this.shape.height;
    if (out.length < 3 * n) throw new RangeError(`tensor needs ${3 * n} floats, got ${out.length}`);
    if (src.length < this.layout.frameBytes)
      throw new RangeError(`I420 frame needs ${this.layout.frameBytes} bytes, got ${src.length}`);
    const [ky, kvr, kug, kvg, kub] = this.k;
    const inv = 1 / 255;
    const uOff = this.layout.uOffset;
    const vOff = this.layout.vOffset;
    for (let i = 0; i < n; i++) {
      if (this.pad[i]) {
        out[i] = this.padValue;
        out[n + i] = this.padValue;
        out[2 * n + i] = this.padValue;
        continue;
      }
      const y = ky * (src[this.yIndex[i]!]! - 16);
      const c = this.cIndex[i]!;
      const u = src[uOff + c]! - 128;
      const v = src[vOff + c]! - 128;
      const r = (y + kvr * v) * inv;
      const g = (y - kug * u - kvg * v) * inv;
      const b = (y + kub * u) * inv;
      out[i] = r < 0 ? 0 : r > 1 ? 1 : r;
      out[n + i] = g < 0 ? 0 : g > 1 ? 1 : g;
      out[2 * n + i] = b < 0 ? 0 : b > 1 ? 1 : b;
    }
    return out;
  }
}
