/**
 * The camera shell: runs the capture program (rpicam-vid, or the simulator's virtual camera through the
 * same launcher seam), cuts its stdout into I420 frames, hands out only the newest, restarts the program
 * with back-off when it dies or stalls, and reports health. All timing comes from the injected Clock.
 */
import { spawn } from 'node:child_process';
import type { Clock, TimerHandle } from '../../../shared/clock.ts';
import type { CameraConfig } from '../../../shared/config.ts';
import { I420FrameSplitter, rpicamMatrix, type I420Frame, type YuvMatrix } from './i420.ts';
import { rpicamArgs } from './rpicam-args.ts';

export interface CaptureExit {
  /** exit code, null when killed by a signal or never started */
  code: number | null;
  signal: string | null;
  /** why it failed to start, or the last line it wrote to stderr */
  error?: string;
}

/** A running capture program as the driver sees it. */
export interface CaptureProcess {
  /** Bytes the program writes to stdout. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** The program ended (called once). */
  onExit(listener: (exit: CaptureExit) => void): void;
  kill(): void;
}

/** Starts a capture program: the real one through child_process, or a virtual one in the simulator. */
export type CaptureLauncher = (command: string, args: readonly string[]) => CaptureProcess;

/** Spawns the program directly (argument array, no shell); stderr is kept only for the exit report. */
export const spawnLauncher: CaptureLauncher = (command, args) => {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastErrLine = '';
  let exited = false;
  const exitListeners: ((exit: CaptureExit) => void)[] = [];
  const finish = (exit: CaptureExit): void => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(exit);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 0) lastErrLine = lines[lines.length - 1]!.trim().slice(0, 300);
  });
  child.on('error', (err) => finish({ code: null, signal: null, error: err.message }));
  child.on('close', (code, signal) =>
    finish({ code, signal, ...(code !== 0 && lastErrLine ? { error: lastErrLine } : {}) }),
  );
  return {
    onData: (listener) => child.stdout.on('data', (chunk: Buffer) => listener(chunk)),
    onExit: (listener) => exitListeners.push(listener),
    kill: () => {
      child.kill('SIGTERM');
    },
  };
};

export interface CameraFrame extends I420Frame {
  matrix: YuvMatrix;
}

export interface CameraHealth {
  running: boolean;
  /** frames per second over the last few seconds of clock time */
  fps: number;
  frames: number;
  /** frames replaced by a newer one before anyone took them */
  dropped: number;
  /** half frames thrown away when the program died mid-frame */
  partial: number;
  restarts: number;
  /** clock time of the newest frame */
  lastFrameAt?: number;
  lastExit?: CaptureExit;
  /** the I420 frame size expected from the program, bytes */
  frameBytes: number;
}

export interface CameraDriverOptions {
  config: CameraConfig;
  clock: Clock;
  launcher?: CaptureLauncher;
  /** First restart delay, doubled after each failed run up to restartMaxDelay, s. */
  restartDelay?: number;
  restartMaxDelay?: number;
  /** No bytes for this long while running: the program is hung and is killed, s. */
  stallTimeout?: number;
}

export class CameraDriver {
  readonly matrix: YuvMatrix;
  private readonly clock: Clock;
  private readonly launcher: CaptureLauncher;
  private readonly restartDelay: number;
  private readonly restartMaxDelay: number;
  private readonly stallTimeout: number;
  private splitter: I420FrameSplitter;
  private proc: CaptureProcess | undefined;
  private wanted = false;
  private restartTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private failures = 0;
  private framesThisRun = 0;
  private lastDataAt = 0;
  private restarts = 0;
  private lastExit: CaptureExit | undefined;
  private latest: CameraFrame | undefined;
  private readonly frameTimes: number[] = [];
  private totals = { frames: 0, dropped: 0, partial: 0 };
  private readonly listeners = new Set<(frame: CameraFrame) => void>();

  constructor(private readonly options: CameraDriverOptions) {
    const { config } = options;
    this.clock = options.clock;
    this.launcher = options.launcher ?? spawnLauncher;
    this.restartDelay = options.restartDelay ?? 0.5;
    this.restartMaxDelay = options.restartMaxDelay ?? 30;
    this.stallTimeout = options.stallTimeout ?? Math.max(3, 10 / config.framerate);
    this.splitter = new I420FrameSplitter(config.width, config.height);
    this.matrix = rpicamMatrix(config.width, config.height);
  }

  /** Starts capturing (and keeps the program running until stop()). */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.watchdog = this.clock.setInterval(() => this.checkStall(), 1);
    this.launch();
  }

  stop(): void {
    this.wanted = false;
    this.clock.clearTimer(this.restartTimer);
    this.clock.clearTimer(this.watchdog);
    this.restartTimer = undefined;
    this.watchdog = undefined;
    const proc = this.proc;
    this.proc = undefined;
    proc?.kill();
  }

  /**
   * Calls `listener` with each new frame. The frame's bytes are reused: copy them to keep them past the
   * next frame. Returns a function that removes the listener.
   */
  onFrame(listener: (frame: CameraFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest frame (valid until the next one arrives), or undefined before the first. */
  latestFrame(): CameraFrame | undefined {
    return this.latest;
  }

  health(): CameraHealth {
    const now = this.clock.now();
    const recent = this.frameTimes.filter((t) => t > now - 3);
    const span = recent.length >= 2 ? recent[recent.length - 1]! - recent[0]! : 0;
    return {
      running: this.proc !== undefined,
      fps: span > 0 ? (recent.length - 1) / span : 0,
      frames: this.totals.frames + this.splitter.frames,
      dropped: this.totals.dropped + this.splitter.dropped,
      partial: this.totals.partial + this.splitter.partial,
      restarts: this.restarts,
      lastFrameAt: this.latest?.t,
      lastExit: this.lastExit,
      frameBytes: this.splitter.layout.frameBytes,
    };
  }

  private launch(): void {
    this.restartTimer = undefined;
    if (!this.wanted) return;
    const { config } = this.options;
    const proc = this.launcher(config.command, rpicamArgs(config));
    this.proc = proc;
    this.framesThisRun = 0;
    this.lastDataAt = this.clock.now();
    proc.onData((chunk) => {
      if (this.proc !== proc) return;
      this.onBytes(chunk);
    });
    proc.onExit((exit) => {
      if (this.proc !== proc && this.proc !== undefined) return;
      this.onExit(proc, exit);
    });
  }

  private onBytes(chunk: Uint8Array): void {
    const now = this.clock.now();
    this.lastDataAt = now;
    if (this.splitter.push(chunk, now) === 0) return;
    const frame = this.splitter.take();
    if (!frame) return;
    this.framesThisRun++;
    this.frameTimes.push(now);
    if (this.frameTimes.length > 64) this.frameTimes.shift();
    this.latest = { ...frame, matrix: this.matrix };
    for (const listener of this.listeners) listener(this.latest);
  }

  private onExit(proc: CaptureProcess, exit: CaptureExit): void {
    if (this.proc === proc) this.proc = undefined;
    this.lastExit = exit;
    this.splitter.endOfStream();
    // A fresh splitter starts the next stream on a frame boundary; keep the counts.
    this.totals.frames += this.splitter.frames;
    this.totals.dropped += this.splitter.dropped;
    this.totals.partial += this.splitter.partial;
    this.splitter = new I420FrameSplitter(this.options.config.width, this.options.config.height);
    if (!this.wanted) return;
    // A run that produced frames was healthy: start the back-off over.
    this.failures = this.framesThisRun > 0 ? 0 : this.failures + 1;
    const delay = Math.min(this.restartMaxDelay, this.restartDelay * 2 ** Math.max(0, this.failures - 1));
    this.restarts++;
    this.restartTimer = this.clock.setTimeout(() => this.launch(), delay);
  }

  private checkStall(): void {
    if (!this.proc) return;
    if (this.clock.now() - this.lastDataAt > this.stallTimeout) {
      this.lastDataAt = this.clock.now();
      this.proc.kill();
    }
  }
}
