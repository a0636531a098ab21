import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraConfigSchema } from '../../../shared/config.ts';
import { rpicamArgs } from '../../drivers/camera/rpicam-args.ts';
import { i420Layout, rgbToI420 } from '../../drivers/camera/i420.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { loadWorld } from '../world/load-world.ts';
import { parseCaptureArgs, VirtualCamera, type CameraTruth } from './camera.ts';

const world = loadWorld('apartment');
const config = CameraConfigSchema.parse({}); // 640 × 480, fx 530, mount 0.12 m ahead, 0.2 m up, pitched 0.17

describe('VirtualCamera', () => {
  it('reads the rpicam-vid command line and rejects what it cannot produce', () => {
    assert.deepEqual(parseCaptureArgs(rpicamArgs({ ...config, sensorMode: '1640:1232:10:P' })), {
      width: 640,
      height: 480,
      framerate: 10,
    });
    assert.equal(
      parseCaptureArgs(['-n', '-t', '0', '--codec', 'mjpeg', '-o', '-']),
      'virtual camera writes --codec yuv420 only',
    );
    assert.equal(parseCaptureArgs(['--frobnicate']), "unrecognised option '--frobnicate'");
  });

  it('writes padded I420 frames of the rendered view, with ground truth, on the clock', async () => {
    const clock = new VirtualClock();
    const camera = new VirtualCamera({
      world,
      clock,
      camera: config,
      robotPose: () => ({ x: 8.0, y: 1.6, theta: 1.2 }),
      noise: 0,
    });
    // 100 × 60 at the same field of view: the stride pads to 128.
    const args = [
      '-n',
      '-t',
      '0',
      '--codec',
      'yuv420',
      '--width',
      '100',
      '--height',
      '60',
      '--framerate',
      '5',
      '-o',
      '-',
    ];
    const proc = camera.launcher('rpicam-vid', args);
    const chunks: Uint8Array[] = [];
    const truths: { t: number; rgb: Uint8Array; boxes: CameraTruth['boxes']; pose: CameraTruth['pose'] }[] =
      [];
    proc.onData((c) => chunks.push(c));
    camera.onTruth((t) => truths.push({ t: t.t, rgb: t.rgb.slice(), boxes: t.boxes, pose: t.pose }));
    await clock.advanceTo(1.0);
    // Frames at 0.3, 0.5, 0.7, 0.9 s.
    assert.deepEqual(
      truths.map((t) => Math.round(t.t * 10) / 10),
      [0.3, 0.5, 0.7, 0.9],
    );
    const layout = i420Layout(100, 60);
    assert.equal(layout.stride, 128);
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes.length, 4 * layout.frameBytes);
    const expected = rgbToI420(truths[3]!.rgb, layout, new Uint8Array(layout.frameBytes), 'bt601');
    assert.deepEqual(new Uint8Array(bytes.subarray(3 * layout.frameBytes)), expected);
    // The camera sits on the robot's mount: 0.12 m ahead along its heading, 0.2 m up.
    const pose = truths[0]!.pose;
    assert.ok(Math.abs(pose.x - (8.0 + 0.12 * Math.cos(1.2))) < 1e-9);
    assert.ok(Math.abs(pose.y - (1.6 + 0.12 * Math.sin(1.2))) < 1e-9);
    assert.equal(pose.z, 0.2);
    // Looking from the kitchen towards the dining table and its chairs.
    const ids = truths[0]!.boxes.map((b) => b.id);
    assert.ok(ids.includes('dining-table'), ids.join(','));
    proc.kill();
    await clock.advanceTo(2);
    assert.equal(truths.length, 4);
    assert.equal(camera.running, false);
  });
});
