import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraConfigSchema } from '../../../shared/config.ts';
import { VirtualCamera } from '../../sim/devices/camera.ts';
import { VirtualClock } from '../../sim/virtual-clock.ts';
import { loadWorld } from '../../sim/world/load-world.ts';
import { CameraDriver, spawnLauncher, type CaptureExit, type CaptureLauncher } from './camera-driver.ts';

const config = CameraConfigSchema.parse({
  width: 320,
  height: 240,
  framerate: 10,
  intrinsics: { fx: 265, fy: 265, cx: 160, cy: 120 },
});
const world = loadWorld('studio');

function rig() {
  const clock = new VirtualClock();
  const camera = new VirtualCamera({
    world,
    clock,
    camera: config,
    robotPose: () => world.spec.start,
    seed: 7,
  });
  const driver = new CameraDriver({ config, clock, launcher: camera.launcher });
  return { clock, camera, driver };
}

describe('CameraDriver with the virtual camera', () => {
  it('delivers frames at the framerate of clock time', async () => {
    const { clock, camera, driver } = rig();
    const seen: number[] = [];
    driver.onFrame((f) => {
      assert.equal(f.data.length, 320 * 240 * 1.5);
      assert.equal(f.matrix, 'bt601');
      seen.push(f.t);
    });
    driver.start();
    await clock.advanceTo(5);
    // First frame after the 0.3 s start-up, then every 0.1 s.
    assert.equal(seen.length, 48);
    assert.ok(Math.abs(seen[0]! - 0.3) < 1e-9);
    assert.ok(Math.abs(seen[1]! - seen[0]! - 0.1) < 1e-9);
    const h = driver.health();
    assert.ok(Math.abs(h.fps - 10) < 0.01, String(h.fps));
    assert.equal(h.frames, 48);
    assert.equal(h.dropped, 0);
    assert.equal(h.restarts, 0);
    assert.equal(h.running, true);
    assert.equal(camera.launches, 1);
    driver.stop();
    await clock.advanceTo(6);
    assert.equal(driver.health().running, false);
    assert.equal(seen.length, 48);
  });

  it('restarts the program after it exits, counting the half frame it left', async () => {
    const { clock, camera, driver } = rig();
    driver.start();
    await clock.advanceTo(1.05);
    const before = driver.health().frames;
    camera.crash({ code: 1, midFrame: true });
    await clock.advanceTo(1.06);
    let h = driver.health();
    assert.equal(h.running, false);
    assert.equal(h.partial, 1);
    assert.deepEqual(h.lastExit, {
      code: 1,
      signal: null,
      error: 'virtual camera: capture failed',
    } satisfies CaptureExit);
    // Back-off 0.5 s, then 0.3 s start-up: frames again from 1.85 s.
    await clock.advanceTo(1.84);
    assert.equal(driver.health().frames, before);
    await clock.advanceTo(3.0);
    h = driver.health();
    assert.equal(h.restarts, 1);
    assert.equal(camera.launches, 2);
    assert.equal(h.frames, before + 12);
    driver.stop();
  });

  it('backs off exponentially while the camera keeps failing to start', async () => {
    const { clock, camera } = rig();
    const launchesAt: number[] = [];
    const driver = new CameraDriver({
      config,
      clock,
      launcher: (command, args) => {
        launchesAt.push(clock.now());
        return camera.launcher(command, args);
      },
    });
    camera.failNextStarts(4);
    driver.start();
    await clock.advanceTo(20);
    // Failures at 0, 0.5, 1.5, 3.5; the fifth launch (7.5) works.
    assert.deepEqual(launchesAt, [0, 0.5, 1.5, 3.5, 7.5]);
    assert.equal(driver.health().lastExit?.error, 'virtual camera: no cameras available');
    assert.equal(driver.health().restarts, 4);
    assert.ok(driver.health().frames > 100);
    driver.stop();
  });

  it('kills and restarts a program that stops writing', async () => {
    const clock = new VirtualClock();
    let launches = 0;
    let kills = 0;
    const silent: CaptureLauncher = () => {
      launches++;
      let onExit: (e: CaptureExit) => void = () => {};
      return {
        onData: () => {},
        onExit: (l) => (onExit = l),
        kill: () => {
          kills++;
          clock.setTimeout(() => onExit({ code: null, signal: 'SIGTERM' }), 0);
        },
      };
    };
    const driver = new CameraDriver({ config, clock, launcher: silent, stallTimeout: 3 });
    driver.start();
    await clock.advanceTo(3.5);
    assert.equal(kills, 0);
    await clock.advanceTo(4.01);
    assert.equal(kills, 1);
    await clock.advanceTo(4.6);
    assert.equal(launches, 2);
    driver.stop();
  });
});

describe('spawnLauncher', () => {
  it('streams a real child process stdout and reports its exit', async () => {
    const proc = spawnLauncher(process.execPath, ['-e', 'process.stdout.write(Buffer.alloc(200000, 7))']);
    let bytes = 0;
    proc.onData((c) => (bytes += c.length));
    const exit = await new Promise<CaptureExit>((resolve) => proc.onExit(resolve));
    assert.equal(bytes, 200000);
    assert.equal(exit.code, 0);
  });

  it('reports a program that cannot start, and the last stderr line of one that fails', async () => {
    const missing = spawnLauncher('/nonexistent/rpicam-vid', ['-n']);
    const e1 = await new Promise<CaptureExit>((resolve) => missing.onExit(resolve));
    assert.equal(e1.code, null);
    assert.match(e1.error ?? '', /ENOENT/);
    const failing = spawnLauncher(process.execPath, [
      '-e',
      'console.error("ERROR: no cameras available"); process.exit(3)',
    ]);
    const e2 = await new Promise<CaptureExit>((resolve) => failing.onExit(resolve));
    assert.deepEqual(e2, { code: 3, signal: null, error: 'ERROR: no cameras available' });
  });
});
