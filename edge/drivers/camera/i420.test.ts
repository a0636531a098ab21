import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { I420FrameSplitter, i420Layout, i420ToRgb, rgbToI420, rpicamMatrix } from './i420.ts';
import { rpicamArgs } from './rpicam-args.ts';
import { I420TensorConverter } from './tensor.ts';

describe('I420 layout', () => {
  it('pads the Y stride to a multiple of 64 like rpicam-vid', () => {
    const l = i420Layout(780, 480);
    assert.equal(l.stride, 832);
    assert.equal(l.chromaStride, 416);
    assert.equal(l.frameBytes, 832 * 480 * 1.5);
    assert.equal(l.uOffset, 832 * 480);
    assert.equal(l.vOffset, 832 * 480 + 416 * 240);
    assert.equal(i420Layout(640, 480).frameBytes, 640 * 480 * 1.5);
    assert.throws(() => i420Layout(0, 480), RangeError);
  });

  it('picks the colour matrix rpicam-apps uses for the stream size', () => {
    assert.equal(rpicamMatrix(640, 480), 'bt601');
    assert.equal(rpicamMatrix(1280, 720), 'bt709');
    assert.equal(rpicamMatrix(640, 720), 'bt709');
  });
});

describe('rpicamArgs', () => {
  it('builds the raw I420 command line, pinning the sensor mode when given', () => {
    assert.deepEqual(rpicamArgs({ width: 640, height: 480, framerate: 10, sensorMode: '1640:1232:10:P' }), [
      '-n',
      '-t',
      '0',
      '--codec',
      'yuv420',
      '--width',
      '640',
      '--height',
      '480',
      '--framerate',
      '10',
      '--flush',
      '--mode',
      '1640:1232:10:P',
      '-o',
      '-',
    ]);
    const noMode = rpicamArgs({ width: 320, height: 240, framerate: 7.5, sensorMode: undefined });
    assert.ok(!noMode.includes('--mode'));
    assert.deepEqual(noMode.slice(-3), ['--flush', '-o', '-']);
    assert.equal(noMode[noMode.indexOf('--framerate') + 1], '7.5');
  });
});

/** n frames, each byte a function of (frame, offset) so any mix-up shows. */
function frames(layoutBytes: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, f) => {
    const a = new Uint8Array(layoutBytes);
    for (let i = 0; i < a.length; i++) a[i] = (f * 31 + i * 7) & 0xff;
    return a;
  });
}

describe('I420FrameSplitter', () => {
  it('reassembles frames from chunks split anywhere and keeps only the newest (property)', () => {
    const width = 70; // stride 128: padding included in the frame size
    const height = 6;
    const frameBytes = i420Layout(width, height).frameBytes;
    assert.equal(frameBytes, 128 * 6 * 1.5);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 3 * frameBytes }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: frameBytes - 1 }),
        (n, cuts, takes, tail) => {
          const src = frames(frameBytes, n);
          const stream = new Uint8Array(n * frameBytes + tail);
          src.forEach((f, i) => stream.set(f, i * frameBytes));
          const splitter = new I420FrameSplitter(width, height);
          const got: number[] = [];
          let off = 0;
          let k = 0;
          while (off < stream.length) {
            const len = Math.min(cuts[k % cuts.length]!, stream.length - off);
            splitter.push(stream.subarray(off, off + len), k);
            off += len;
            if (takes[k % takes.length]) {
              const frame = splitter.take();
              if (frame) {
                assert.deepEqual(frame.data, src[frame.seq - 1]);
                got.push(frame.seq);
              }
            }
            k++;
          }
          const last = splitter.take();
          if (last) got.push(last.seq);
          // The newest frame is always delivered; taken frames arrive in order; the rest were dropped.
          assert.equal(got[got.length - 1], n);
          assert.deepEqual(
            got,
            [...got].sort((a, b) => a - b),
          );
          assert.equal(splitter.frames, n);
          assert.equal(splitter.dropped, n - got.length);
          assert.equal(splitter.pendingBytes, tail);
          splitter.endOfStream();
          assert.equal(splitter.partial, tail > 0 ? 1 : 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves a taken frame untouched until the next take', () => {
    const splitter = new I420FrameSplitter(64, 2);
    const [a, b, c] = frames(splitter.layout.frameBytes, 3);
    splitter.push(a!, 1);
    const first = splitter.take()!;
    splitter.push(b!, 2);
    splitter.push(c!, 3); // replaces b: dropped
    assert.deepEqual(first.data, a);
    assert.equal(splitter.dropped, 1);
    const second = splitter.take()!;
    assert.equal(second.seq, 3);
    assert.equal(second.t, 3);
    assert.deepEqual(second.data, c);
    assert.equal(splitter.take(), undefined);
  });
});

describe('I420 colour conversion', () => {
  const layout = i420Layout(4, 2); // stride 64
  const solid = (y: number, u: number, v: number): Uint8Array => {
    const f = new Uint8Array(layout.frameBytes);
    f.fill(y, 0, layout.uOffset);
    f.fill(u, layout.uOffset, layout.vOffset);
    f.fill(v, layout.vOffset);
    return f;
  };
  const rgbOf = (f: Uint8Array, matrix: 'bt601' | 'bt709' = 'bt601'): number[] => [
    ...i420ToRgb(f, layout, new Uint8Array(4 * 2 * 3), matrix).subarray(0, 3),
  ];

  it('decodes known limited-range BT.601 colours', () => {
    assert.deepEqual(rgbOf(solid(235, 128, 128)), [255, 255, 255]);
    assert.deepEqual(rgbOf(solid(16, 128, 128)), [0, 0, 0]);
    assert.deepEqual(rgbOf(solid(126, 128, 128)), [128, 128, 128]);
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 2);
    assert.ok(near(rgbOf(solid(81, 90, 240)), [255, 0, 0]), String(rgbOf(solid(81, 90, 240))));
    assert.ok(near(rgbOf(solid(145, 54, 34)), [0, 255, 0]), String(rgbOf(solid(145, 54, 34))));
    assert.ok(near(rgbOf(solid(41, 240, 110)), [0, 0, 255]), String(rgbOf(solid(41, 240, 110))));
    // BT.709 red
    assert.ok(
      near(rgbOf(solid(63, 102, 240), 'bt709'), [255, 0, 0]),
      String(rgbOf(solid(63, 102, 240), 'bt709')),
    );
  });

  it('round-trips RGB through I420 within chroma rounding', () => {
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [200, 150, 100],
      [20, 30, 40],
    ];
    for (const matrix of ['bt601', 'bt709'] as const)
      for (const c of colours) {
        const rgb = new Uint8Array(4 * 2 * 3);
        for (let i = 0; i < 8; i++) rgb.set(c, 3 * i);
        const yuv = rgbToI420(rgb, layout, new Uint8Array(layout.frameBytes), matrix);
        const back = i420ToRgb(yuv, layout, new Uint8Array(24), matrix);
        for (let i = 0; i < 24; i++)
          assert.ok(Math.abs(back[i]! - rgb[i]!) <= 2, `${matrix} ${c}: ${[...back.subarray(0, 3)]}`);
      }
  });

  it('fills a letterboxed CHW tensor with the same colours', () => {
    const l = i420Layout(8, 4);
    const rgb = new Uint8Array(8 * 4 * 3);
    for (let i = 0; i < 32; i++) rgb.set(i % 8 < 4 ? [250, 10, 10] : [10, 10, 250], 3 * i);
    const yuv = rgbToI420(rgb, l, new Uint8Array(l.frameBytes));
    const conv = new I420TensorConverter(l, { width: 8, height: 8, letterbox: true });
    assert.deepEqual(conv.transform, { scale: 1, padX: 0, padY: 2 });
    const t = conv.convert(yuv, new Float32Array(3 * 64));
    const at = (c: number, x: number, y: number) => t[c * 64 + y * 8 + x]!;
    assert.ok(Math.abs(at(0, 0, 0) - 114 / 255) < 1e-6); // padding row
    assert.ok(Math.abs(at(0, 1, 3) - 250 / 255) < 0.02);
    assert.ok(Math.abs(at(2, 6, 3) - 250 / 255) < 0.02);
    assert.ok(at(2, 1, 3) < 0.1);
    const stretched = new I420TensorConverter(l, { width: 4, height: 4, letterbox: false }).convert(
      yuv,
      new Float32Array(48),
    );
    assert.ok(stretched[0]! > 0.9 && stretched[3]! < 0.1 && stretched[32 + 3]! > 0.9);
  });
});
