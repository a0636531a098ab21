/**
 * The connection supervisor both drive-base drivers share (imperative shell): opens the port, runs the
 * device's handshake, keeps the link alive, notices a silent or unplugged device and reconnects with
 * exponential back-off, and counts frames for health(). The protocol stays in the driver.
 */
import type { Clock, TimerHandle } from '../../shared/clock.ts';
import type { SerialTransport, TransportFactory } from '../transport/serial.ts';
import type { DriveBaseHealth, DriveBaseState } from './base.ts';

export interface BaseLinkProtocol {
  /** Bytes from the device (only those of the current connection). */
  receive(chunk: Uint8Array): void;
  /**
   * Brings a freshly opened port to the streaming state; rejects when the device does not answer. It
   * talks through BaseLink.write and waits with BaseLink.waitForFrames.
   */
  handshake(): Promise<void>;
  /** Called every keepAlivePeriod while running: re-send the velocity command. */
  keepAlive(): void;
  /** Stops the motors and leaves the device idle; the port closes afterwards. */
  shutdown(): Promise<void>;
}

export interface BaseLinkOptions {
  /** device name for messages, e.g. "Create 2" */
  name: string;
  path: string;
  baudRate: number;
  /** s without a good frame before the link counts as lost */
  stallTimeout: number;
  /** s between keepAlive calls */
  keepAlivePeriod: number;
  /** s, first reconnect delay; doubles per failed attempt up to maxBackoff */
  initialBackoff: number;
  maxBackoff: number;
}

export class BaseLink {
  private state: DriveBaseState = 'idle';
  private transport: SerialTransport | undefined;
  /** bumps on every connection, so callbacks from an old port are ignored */
  private generation = 0;
  private monitor: TimerHandle | undefined;
  private connectedAt = 0;
  private framesOk = 0;
  private framesBad = 0;
  private lastFrameTime = Number.NaN;
  private reconnects = 0;
  private lastError: string | undefined;
  private protocol: BaseLinkProtocol | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly transports: TransportFactory,
    private readonly options: BaseLinkOptions,
  ) {}

  /** Must be called once before start() (the driver passes itself). */
  bind(protocol: BaseLinkProtocol): void {
    this.protocol = protocol;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    try {
      await this.connect();
    } catch (err) {
      this.state = 'idle';
      throw new Error(`${this.options.name} on ${this.options.path}: ${message(err)}`, { cause: err });
    }
    if (this.state !== 'connecting') {
      // stop() ran while the handshake was in flight.
      await this.transport?.close().catch(() => undefined);
      return;
    }
    this.state = 'running';
    this.monitor = this.clock.setInterval(() => this.tick(), this.options.keepAlivePeriod);
  }

  async stop(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'idle';
    this.clock.clearTimer(this.monitor);
    this.monitor = undefined;
    const transport = this.transport;
    if (wasRunning && transport?.isOpen) {
      try {
        await this.requireProtocol().shutdown();
      } catch (err) {
        this.lastError = message(err);
      }
    }
    this.generation++;
    this.transport = undefined;
    await transport?.close().catch(() => undefined);
  }

  /** Writes bytes if the port is open; a failed write is left to stall detection. Returns false if not sent. */
  async write(data: Uint8Array): Promise<boolean> {
    const transport = this.transport;
    if (!transport?.isOpen) return false;
    try {
      await transport.write(data);
      return true;
    } catch (err) {
      this.lastError = message(err);
      return false;
    }
  }

  /** The driver reports each decoded frame (ok) or dropped frame (bad). */
  countFrames(ok: number, bad: number): void {
    if (ok > 0) {
      this.framesOk += ok;
      this.lastFrameTime = this.clock.now();
    }
    this.framesBad += bad;
  }

  /** Resolves true once `count` more good frames than now have arrived, false after `timeout` s. */
  async waitForFrames(count: number, timeout: number): Promise<boolean> {
    const target = this.framesOk + count;
    const deadline = this.clock.now() + timeout;
    const generation = this.generation;
    while (this.framesOk < target) {
      if (this.clock.now() >= deadline || generation !== this.generation) return false;
      await this.clock.sleep(0.005);
    }
    return true;
  }

  health(): DriveBaseHealth {
    const h: DriveBaseHealth = {
      state: this.state,
      framesOk: this.framesOk,
      framesBad: this.framesBad,
      lastFrameTime: this.lastFrameTime,
      reconnects: this.reconnects,
    };
    if (this.lastError !== undefined) h.lastError = this.lastError;
    return h;
  }

  private requireProtocol(): BaseLinkProtocol {
    if (!this.protocol) throw new Error('BaseLink.bind() was not called');
    return this.protocol;
  }

  private async connect(): Promise<void> {
    const protocol = this.requireProtocol();
    const generation = ++this.generation;
    const transport = this.transports(this.options.path);
    this.transport = transport;
    transport.onData((chunk) => {
      if (generation === this.generation) protocol.receive(chunk);
    });
    transport.onClose((error) => {
      if (generation === this.generation && error) this.lost(`port closed: ${error.message}`);
    });
    try {
      await transport.open(this.options.baudRate);
      await transport.flush();
      this.connectedAt = this.clock.now();
      await protocol.handshake();
    } catch (err) {
      this.generation++;
      this.transport = undefined;
      await transport.close().catch(() => undefined);
      throw err;
    }
  }

  private tick(): void {
    if (this.state !== 'running') return;
    const last = Number.isNaN(this.lastFrameTime)
      ? this.connectedAt
      : Math.max(this.lastFrameTime, this.connectedAt);
    if (this.clock.now() - last > this.options.stallTimeout) {
      this.lost(`no data for ${this.options.stallTimeout} s`);
      return;
    }
    this.requireProtocol().keepAlive();
  }

  private lost(reason: string): void {
    if (this.state !== 'running') return;
    this.state = 'reconnecting';
    this.lastError = reason;
    this.generation++;
    const transport = this.transport;
    this.transport = undefined;
    void transport?.close().catch(() => undefined);
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    let delay = this.options.initialBackoff;
    while (this.state === 'reconnecting') {
      await this.clock.sleep(delay);
      if (this.state !== 'reconnecting') return;
      try {
        await this.connect();
        if (this.state !== 'reconnecting') {
          // stop() ran while the handshake was in flight.
          await this.transport?.close().catch(() => undefined);
          return;
        }
        this.state = 'running';
        this.reconnects++;
        return;
      } catch (err) {
        this.lastError = message(err);
        delay = Math.min(delay * 2, this.options.maxBackoff);
      }
    }
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
