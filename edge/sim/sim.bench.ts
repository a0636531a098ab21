/**
 * How fast the simulator runs the robot through its real drivers: the A2M12 LIDAR at 8 k samples/s (dense
 * capsules, 256000 baud), the Create 2 stream every 15 ms, and the camera at 320×240, 10 fps, each frame
 * rendered, sent as I420 and decoded back to RGB, in the apartment world.
 */
import type { Benchmark } from '../../test/bench/registry.ts';
import { i420ToRgb } from '../drivers/camera/i420.ts';
import { WanderSession } from './capture/wander-session.ts';

const SIM_SECONDS = 60;

const bench: Benchmark = {
  name: 'sim',
  async run() {
    const session = new WanderSession('apartment', 1);
    const { width, height } = session.config.camera;
    const rgb = new Uint8Array(width * height * 3);
    let frames = 0;
    session.camera.onFrame((frame) => {
      i420ToRgb(frame.data, frame.layout, rgb, frame.matrix);
      frames++;
    });
    const started = performance.now();
    await session.start();
    await session.runUntil(SIM_SECONDS);
    const wall = (performance.now() - started) / 1000;
    await session.stop();
    const simTime = SIM_SECONDS;
    return {
      realtimeFactor: Number((simTime / wall).toFixed(1)),
      simSeconds: simTime,
      wallSeconds: Number(wall.toFixed(2)),
      lidarSamplesPerSimSecond: Math.round(session.samples / simTime),
      cameraFps: Number((frames / simTime).toFixed(2)),
      cameraSize: `${width}x${height}`,
    };
  },
};

export default bench;
