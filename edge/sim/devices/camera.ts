/**
 * The simulator's camera: a capture-program launcher the CameraDriver uses in place of spawning rpicam-vid.
 * Each "process" reads the same command line, waits a start-up delay, then on the clock at the framerate
 * renders the world from the camera's true pose (robot pose ⊕ mount) and writes raw I420 frames with
 * rpicam-vid's stride padding to "stdout" in pipe-sized chunks. Besides the bytes, every frame's ground
 * truth (labels, depth, boxes) goes to onTruth listeners.
 */
import type { Clock, TimerHandle } from '../../../shared/clock.ts';
import type { CameraConfig } from '../../../shared/config.ts';
import { composePose, type Pose2D } from '../../../shared/geometry.ts';
import type { CaptureExit, CaptureLauncher, CaptureProcess } from '../../drivers/camera/camera-driver.ts';
import { i420Layout, rgbToI420, rpicamMatrix } from '../../drivers/camera/i420.ts';
import { CameraRenderer, type CameraPose, type CameraRender } from '../world/render-camera.ts';
import type { SimWorld } from '../world/sim-world.ts';

export interface VirtualCameraOptions {
  world: SimWorld;
  clock: Clock;
  /** intrinsics (for config.width × config.height) and mount */
  camera: CameraConfig;
  /** The robot's true pose in the world frame now. */
  robotPose: () => Pose2D;
  seed?: number;
  /** brightness noise, 8-bit levels (default 1.5) */
  noise?: number;
  /** time from launch to the first frame, s (rpicam-vid needs a moment to configure the sensor) */
  startupDelay?: number;
  /** bytes per stdout chunk, like a pipe's buffer */
  chunkBytes?: number;
}

/** Ground truth of one frame; the arrays are reused for the next frame. */
export interface CameraTruth extends CameraRender {
  t: number;
  seq: number;
  pose: CameraPose;
}

interface StreamArgs {
  width: number;
  height: number;
  framerate: number;
}

/** Reads the options rpicam-vid would; anything it would reject comes back as an error message. */
export function parseCaptureArgs(args: readonly string[]): StreamArgs | string {
  const valued = new Set([
    '-t',
    '--timeout',
    '--codec',
    '--width',
    '--height',
    '--framerate',
    '--mode',
    '-o',
    '--output',
  ]);
  const flags = new Set(['-n', '--nopreview', '--flush']);
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (flags.has(a)) continue;
    if (!valued.has(a)) return `unrecognised option '${a}'`;
    const v = args[++i];
    if (v === undefined) return `option '${a}' needs a value`;
    values.set(a.replace(/^--timeout$/, '-t').replace(/^--output$/, '-o'), v);
  }
  if (values.get('--codec') !== 'yuv420') return 'virtual camera writes --codec yuv420 only';
  if (values.get('-o') !== '-') return 'virtual camera writes to stdout only (-o -)';
  if (values.get('-t') !== '0') return 'virtual camera runs until killed only (-t 0)';
  const width = Number(values.get('--width') ?? 640);
  const height = Number(values.get('--height') ?? 480);
  const framerate = Number(values.get('--framerate') ?? 30);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2)
    return `bad size ${width}x${height}`;
  if (!(framerate > 0)) return `bad framerate ${framerate}`;
  return { width, height, framerate };
}

export class VirtualCamera {
  /** Pass this to the CameraDriver as its launcher. */
  readonly launcher: CaptureLauncher = (command, args) => this.launch(command, args);
  private readonly opts: VirtualCameraOptions;
  private readonly truthListeners = new Set<(truth: CameraTruth) => void>();
  private readonly renderers = new Map<string, CameraRenderer>();
  private current: VirtualProcess | undefined;
  private failStarts = 0;
  private launchCount = 0;
  private seq = 0;

  constructor(options: VirtualCameraOptions) {
    this.opts = options;
  }

  /** How many times the capture program was started. */
  get launches(): number {
    return this.launchCount;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Ground truth for every frame written. Returns a function removing the listener. */
  onTruth(listener: (truth: CameraTruth) => void): () => void {
    this.truthListeners.add(listener);
    return () => this.truthListeners.delete(listener);
  }

  /** The next n launches fail at once, as rpicam-vid does when no camera is detected. */
  failNextStarts(n: number): void {
    this.failStarts = n;
  }

  /** The running program dies (optionally after writing half a frame, as on a cable fault). */
  crash(options: { code?: number; midFrame?: boolean } = {}): void {
    this.current?.die(
      { code: options.code ?? 1, signal: null, error: 'virtual camera: capture failed' },
      options.midFrame ?? false,
    );
  }

  /** The camera's world-frame pose for a robot pose. */
  cameraPose(robot: Pose2D): CameraPose {
    const m = this.opts.camera.mount;
    const p = composePose(robot, { x: m.x, y: m.y, theta: m.yaw });
    return { x: p.x, y: p.y, z: m.z, yaw: p.theta, pitch: m.pitch };
  }

  private renderer(width: number, height: number): CameraRenderer {
    const key = `${width}x${height}`;
    let r = this.renderers.get(key);
    if (!r) {
      const { camera } = this.opts;
      // The pinned sensor mode keeps the field of view: intrinsics scale with the output size.
      const sx = width / camera.width;
      const sy = height / camera.height;
      const k = camera.intrinsics;
      r = new CameraRenderer(
        this.opts.world,
        { width, height, fx: k.fx * sx, fy: k.fy * sy, cx: k.cx * sx, cy: k.cy * sy },
        camera.mount.pitch,
        { noise: this.opts.noise ?? 1.5, seed: (this.opts.seed ?? 1) + this.renderers.size },
      );
      this.renderers.set(key, r);
    }
    return r;
  }

  private launch(_command: string, args: readonly string[]): CaptureProcess {
    this.launchCount++;
    const parsed = parseCaptureArgs(args);
    const proc = new VirtualProcess(this.opts.clock, this.opts.chunkBytes ?? 65536, () => {
      if (this.current === proc) this.current = undefined;
    });
    if (typeof parsed === 'string' || this.failStarts > 0) {
      if (typeof parsed !== 'string') this.failStarts--;
      const error = typeof parsed === 'string' ? parsed : 'virtual camera: no cameras available';
      proc.die({ code: 255, signal: null, error }, false);
      return proc;
    }
    this.current?.die({ code: null, signal: 'SIGKILL', error: 'camera taken by another process' }, false);
    this.current = proc;
    const { width, height, framerate } = parsed;
    const layout = i420Layout(width, height);
    const matrix = rpicamMatrix(width, height);
    const renderer = this.renderer(width, height);
    const frame = new Uint8Array(layout.frameBytes);
    proc.startFrames(this.opts.startupDelay ?? 0.3, 1 / framerate, () => {
      const t = this.opts.clock.now();
      this.opts.world.setTime(t);
      const pose = this.cameraPose(this.opts.robotPose());
      const render = renderer.render(pose);
      rgbToI420(render.rgb, layout, frame, matrix);
      const truth: CameraTruth = { ...render, t, seq: ++this.seq, pose };
      for (const l of this.truthListeners) l(truth);
      return frame;
    });
    return proc;
  }
}

/** One run of the virtual capture program. */
class VirtualProcess implements CaptureProcess {
  private dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private exitListeners: ((exit: CaptureExit) => void)[] = [];
  private timer: TimerHandle | undefined;
  private startTimer: TimerHandle | undefined;
  private dead = false;
  private lastFrame: Uint8Array | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly chunkBytes: number,
    private readonly onDeath: () => void,
  ) {}

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onExit(listener: (exit: CaptureExit) => void): void {
    this.exitListeners.push(listener);
  }

  kill(): void {
    this.die({ code: null, signal: 'SIGTERM' }, false);
  }

  startFrames(delay: number, period: number, produce: () => Uint8Array): void {
    this.startTimer = this.clock.setTimeout(() => {
      this.startTimer = undefined;
      const tick = (): void => {
        if (this.dead) return;
        const frame = produce();
        this.lastFrame = frame;
        this.write(frame);
      };
      tick();
      this.timer = this.clock.setInterval(tick, period);
    }, delay);
  }

  /** Ends the process; its exit is reported asynchronously, as a real child's is. */
  die(exit: CaptureExit, midFrame: boolean): void {
    if (this.dead) return;
    if (midFrame && this.lastFrame) this.write(this.lastFrame.subarray(0, this.lastFrame.length >> 1));
    this.dead = true;
    this.clock.clearTimer(this.timer);
    this.clock.clearTimer(this.startTimer);
    this.onDeath();
    this.clock.setTimeout(() => {
      for (const l of this.exitListeners) l(exit);
    }, 0);
  }

  private write(bytes: Uint8Array): void {
    // Fresh chunks, as a pipe read returns new buffers each time.
    for (let off = 0; off < bytes.length; off += this.chunkBytes) {
      const chunk = bytes.slice(off, Math.min(bytes.length, off + this.chunkBytes));
      for (const l of this.dataListeners) l(chunk);
    }
  }
}
