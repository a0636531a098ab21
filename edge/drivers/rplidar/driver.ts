/**
 * The RPLIDAR driver: the imperative shell around the pure codec. Opens the serial port (probing the baud
 * rate unless configured), checks health (RESET on error), reads info and sample rate, spins the motor,
 * starts the configured scan mode and delivers complete revolutions as REP-103 LaserScans. A silent
 * stream (stall) or a lost port (unplug) ends the session; the driver reconnects with exponential
 * back-off. All time comes from the injected Clock.
 */
import type { Clock, TimerHandle } from '../../../shared/clock.ts';
import type { LidarConfig, LidarModel } from '../../../shared/config.ts';
import type { LaserScan } from '../../../shared/sensors.ts';
import type { SerialTransport } from '../../transport/serial.ts';
import { RplidarParser } from './parser.ts';
import {
  AnswerType,
  Command,
  DENSE_SAMPLES_PER_CAPSULE,
  ExpressMode,
  HealthStatus,
  LEGACY_SAMPLES_PER_CAPSULE,
  LidarConfKey,
  SendMode,
  accBoardFlagPayload,
  decodeAccBoardFlag,
  decodeDeviceInfo,
  decodeHealth,
  decodeLidarConf,
  decodeSampleRate,
  encodeRequest,
  expressScanPayload,
  lidarConfPayload,
  motorPwmPayload,
  motorSpeedPayload,
  type DeviceInfo,
  type ResponseDescriptor,
  type SampleRate,
} from './protocol.ts';
import { ScanAssembler } from './scan-assembler.ts';

export type RplidarState =
  /** not started, or stopped */
  | 'idle'
  /** opening the port, probing, handshaking */
  | 'connecting'
  /** revolutions arriving */
  | 'scanning'
  /** the port is open but no valid data came for `stallTimeout`; about to reconnect */
  | 'stalled'
  /** the port closed by itself or cannot be opened (unplugged); retrying with back-off */
  | 'disconnected'
  /** the device did not answer, reported a health error, or refused the scan; retrying with back-off */
  | 'error';

export interface RplidarHealth {
  state: RplidarState;
  /** model name from GET_INFO, e.g. "A2M12" */
  model?: string;
  /** firmware "major.minor" from GET_INFO */
  firmware?: string;
  serialNumber?: string;
  /** baud rate of the open (or last good) connection, 0 before the first */
  baudRate: number;
  /** the scan mode in use: the configured one, or 'express' when the firmware offers no dense mode */
  scanMode: LidarConfig['scanMode'];
  scans: number;
  droppedBytes: number;
  badCapsules: number;
  badNodes: number;
  /** successful reconnections after the first connection */
  reconnects: number;
  /** clock time the last scan was delivered, NaN before the first */
  lastScanTime: number;
  /** revolutions per second over the last few scans, 0 before two scans */
  scanRateHz: number;
  /** samples per second over the last few scans */
  samplesPerSecond: number;
  lastError?: string;
}

export interface RplidarDriverOptions {
  /** seconds without a decoded sample, once scanning, before the stream counts as stalled (default 1) */
  stallTimeout?: number;
  /** seconds allowed from the scan request to the first sample, for the motor to spin up (default 3) */
  startupTimeout?: number;
  /** seconds to wait for an answer to a request (default 0.5) */
  responseTimeout?: number;
  /** seconds to wait after STOP before discarding input (default 0.05) */
  stopDelay?: number;
  /** seconds to wait after RESET for the device to boot (default 1) */
  resetDelay?: number;
  /** first reconnect delay, doubled after every failed attempt (default 0.25 s) */
  backoffInitial?: number;
  /** longest reconnect delay (default 8 s) */
  backoffMax?: number;
  /** baud rates tried, in order, when the config gives none */
  probeBaudRates?: readonly number[];
  /** rotation for S-series MOTOR_SPEED_CTRL, rpm (default 600 = 10 Hz) */
  motorRpm?: number;
}

export const PROBE_BAUD_RATES: readonly number[] = [115200, 256000, 460800, 1000000];

type Outcome = { state: 'stalled' | 'disconnected' | 'error' | 'idle'; error?: string };

interface PendingRequest {
  type: number;
  resolve(payload: Uint8Array): void;
  reject(error: Error): void;
}

class SessionLost extends Error {}

/** Rings of the last scans, for the measured rates. */
const RATE_WINDOW = 10;

export class RplidarDriver {
  private readonly parser: RplidarParser;
  private readonly assembler: ScanAssembler;
  private readonly opts: Required<RplidarDriverOptions>;
  private scanListener: (scan: LaserScan) => void = () => {};
  private stateListener: (state: RplidarState) => void = () => {};

  private state_: RplidarState = 'idle';
  private running = false;
  private loop: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeTimer: TimerHandle | undefined;

  // session
  private session = 0;
  private lose: ((outcome: Outcome) => void) | undefined;
  private pending: PendingRequest | undefined;
  private pendingStream: ((d: ResponseDescriptor | undefined) => void) | undefined;
  /** Wakers of the handshake's sleeps, called when the session is lost. */
  private readonly sleepers = new Set<() => void>();
  private watchdog: TimerHandle | undefined;
  private streaming = false;
  private lastDataTime = 0;
  private streamStartTime = 0;
  private sawData = false;
  private info: DeviceInfo | undefined;
  private baud = 0;
  private connectedOnce = false;
  private reconnects = 0;
  private lastError: string | undefined;
  private activeScanMode: LidarConfig['scanMode'];

  // sample timing
  private sampleDt = 1 / 2000;
  private latency = 0;
  private lastSampleTime = NaN;
  private stageAngles = new Float64Array(2048);
  private stageDistances = new Float32Array(2048);
  private stageQualities = new Uint8Array(2048);
  private stageStarts = new Uint8Array(2048);
  private stageCount = 0;

  // rates
  private readonly scanStamps = new Float64Array(RATE_WINDOW);
  private readonly scanSamples = new Float64Array(RATE_WINDOW);
  private scanCount = 0;
  private lastScanTime = NaN;

  constructor(
    private readonly config: LidarConfig,
    private readonly transport: SerialTransport,
    private readonly clock: Clock,
    options: RplidarDriverOptions = {},
  ) {
    this.activeScanMode = config.scanMode;
    this.opts = {
      stallTimeout: options.stallTimeout ?? 1,
      startupTimeout: options.startupTimeout ?? 3,
      responseTimeout: options.responseTimeout ?? 0.5,
      stopDelay: options.stopDelay ?? 0.05,
      resetDelay: options.resetDelay ?? 1,
      backoffInitial: options.backoffInitial ?? 0.25,
      backoffMax: options.backoffMax ?? 8,
      probeBaudRates: options.probeBaudRates ?? PROBE_BAUD_RATES,
      motorRpm: options.motorRpm ?? 600,
    };
    this.parser = new RplidarParser({
      onSample: (angle, distance, quality, start) => this.stage(angle, distance, quality, start),
      onResponse: (d, payload) => this.onResponse(d, payload),
      onDescriptor: (d) => {
        if (d.sendMode === SendMode.MULTIPLE) this.pendingStream?.(d);
      },
      onStreamRestart: () => this.assembler.discard(),
    });
    this.assembler = new ScanAssembler({
      minRange: config.minRange,
      maxRange: config.maxRange,
      onScan: (scan) => this.deliver(scan),
    });
    transport.onData((chunk) => this.onData(chunk));
    transport.onClose((error) => {
      if (error) this.lose?.({ state: 'disconnected', error: error.message });
    });
  }

  get state(): RplidarState {
    return this.state_;
  }

  /** The device identity from the last GET_INFO. */
  get deviceInfo(): DeviceInfo | undefined {
    return this.info;
  }

  onScan(listener: (scan: LaserScan) => void): void {
    this.scanListener = listener;
  }

  onStateChange(listener: (state: RplidarState) => void): void {
    this.stateListener = listener;
  }

  health(): RplidarHealth {
    const s = this.parser.stats;
    const rates = this.rates();
    const h: RplidarHealth = {
      state: this.state_,
      baudRate: this.baud,
      scanMode: this.activeScanMode,
      scans: this.assembler.scans,
      droppedBytes: s.droppedBytes,
      badCapsules: s.badCapsules,
      badNodes: s.badNodes,
      reconnects: this.reconnects,
      lastScanTime: this.lastScanTime,
      scanRateHz: rates.scanRateHz,
      samplesPerSecond: rates.samplesPerSecond,
    };
    if (this.info) {
      h.model = this.info.modelName;
      h.firmware = `${this.info.firmwareMajor}.${String(this.info.firmwareMinor).padStart(2, '0')}`;
      h.serialNumber = this.info.serialNumber;
    }
    if (this.lastError !== undefined) h.lastError = this.lastError;
    return h;
  }

  /**
   * Connects and starts scanning; scans then flow to the onScan listener until stop(). Resolves once the
   * first revolution is requested ('scanning'); rejects, and stays idle, if that first connection fails
   * (absent device, no answer, health error), so a wrong config fails fast. After that the driver never
   * gives up: stalls and unplugs lead to reconnects with back-off.
   */
  start(): Promise<void> {
    if (this.running) return this.started ?? Promise.resolve();
    this.running = true;
    this.started = new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve, reject);
    });
    return this.started;
  }

  /**
   * Stops scanning and the motor, closes the port and ends the reconnect loop. Resolves after
   * `stopDelay` of clock time (the STOP request has to leave the port before it closes).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.lose?.({ state: 'idle' });
    await this.loop;
  }

  // ---------------------------------------------------------------------------------------------------
  // connection loop

  private async run(resolveStart: () => void, rejectStart: (error: Error) => void): Promise<void> {
    let backoff = this.opts.backoffInitial;
    let scanned = false;
    while (this.running) {
      const outcome = await this.runSession(() => {
        backoff = this.opts.backoffInitial;
        scanned = true;
        resolveStart();
      });
      await this.shutdown(outcome.state === 'idle');
      if (outcome.error !== undefined) this.lastError = outcome.error;
      if (!scanned) {
        this.running = false;
        rejectStart(
          new Error(`RPLIDAR on ${this.transport.path}: ${outcome.error ?? 'stopped before scanning'}`),
        );
        break;
      }
      if (!this.running) break;
      this.setState(outcome.state === 'idle' ? 'error' : outcome.state);
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, this.opts.backoffMax);
    }
    this.setState('idle');
  }

  /** One connection: handshake, scan until lost. Resolves with why it ended. */
  private async runSession(onScanning: () => void): Promise<Outcome> {
    const session = ++this.session;
    const lost = new Promise<Outcome>((resolve) => {
      this.lose = (outcome) => {
        if (this.session !== session) return;
        this.lose = undefined;
        this.pending?.reject(new SessionLost(outcome.error ?? outcome.state));
        this.pending = undefined;
        this.pendingStream?.(undefined);
        for (const wake of [...this.sleepers]) wake();
        resolve(outcome);
      };
    });
    this.setState('connecting');
    const handshake = this.handshake().then(
      (): Outcome | undefined => undefined,
      (error: unknown): Outcome => ({
        state:
          error instanceof SessionLost ? 'disconnected' : isOpenFailure(error) ? 'disconnected' : 'error',
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    const early = await Promise.race([handshake, lost]);
    if (early || !this.lose) {
      if (early) this.lose?.(early);
      // A handshake cut short by a lost port unwinds (its pending request was rejected) before the next
      // session may touch the port.
      await handshake;
      return lost;
    }
    if (this.connectedOnce) this.reconnects++;
    this.connectedOnce = true;
    this.lastError = undefined;
    this.setState('scanning');
    this.armWatchdog(session);
    onScanning();
    return lost;
  }

  private async handshake(): Promise<void> {
    await this.openAndIdentify();
    await this.checkHealth();
    const rate = await this.tryRequest(Command.GET_SAMPLERATE, undefined, AnswerType.SAMPLE_RATE);
    const sampleRate = rate ? decodeSampleRate(rate) : undefined;
    await this.startMotor();
    await this.startScan(sampleRate);
  }

  private async openAndIdentify(): Promise<void> {
    const configured = this.config.serial.baudRate;
    const candidates = configured
      ? [configured]
      : [...new Set([...(this.baud ? [this.baud] : []), ...this.opts.probeBaudRates])];
    for (const baud of candidates) {
      this.ensureAlive();
      if (this.transport.isOpen && this.transport.baudRate !== baud) await this.transport.close();
      if (!this.transport.isOpen) await this.transport.open(baud);
      await this.stopDevice();
      const payload = await this.tryRequest(Command.GET_INFO, undefined, AnswerType.DEVICE_INFO);
      const info = payload ? decodeDeviceInfo(payload) : undefined;
      if (info) {
        this.info = info;
        this.baud = baud;
        return;
      }
    }
    throw new Error(`no answer to GET_INFO on ${this.transport.path} at ${candidates.join(', ')} baud`);
  }

  /** STOP, let the line go quiet, discard what arrived. */
  private async stopDevice(): Promise<void> {
    this.streaming = false;
    await this.transport.write(encodeRequest(Command.STOP));
    await this.sleep(this.opts.stopDelay);
    await this.transport.flush();
    this.parser.reset();
  }

  /** A handshake pause that ends early, throwing SessionLost, when the session is lost. */
  private async sleep(seconds: number): Promise<void> {
    this.ensureAlive();
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.clock.clearTimer(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = this.clock.setTimeout(wake, seconds);
      this.sleepers.add(wake);
    });
    this.ensureAlive();
  }

  /** Throws once the session is lost, so a handshake in flight stops touching the port. */
  private ensureAlive(): void {
    if (!this.lose) throw new SessionLost('session ended');
  }

  private async checkHealth(): Promise<void> {
    let health = decodeHealth(await this.request(Command.GET_HEALTH, undefined, AnswerType.DEVICE_HEALTH));
    if (health?.status === HealthStatus.ERROR) {
      await this.transport.write(encodeRequest(Command.RESET));
      await this.sleep(this.opts.resetDelay);
      await this.transport.flush();
      this.parser.reset();
      health = decodeHealth(await this.request(Command.GET_HEALTH, undefined, AnswerType.DEVICE_HEALTH));
    }
    if (!health) throw new Error('malformed GET_HEALTH answer');
    if (health.status === HealthStatus.ERROR) {
      throw new Error(`device health error (code 0x${health.errorCode.toString(16).padStart(4, '0')})`);
    }
  }

  private deviceModel(): LidarModel {
    return this.info?.model ?? this.config.model;
  }

  private async startMotor(): Promise<void> {
    const model = this.deviceModel();
    if (model === 'A1M8') {
      // A1: DTR asserted stops the motor, cleared spins it.
      await this.transport.setSignals({ dtr: false });
      return;
    }
    if (model === 'S1' || model === 'S2' || model === 'S3') {
      await this.transport.write(
        encodeRequest(Command.MOTOR_SPEED_CTRL, motorSpeedPayload(this.opts.motorRpm)),
      );
      return;
    }
    const flag = await this.tryRequest(
      Command.GET_ACC_BOARD_FLAG,
      accBoardFlagPayload(),
      AnswerType.ACC_BOARD_FLAG,
    );
    this.ensureAlive();
    await this.transport.setSignals({ dtr: false });
    if (flag && decodeAccBoardFlag(flag)?.motorPwmSupported) {
      await this.transport.write(encodeRequest(Command.SET_MOTOR_PWM, motorPwmPayload(this.config.motorPwm)));
    }
  }

  private async stopMotor(): Promise<void> {
    const model = this.deviceModel();
    if (model === 'S1' || model === 'S2' || model === 'S3') {
      await this.transport.write(encodeRequest(Command.MOTOR_SPEED_CTRL, motorSpeedPayload(0)));
      return;
    }
    if (model !== 'A1M8')
      await this.transport.write(encodeRequest(Command.SET_MOTOR_PWM, motorPwmPayload(0)));
    await this.transport.setSignals({ dtr: true });
  }

  private async startScan(rate: SampleRate | undefined): Promise<void> {
    let mode = this.config.scanMode;
    let denseMode: { id: number; usPerSample?: number } | undefined;
    if (mode === 'dense') {
      denseMode = await this.findDenseMode();
      // A firmware that lists its modes without a dense one still has legacy express.
      if (!denseMode) mode = 'express';
    }
    this.activeScanMode = mode;
    let request: Uint8Array;
    let usPerSample: number | undefined;
    if (mode === 'standard') {
      request = encodeRequest(Command.SCAN);
      usPerSample = rate?.standardUs;
    } else if (mode === 'express') {
      request = encodeRequest(Command.EXPRESS_SCAN, expressScanPayload(ExpressMode.LEGACY));
      usPerSample = rate?.expressUs;
    } else {
      const dense = denseMode ?? { id: ExpressMode.DENSE };
      request = encodeRequest(Command.EXPRESS_SCAN, expressScanPayload(dense.id));
      usPerSample = dense.usPerSample ?? rate?.expressUs;
    }
    this.sampleDt = usPerSample && usPerSample > 0 ? usPerSample / 1e6 : 1 / 4000;
    this.ensureAlive();
    this.parser.reset();
    const descriptor = new Promise<ResponseDescriptor | undefined>((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(undefined), this.opts.responseTimeout);
      this.pendingStream = (d) => {
        this.clock.clearTimer(timer);
        resolve(d);
      };
    });
    await this.transport.write(request);
    const d = await descriptor;
    this.pendingStream = undefined;
    this.ensureAlive();
    if (!d) throw new Error(`no answer to the ${mode} scan request`);
    const perFrame =
      d.type === AnswerType.CAPSULED
        ? LEGACY_SAMPLES_PER_CAPSULE
        : d.type === AnswerType.DENSE_CAPSULED
          ? DENSE_SAMPLES_PER_CAPSULE
          : d.type === AnswerType.MEASUREMENT
            ? 0
            : -1;
    if (perFrame < 0) throw new Error(`scan answer type 0x${d.type.toString(16)} is not supported`);
    // Capsule samples are decoded one capsule late.
    this.latency = perFrame * this.sampleDt;
    this.assembler.discard();
    this.lastSampleTime = NaN;
    this.streamStartTime = this.clock.now();
    this.sawData = false;
    this.streaming = true;
  }

  /**
   * The mode id answering dense capsules: from LIDAR_CONF when the firmware has it (undefined if it
   * lists none), else the A-series "Boost" id.
   */
  private async findDenseMode(): Promise<{ id: number; usPerSample?: number } | undefined> {
    const conf = async (key: number, modeId?: number): Promise<Uint8Array | undefined> => {
      const p = await this.tryRequest(
        Command.GET_LIDAR_CONF,
        lidarConfPayload(key, modeId),
        AnswerType.LIDAR_CONF,
      );
      const decoded = p ? decodeLidarConf(p) : undefined;
      return decoded && decoded.key === key ? decoded.data : undefined;
    };
    const count = await conf(LidarConfKey.SCAN_MODE_COUNT);
    if (!count || count.length < 2) return { id: ExpressMode.DENSE };
    const modes = count[0]! | (count[1]! << 8);
    for (let id = 0; id < modes; id++) {
      const answer = await conf(LidarConfKey.SCAN_MODE_ANSWER_TYPE, id);
      if (answer?.[0] !== AnswerType.DENSE_CAPSULED) continue;
      const us = await conf(LidarConfKey.SCAN_MODE_US_PER_SAMPLE, id);
      if (us && us.length >= 4) {
        const q8 = (us[0]! | (us[1]! << 8) | (us[2]! << 16) | (us[3]! << 24)) >>> 0;
        return { id, usPerSample: q8 / 256 };
      }
      return { id };
    }
    return undefined;
  }

  /** Ends the session's I/O: STOP and motor off when stopping for good, then close the port. */
  private async shutdown(forGood: boolean): Promise<void> {
    this.clock.clearTimer(this.watchdog);
    this.watchdog = undefined;
    this.streaming = false;
    this.pendingStream = undefined;
    this.assembler.discard();
    if (this.transport.isOpen) {
      if (forGood) {
        try {
          await this.transport.write(encodeRequest(Command.STOP));
          await this.stopMotor();
          // Closing discards bytes still on the wire; give them time to reach the device.
          await this.clock.sleep(this.opts.stopDelay);
        } catch {
          // The port may vanish while stopping; closing below is all that is left to do.
        }
      }
      await this.transport.close().catch(() => undefined);
    }
  }

  private pause(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.clock.clearTimer(this.wakeTimer);
        this.wake = undefined;
        resolve();
      };
      this.wakeTimer = this.clock.setTimeout(() => this.wake?.(), seconds);
    });
  }

  private setState(state: RplidarState): void {
    if (state === this.state_) return;
    this.state_ = state;
    this.stateListener(state);
  }

  // ---------------------------------------------------------------------------------------------------
  // requests

  private request(cmd: number, payload: Uint8Array | undefined, answerType: number): Promise<Uint8Array> {
    if (!this.lose) return Promise.reject(new SessionLost('session ended'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.pending === entry) this.pending = undefined;
        reject(new Error(`no answer to command 0x${cmd.toString(16)} within ${this.opts.responseTimeout} s`));
      }, this.opts.responseTimeout);
      const entry: PendingRequest = {
        type: answerType,
        resolve: (p) => {
          this.clock.clearTimer(timer);
          resolve(p);
        },
        reject: (e) => {
          this.clock.clearTimer(timer);
          reject(e);
        },
      };
      this.pending = entry;
      this.transport.write(encodeRequest(cmd, payload)).catch((e: unknown) => {
        if (this.pending === entry) this.pending = undefined;
        entry.reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  /** A request whose silence is an answer (an old firmware, a wrong baud rate); a lost port still throws. */
  private async tryRequest(
    cmd: number,
    payload: Uint8Array | undefined,
    answerType: number,
  ): Promise<Uint8Array | undefined> {
    try {
      return await this.request(cmd, payload, answerType);
    } catch (e) {
      if (e instanceof SessionLost) throw e;
      return undefined;
    }
  }

  private onResponse(d: ResponseDescriptor, payload: Uint8Array): void {
    const pending = this.pending;
    if (pending && pending.type === d.type) {
      this.pending = undefined;
      pending.resolve(payload);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // samples

  private stage(angle: number, distance: number, quality: number, start: boolean): void {
    if (this.stageCount === this.stageAngles.length) this.growStage();
    const i = this.stageCount++;
    this.stageAngles[i] = angle;
    this.stageDistances[i] = distance;
    this.stageQualities[i] = quality;
    this.stageStarts[i] = start ? 1 : 0;
  }

  private growStage(): void {
    const n = this.stageAngles.length * 2;
    const grow = <T extends Float64Array | Float32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.stageAngles = grow(this.stageAngles, (k) => new Float64Array(k));
    this.stageDistances = grow(this.stageDistances, (k) => new Float32Array(k));
    this.stageQualities = grow(this.stageQualities, (k) => new Uint8Array(k));
    this.stageStarts = grow(this.stageStarts, (k) => new Uint8Array(k));
  }

  private onData(chunk: Uint8Array): void {
    this.stageCount = 0;
    this.parser.push(chunk);
    const k = this.stageCount;
    if (k === 0 || !this.streaming) return;
    const now = this.clock.now();
    this.lastDataTime = now;
    this.sawData = true;
    // Spread the chunk's samples evenly since the previous chunk's last one; after a gap, back-date them
    // by the nominal sample period. Capsule samples were measured one capsule before they decode.
    const end = now - this.latency;
    let begin = this.lastSampleTime;
    if (!(begin >= end - 2 * k * this.sampleDt && begin <= end)) begin = end - k * this.sampleDt;
    const step = (end - begin) / k;
    for (let i = 0; i < k; i++) {
      this.assembler.push(
        this.stageAngles[i]!,
        this.stageDistances[i]!,
        this.stageQualities[i]!,
        this.stageStarts[i] === 1,
        begin + step * (i + 1),
      );
    }
    this.lastSampleTime = end;
  }

  private armWatchdog(session: number): void {
    this.clock.clearTimer(this.watchdog);
    const period = Math.min(this.opts.stallTimeout, this.opts.startupTimeout) / 4;
    this.watchdog = this.clock.setInterval(() => {
      if (this.session !== session) return;
      const now = this.clock.now();
      const silentFor = this.sawData ? now - this.lastDataTime : now - this.streamStartTime;
      const limit = this.sawData ? this.opts.stallTimeout : this.opts.startupTimeout;
      if (silentFor >= limit) {
        this.setState('stalled');
        this.lose?.({ state: 'stalled', error: `no data for ${silentFor.toFixed(2)} s` });
      }
    }, period);
  }

  private deliver(scan: LaserScan): void {
    const i = this.scanCount % RATE_WINDOW;
    this.scanStamps[i] = scan.stamp;
    this.scanSamples[i] = scan.ranges.length;
    this.scanCount++;
    this.lastScanTime = this.clock.now();
    this.scanListener(scan);
  }

  private rates(): { scanRateHz: number; samplesPerSecond: number } {
    const n = Math.min(this.scanCount, RATE_WINDOW);
    if (n < 2) return { scanRateHz: 0, samplesPerSecond: 0 };
    const newest = (this.scanCount - 1) % RATE_WINDOW;
    const oldest = (this.scanCount - n) % RATE_WINDOW;
    const span = this.scanStamps[newest]! - this.scanStamps[oldest]!;
    if (!(span > 0)) return { scanRateHz: 0, samplesPerSecond: 0 };
    let samples = 0;
    for (let j = 0; j < n - 1; j++) samples += this.scanSamples[(this.scanCount - n + j) % RATE_WINDOW]!;
    return { scanRateHz: (n - 1) / span, samplesPerSecond: samples / span };
  }
}

/** The port could not be opened (absent device node, unplugged adapter). */
function isOpenFailure(error: unknown): boolean {
  return error instanceof Error && /no such file|cannot open|ENOENT|not found/i.test(error.message);
}
