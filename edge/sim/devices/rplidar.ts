/**
 * A simulated RPLIDAR that speaks the real protocol bytes over a VirtualSerialPort: it answers GET_INFO,
 * GET_HEALTH, GET_SAMPLERATE, GET_ACC_BOARD_FLAG, GET_LIDAR_CONF, STOP, RESET, SCAN/FORCE_SCAN (standard
 * nodes) and EXPRESS_SCAN (legacy capsules for mode 0/1, dense capsules for mode 2), spins its motor by
 * DTR (A1), PWM (A2/A3 adapter board) or rpm (S series), and streams samples of a world given as
 * `rangeAt(angle, time)` at the model's sample and rotation rate, in batches timed by the port's clock.
 * Per-model rates are chosen so the stream fits the serial line (see RPLIDAR_PROFILES).
 */
import type { LidarModel } from '../../../shared/config.ts';
import type { Clock, TimerHandle } from '../../../shared/clock.ts';
import type { ModemSignals } from '../../transport/serial.ts';
import { Rng } from '../rng.ts';
import type { DevicePort, VirtualDevice } from '../virtual-serial.ts';
import {
  AnswerType,
  CAPSULE_LENGTH,
  Command,
  DENSE_SAMPLES_PER_CAPSULE,
  ExpressMode,
  FULL_TURN_Q6,
  HealthStatus,
  LEGACY_SAMPLES_PER_CAPSULE,
  LidarConfKey,
  MODEL_BYTES,
  NODE_LENGTH,
  SendMode,
  encodeDescriptor,
  encodeDeviceInfo,
  encodeHealth,
  encodeSampleRate,
  expectedDescriptor,
} from '../../drivers/rplidar/protocol.ts';

export interface RplidarProfile {
  /** UART baud rate of the model's adapter */
  baudRate: number;
  /** nominal rotation, Hz */
  rotationHz: number;
  /** samples/s in standard scan (5 B each) */
  standardRate: number;
  /** samples/s in legacy express scan (84 B per 32) */
  expressRate: number;
  /** samples/s in dense express scan (84 B per 40) */
  denseRate: number;
  minRange: number;
  maxRange: number;
  /** how the host spins the motor */
  motor: 'dtr' | 'pwm' | 'rpm';
  hardware: number;
}

/**
 * Bytes per second a stream needs: standard 5 B/sample, legacy 84/32 = 2.625 B/sample, dense 84/40 =
 * 2.1 B/sample, against baud/10 B/s. At 115200 baud that allows ~2300 standard, ~4400 legacy and ~5500
 * dense samples/s; at 256000 ~5100, ~9700 and ~12000. Rates above those need faster links or the ultra
 * capsules, which the simulator does not produce (the A3's 16 k/s mode, for instance).
 */
export const RPLIDAR_PROFILES: Readonly<Record<LidarModel, RplidarProfile>> = {
  A1M8: dev(115200, 5.5, 2000, 4000, 4000, 0.15, 12, 'dtr', 7),
  A2M8: dev(115200, 10, 2000, 4000, 4000, 0.15, 12, 'pwm', 5),
  A2M7: dev(256000, 10, 4000, 8000, 8000, 0.2, 16, 'pwm', 6),
  A2M12: dev(256000, 10, 4000, 8000, 8000, 0.2, 12, 'pwm', 6),
  A3: dev(256000, 10, 4000, 8000, 10000, 0.2, 25, 'pwm', 6),
  S1: dev(256000, 10, 4000, 8000, 9200, 0.1, 40, 'rpm', 18),
  S2: dev(1000000, 10, 16000, 16000, 32000, 0.05, 30, 'rpm', 18),
  S3: dev(1000000, 10, 16000, 16000, 32000, 0.05, 40, 'rpm', 18),
  C1: dev(460800, 10, 5000, 5000, 5000, 0.05, 12, 'pwm', 18),
};

function dev(
  baudRate: number,
  rotationHz: number,
  standardRate: number,
  expressRate: number,
  denseRate: number,
  minRange: number,
  maxRange: number,
  motor: RplidarProfile['motor'],
  hardware: number,
): RplidarProfile {
  return { baudRate, rotationHz, standardRate, expressRate, denseRate, minRange, maxRange, motor, hardware };
}

/** PWM the SDK uses by default; the simulated A2/A3 turn at their nominal rate at this duty. */
export const NOMINAL_MOTOR_PWM = 660;
/**
 * Legacy capsules report start angles this far ahead of the first sample and correct each sample with
 * dθ, like the real optics offset. It keeps dθ inside 0–3.875°, where signed and unsigned readings agree.
 */
export const LEGACY_ANGLE_BIAS_DEG = 2;

export interface VirtualRplidarOptions {
  model?: LidarModel;
  /** Range in metres along `angle` (laser frame, REP-103 radians) at `time`; Infinity = nothing in range. */
  rangeAt: (angle: number, time: number) => number;
  seed?: number;
  /** overrides the model's nominal rotation rate, Hz */
  rotationHz?: number;
  /** overrides the model's sample rates, samples/s */
  sampleRates?: Partial<Pick<RplidarProfile, 'standardRate' | 'expressRate' | 'denseRate'>>;
  /** standard deviation of the range noise, m (default 0.01) */
  rangeNoise?: number;
  /** probability that a sample with a target returns nothing (default 0.01) */
  dropoutRate?: number;
  /** relative standard deviation of the rotation rate from one revolution to the next (default 0.005) */
  rotationJitter?: number;
  /** seconds of clock time between two batches of bytes (default 0.008) */
  batchPeriod?: number;
  /** seconds from motor start to a stable rotation; no samples before (default 0.3) */
  spinUpTime?: number;
  /** A2/A3/C1: whether the adapter board answers GET_ACC_BOARD_FLAG with PWM support (default true) */
  pwmBoard?: boolean;
  firmware?: { major: number; minor: number };
  /** whether the firmware offers the dense (Boost) mode; without it LIDAR_CONF lists 2 modes (default true) */
  denseMode?: boolean;
}

export type RplidarFailure = 'none' | 'silent';
type StreamKind = 'standard' | 'legacy' | 'dense';

/** Boot banner printed after RESET (as the real firmware does on its UART). */
const resetBanner = (model: LidarModel, fw: { major: number; minor: number }, hw: number): Uint8Array =>
  new TextEncoder().encode(
    `RP LIDAR System.\r\nFirmware Ver ${fw.major}.${String(fw.minor).padStart(2, '0')} - rtm, HW Ver ${hw}\r\nModel: ${model}\r\n`,
  );

/** The scan modes GET_LIDAR_CONF reports, indexed by mode id. */
const SCAN_MODES: ReadonlyArray<{ name: string; answer: number; kind: StreamKind }> = [
  { name: 'Standard', answer: AnswerType.MEASUREMENT, kind: 'standard' },
  { name: 'Express', answer: AnswerType.CAPSULED, kind: 'legacy' },
  { name: 'Boost', answer: AnswerType.DENSE_CAPSULED, kind: 'dense' },
];

const RESET_TIME = 0.05;
/** A request whose bytes straddle a longer pause than this is line noise. */
const REQUEST_TIMEOUT = 0.02;
const MAX_REQUEST_PAYLOAD = 32;

export class VirtualRplidar implements VirtualDevice {
  readonly model: LidarModel;
  readonly profile: RplidarProfile;
  readonly baudRate: number;
  /** Every well-formed command byte received, oldest first (the last 256). */
  readonly receivedCommands: number[] = [];

  private port: DevicePort | undefined;
  private readonly rng: Rng;
  private readonly rangeAt: (angle: number, time: number) => number;
  private readonly rates: { standard: number; legacy: number; dense: number };
  private readonly nominalHz: number;
  private readonly rangeNoise: number;
  private readonly dropoutRate: number;
  private readonly rotationJitter: number;
  private readonly batchPeriod: number;
  private readonly spinUpTime: number;
  private readonly pwmBoard: boolean;
  private readonly firmware: { major: number; minor: number };
  private readonly serial = new Uint8Array(16);
  private readonly scanModes: typeof SCAN_MODES;

  private health = { status: HealthStatus.GOOD as number, errorCode: 0, clearedByReset: true };
  private failure: RplidarFailure = 'none';
  private bootingUntil = -Infinity;

  // motor
  private dtrAsserted = false;
  private pwm = 0;
  private rpm = 0;
  private motorStartedAt = 0;

  // request parser
  private readonly rx = new Uint8Array(64);
  private rxLength = 0;
  private rxTime = 0;

  // stream
  private stream: StreamKind | undefined;
  private streamTimer: TimerHandle | undefined;
  private nextSampleTime = 0;
  /** unwrapped rotation angle in degrees (vendor, clockwise) */
  private phaseDeg = 0;
  private revolutionRateFactor = 1;
  private firstFrame = true;
  /** samples waiting to fill a capsule (+1 look-ahead for the next start angle) */
  private readonly pendingAngles = new Float64Array(DENSE_SAMPLES_PER_CAPSULE + 1);
  private readonly pendingDistances = new Float64Array(DENSE_SAMPLES_PER_CAPSULE + 1);
  private pendingCount = 0;
  private readonly offsetsQ3 = new Uint8Array(LEGACY_SAMPLES_PER_CAPSULE);

  constructor(options: VirtualRplidarOptions) {
    this.model = options.model ?? 'A1M8';
    this.profile = RPLIDAR_PROFILES[this.model];
    this.baudRate = this.profile.baudRate;
    this.rangeAt = options.rangeAt;
    this.rng = new Rng(options.seed ?? 1);
    this.rates = {
      standard: options.sampleRates?.standardRate ?? this.profile.standardRate,
      legacy: options.sampleRates?.expressRate ?? this.profile.expressRate,
      dense: options.sampleRates?.denseRate ?? this.profile.denseRate,
    };
    this.nominalHz = options.rotationHz ?? this.profile.rotationHz;
    this.rangeNoise = options.rangeNoise ?? 0.01;
    this.dropoutRate = options.dropoutRate ?? 0.01;
    this.rotationJitter = options.rotationJitter ?? 0.005;
    this.batchPeriod = options.batchPeriod ?? 0.008;
    this.spinUpTime = options.spinUpTime ?? 0.3;
    this.pwmBoard = this.profile.motor === 'pwm' && (options.pwmBoard ?? true);
    this.firmware = options.firmware ?? { major: 1, minor: 29 };
    this.scanModes = options.denseMode === false ? SCAN_MODES.slice(0, 2) : SCAN_MODES;
    for (let i = 0; i < 16; i++) this.serial[i] = this.rng.int(0, 255);
    // Without a host the A1's DTR line is released, so its motor spins; S-series spin by default.
    if (this.profile.motor === 'rpm') this.rpm = this.nominalHz * 60;
  }

  attach(port: DevicePort): void {
    this.port = port;
  }

  /** Sets what GET_HEALTH reports; by default a RESET clears it, `clearedByReset: false` makes it stick. */
  setHealth(status: number, errorCode = 0, clearedByReset = true): void {
    this.health = { status, errorCode, clearedByReset };
  }

  /** 'silent': the device ignores requests and sends nothing (a hung firmware) until set back to 'none'. */
  setFailure(failure: RplidarFailure): void {
    this.failure = failure;
  }

  /** The stream being sent, if any. */
  get streaming(): StreamKind | undefined {
    return this.stream;
  }

  /** Current rotation rate in Hz (0 while the motor is stopped). */
  get rotationHz(): number {
    switch (this.profile.motor) {
      case 'dtr':
        return this.dtrAsserted ? 0 : this.nominalHz;
      case 'rpm':
        return this.rpm / 60;
      default:
        if (!this.pwmBoard) return this.dtrAsserted ? 0 : this.nominalHz;
        return (this.nominalHz * this.pwm) / NOMINAL_MOTOR_PWM;
    }
  }

  /** The sample rate of the stream being sent (samples/s), 0 when idle. */
  get sampleRate(): number {
    return this.stream ? this.rates[this.stream] : 0;
  }

  connectionChanged(connected: boolean): void {
    // Opening the port asserts DTR (motor stopped on an A1); closing releases it.
    this.setDtr(connected);
    this.rxLength = 0;
  }

  signals(signals: ModemSignals): void {
    if (signals.dtr !== undefined) this.setDtr(signals.dtr);
  }

  receive(data: Uint8Array): void {
    const clock = this.clock();
    if (!clock || this.failure === 'silent') return;
    const now = clock.now();
    if (now < this.bootingUntil) return;
    if (this.rxLength > 0 && now - this.rxTime > REQUEST_TIMEOUT) this.rxLength = 0;
    this.rxTime = now;
    for (const byte of data) {
      if (this.rxLength >= this.rx.length) this.shiftRx(1);
      this.rx[this.rxLength++] = byte;
      this.parseRequests();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // requests

  private clock(): Clock | undefined {
    return this.port?.clock;
  }

  private shiftRx(n: number): void {
    this.rx.copyWithin(0, n, this.rxLength);
    this.rxLength -= n;
  }

  private parseRequests(): void {
    for (;;) {
      let start = 0;
      while (start < this.rxLength && this.rx[start] !== 0xa5) start++;
      if (start > 0) this.shiftRx(start);
      if (this.rxLength < 2) return;
      const cmd = this.rx[1]!;
      if ((cmd & 0x80) === 0) {
        this.shiftRx(2);
        this.handle(cmd, new Uint8Array(0));
        continue;
      }
      if (this.rxLength < 3) return;
      const size = this.rx[2]!;
      if (size > MAX_REQUEST_PAYLOAD) {
        this.shiftRx(1);
        continue;
      }
      if (this.rxLength < 4 + size) return;
      let sum = 0;
      for (let i = 0; i < 3 + size; i++) sum ^= this.rx[i]!;
      if (sum !== this.rx[3 + size]) {
        this.shiftRx(1);
        continue;
      }
      const payload = this.rx.slice(3, 3 + size);
      this.shiftRx(4 + size);
      this.handle(cmd, payload);
    }
  }

  private handle(cmd: number, payload: Uint8Array): void {
    this.receivedCommands.push(cmd);
    if (this.receivedCommands.length > 256) this.receivedCommands.shift();
    switch (cmd) {
      case Command.STOP:
        this.stopStream();
        return;
      case Command.RESET:
        this.reset();
        return;
      case Command.GET_INFO:
        this.answer(
          AnswerType.DEVICE_INFO,
          encodeDeviceInfo({
            modelByte: MODEL_BYTES[this.model],
            firmwareMajor: this.firmware.major,
            firmwareMinor: this.firmware.minor,
            hardware: this.profile.hardware,
            serial: this.serial,
          }),
        );
        return;
      case Command.GET_HEALTH:
        this.answer(AnswerType.DEVICE_HEALTH, encodeHealth(this.health));
        return;
      case Command.GET_SAMPLERATE:
        this.answer(
          AnswerType.SAMPLE_RATE,
          encodeSampleRate({
            standardUs: Math.round(1e6 / this.rates.standard),
            expressUs: Math.round(1e6 / this.rates.legacy),
          }),
        );
        return;
      case Command.GET_ACC_BOARD_FLAG:
        this.answer(AnswerType.ACC_BOARD_FLAG, Uint8Array.of(this.pwmBoard ? 1 : 0, 0, 0, 0));
        return;
      case Command.GET_LIDAR_CONF:
        this.answerLidarConf(payload);
        return;
      case Command.SET_MOTOR_PWM:
        if (payload.length >= 2) this.setPwm(payload[0]! | (payload[1]! << 8));
        return;
      case Command.MOTOR_SPEED_CTRL:
        if (payload.length >= 2 && this.profile.motor === 'rpm')
          this.setRpm(payload[0]! | (payload[1]! << 8));
        return;
      case Command.SCAN:
      case Command.FORCE_SCAN:
        this.startStream('standard');
        return;
      case Command.EXPRESS_SCAN: {
        const mode = payload.length > 0 ? payload[0]! : ExpressMode.LEGACY;
        if (mode === ExpressMode.LEGACY || mode === ExpressMode.EXPRESS) this.startStream('legacy');
        else if (mode === ExpressMode.DENSE && this.scanModes.length > ExpressMode.DENSE)
          this.startStream('dense');
        return;
      }
      default:
        return;
    }
  }

  private answer(type: number, payload: Uint8Array): void {
    const out = new Uint8Array(7 + payload.length);
    out.set(encodeDescriptor({ length: payload.length, sendMode: SendMode.SINGLE, type }), 0);
    out.set(payload, 7);
    this.send(out);
  }

  private answerLidarConf(payload: Uint8Array): void {
    if (payload.length < 4) return;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const key = view.getUint32(0, true);
    const modeId = payload.length >= 6 ? view.getUint16(4, true) : 0;
    const mode = this.scanModes[modeId];
    let data: Uint8Array;
    switch (key) {
      case LidarConfKey.SCAN_MODE_COUNT:
        data = Uint8Array.of(this.scanModes.length, 0);
        break;
      case LidarConfKey.SCAN_MODE_TYPICAL:
        data = Uint8Array.of(this.scanModes.length - 1, 0);
        break;
      case LidarConfKey.SCAN_MODE_ANSWER_TYPE:
        if (!mode) return;
        data = Uint8Array.of(mode.answer);
        break;
      case LidarConfKey.SCAN_MODE_US_PER_SAMPLE:
        if (!mode) return;
        data = u32le(Math.round((1e6 / this.rates[mode.kind]) * 256));
        break;
      case LidarConfKey.SCAN_MODE_MAX_DISTANCE:
        if (!mode) return;
        data = u32le(Math.round(this.profile.maxRange * 256));
        break;
      case LidarConfKey.SCAN_MODE_NAME:
        if (!mode) return;
        data = new TextEncoder().encode(`${mode.name}\0`);
        break;
      default:
        return;
    }
    const out = new Uint8Array(4 + data.length);
    out.set(payload.subarray(0, 4), 0);
    out.set(data, 4);
    this.answer(AnswerType.LIDAR_CONF, out);
  }

  private reset(): void {
    const clock = this.clock();
    if (!clock) return;
    this.stopStream();
    if (this.health.clearedByReset)
      this.health = { status: HealthStatus.GOOD, errorCode: 0, clearedByReset: true };
    this.pwm = 0;
    if (this.profile.motor === 'rpm') this.rpm = this.nominalHz * 60;
    this.bootingUntil = clock.now() + RESET_TIME;
    this.rxLength = 0;
    clock.setTimeout(
      () => this.send(resetBanner(this.model, this.firmware, this.profile.hardware)),
      RESET_TIME,
    );
  }

  private send(bytes: Uint8Array): void {
    if (this.failure === 'silent' || !this.port) return;
    this.port.emit(bytes);
  }

  // ---------------------------------------------------------------------------------------------------
  // motor

  private setDtr(asserted: boolean): void {
    const wasSpinning = this.rotationHz > 0;
    this.dtrAsserted = asserted;
    this.motorChanged(wasSpinning);
  }

  private setPwm(pwm: number): void {
    const wasSpinning = this.rotationHz > 0;
    this.pwm = Math.min(1023, pwm);
    this.motorChanged(wasSpinning);
  }

  private setRpm(rpm: number): void {
    const wasSpinning = this.rotationHz > 0;
    this.rpm = rpm;
    this.motorChanged(wasSpinning);
  }

  private motorChanged(wasSpinning: boolean): void {
    if (!wasSpinning && this.rotationHz > 0) this.motorStartedAt = this.clock()?.now() ?? 0;
  }

  private motorStable(now: number): boolean {
    return this.rotationHz > 0 && now >= this.motorStartedAt + this.spinUpTime;
  }

  // ---------------------------------------------------------------------------------------------------
  // measurement stream

  private startStream(kind: StreamKind): void {
    const clock = this.clock();
    if (!clock || this.health.status === HealthStatus.ERROR) return;
    this.stopStream();
    const type =
      kind === 'standard'
        ? AnswerType.MEASUREMENT
        : kind === 'legacy'
          ? AnswerType.CAPSULED
          : AnswerType.DENSE_CAPSULED;
    const expected = expectedDescriptor(type)!;
    this.send(encodeDescriptor({ length: expected.length, sendMode: expected.sendMode, type }));
    this.stream = kind;
    this.firstFrame = true;
    this.pendingCount = 0;
    this.nextSampleTime = clock.now();
    this.streamTimer = clock.setInterval(() => this.tick(), this.batchPeriod);
  }

  private stopStream(): void {
    this.clock()?.clearTimer(this.streamTimer);
    this.streamTimer = undefined;
    this.stream = undefined;
  }

  private tick(): void {
    const clock = this.clock();
    const kind = this.stream;
    if (!clock || !kind) return;
    const now = clock.now();
    const rate = this.rates[kind];
    if (!this.motorStable(now) || this.failure === 'silent' || !this.port?.hostConnected()) {
      // Nothing measured (motor not at speed) or nobody listening: no backlog builds up.
      this.nextSampleTime = now;
      this.pendingCount = 0;
      this.firstFrame = true;
      return;
    }
    const dt = 1 / rate;
    const count = Math.max(0, Math.floor((now - this.nextSampleTime) / dt) + 1);
    if (count === 0) return;
    if (kind === 'standard') {
      const out = new Uint8Array(count * NODE_LENGTH);
      for (let i = 0; i < count; i++) {
        const t = this.nextSampleTime;
        const before = Math.floor(this.phaseDeg / 360);
        this.advancePhase(dt);
        const wrapped = Math.floor(this.phaseDeg / 360) !== before;
        const range = this.measure(this.phaseDeg, t);
        const quality = range > 0 ? Math.max(10, 47 - Math.round(range)) : 0;
        encodeStandardNode(out, i * NODE_LENGTH, mod360(this.phaseDeg), range * 1000, quality, wrapped);
        this.nextSampleTime += dt;
      }
      this.send(out);
      return;
    }
    const perCapsule = kind === 'legacy' ? LEGACY_SAMPLES_PER_CAPSULE : DENSE_SAMPLES_PER_CAPSULE;
    const capsules: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const t = this.nextSampleTime;
      this.advancePhase(dt);
      this.pendingAngles[this.pendingCount] = this.phaseDeg;
      this.pendingDistances[this.pendingCount] = this.measure(this.phaseDeg, t) * 1000;
      this.pendingCount++;
      this.nextSampleTime += dt;
      if (this.pendingCount === perCapsule + 1) {
        capsules.push(kind === 'legacy' ? this.legacyCapsule() : this.denseCapsule());
        // The look-ahead sample opens the next capsule.
        this.pendingAngles[0] = this.pendingAngles[perCapsule]!;
        this.pendingDistances[0] = this.pendingDistances[perCapsule]!;
        this.pendingCount = 1;
        this.firstFrame = false;
      }
    }
    if (capsules.length === 0) return;
    const out = new Uint8Array(capsules.length * CAPSULE_LENGTH);
    capsules.forEach((c, i) => out.set(c, i * CAPSULE_LENGTH));
    this.send(out);
  }

  private advancePhase(dt: number): void {
    const before = Math.floor(this.phaseDeg / 360);
    this.phaseDeg += 360 * this.rotationHz * this.revolutionRateFactor * dt;
    if (Math.floor(this.phaseDeg / 360) !== before) {
      this.revolutionRateFactor = 1 + this.rotationJitter * this.rng.gaussian();
    }
  }

  /** Range the device reports at vendor angle `phaseDeg`, m; 0 = no return. */
  private measure(phaseDeg: number, time: number): number {
    const vendor = mod360(phaseDeg);
    let theta = (-vendor * Math.PI) / 180;
    if (theta <= -Math.PI) theta += 2 * Math.PI;
    const truth = this.rangeAt(theta, time);
    const noise = this.rng.gaussian(0, this.rangeNoise);
    if (!Number.isFinite(truth) || truth > this.profile.maxRange || truth < this.profile.minRange) return 0;
    if (this.rng.chance(this.dropoutRate)) return 0;
    return Math.max(this.profile.minRange, truth + noise);
  }

  private legacyCapsule(): Uint8Array {
    const angles = this.pendingAngles;
    const startQ6 = toQ6(angles[0]! + LEGACY_ANGLE_BIAS_DEG);
    const nextQ6 = toQ6(angles[LEGACY_SAMPLES_PER_CAPSULE]! + LEGACY_ANGLE_BIAS_DEG);
    legacyAngleOffsetsQ3(startQ6, nextQ6, angles, this.offsetsQ3);
    return encodeLegacyCapsule(startQ6, this.firstFrame, this.pendingDistances, this.offsetsQ3);
  }

  private denseCapsule(): Uint8Array {
    return encodeDenseCapsule(toQ6(this.pendingAngles[0]!), this.firstFrame, this.pendingDistances);
  }
}

// -----------------------------------------------------------------------------------------------------
// Encoders (exported so tests can round-trip them through the driver's parser)

const mod360 = (deg: number): number => ((deg % 360) + 360) % 360;

/** Degrees (any turn) → q6 start angle in [0, 360·64). */
export const toQ6 = (deg: number): number => Math.round(mod360(deg) * 64) % FULL_TURN_Q6;

/** Writes one standard node (answer 0x81) at `offset`. Distances beyond 16383.75 mm are sent as 0. */
export function encodeStandardNode(
  out: Uint8Array,
  offset: number,
  angleDeg: number,
  distanceMm: number,
  quality: number,
  startOfRevolution: boolean,
): void {
  const angleQ6 = toQ6(angleDeg);
  const q2 = Math.round(distanceMm * 4);
  const distanceQ2 = q2 > 0xffff || q2 < 0 ? 0 : q2;
  const s = startOfRevolution ? 1 : 0;
  out[offset] = ((Math.max(0, Math.min(63, Math.round(quality))) << 2) | ((s ^ 1) << 1) | s) & 0xff;
  out[offset + 1] = ((angleQ6 & 0x7f) << 1) | 1;
  out[offset + 2] = (angleQ6 >> 7) & 0xff;
  out[offset + 3] = distanceQ2 & 0xff;
  out[offset + 4] = (distanceQ2 >> 8) & 0xff;
}

/**
 * dθ (q3, 0–31 = 0–3.875°) for each of the 32 samples of a legacy capsule so that the decoder's
 * start + ΔA·k/32 − dθ lands on `anglesDeg[k]` (unwrapped degrees, anglesDeg[0] ≈ start − bias).
 */
export function legacyAngleOffsetsQ3(
  startQ6: number,
  nextStartQ6: number,
  anglesDeg: ArrayLike<number>,
  out: Uint8Array,
): void {
  let diffQ8 = (nextStartQ6 << 2) - (startQ6 << 2);
  if (diffQ8 < 0) diffQ8 += 360 << 8;
  const incQ16 = diffQ8 << 3;
  // The start angle in the same (unwrapped) turn as the first sample.
  let startDeg = startQ6 / 64;
  const first = anglesDeg[0]!;
  startDeg += 360 * Math.round((first - startDeg) / 360);
  for (let k = 0; k < LEGACY_SAMPLES_PER_CAPSULE; k++) {
    const interpolated = startDeg + (k * incQ16) / 65536;
    const q3 = Math.round((interpolated - anglesDeg[k]!) * 8);
    out[k] = Math.max(0, Math.min(31, q3));
  }
}

function withChecksum(out: Uint8Array, sync1: number, sync2: number): Uint8Array {
  let sum = 0;
  for (let i = 2; i < CAPSULE_LENGTH; i++) sum ^= out[i]!;
  out[0] = sync1 | (sum & 0xf);
  out[1] = sync2 | (sum >> 4);
  return out;
}

const capsuleDistanceMm = (mm: number): number => {
  const v = Math.round(mm);
  return v > 0 && v <= 0x3fff ? v : 0;
};

/** A legacy express capsule (answer 0x82): 32 distances (mm) and 32 dθ values (q3, 0–63). */
export function encodeLegacyCapsule(
  startQ6: number,
  newStream: boolean,
  distancesMm: ArrayLike<number>,
  offsetsQ3: ArrayLike<number>,
): Uint8Array {
  const out = new Uint8Array(CAPSULE_LENGTH);
  const start = (startQ6 & 0x7fff) | (newStream ? 0x8000 : 0);
  out[2] = start & 0xff;
  out[3] = start >> 8;
  for (let c = 0; c < 16; c++) {
    const base = 4 + 5 * c;
    const o1 = offsetsQ3[2 * c]! & 0x3f;
    const o2 = offsetsQ3[2 * c + 1]! & 0x3f;
    const d1 = (capsuleDistanceMm(distancesMm[2 * c]!) << 2) | (o1 >> 4);
    const d2 = (capsuleDistanceMm(distancesMm[2 * c + 1]!) << 2) | (o2 >> 4);
    out[base] = d1 & 0xff;
    out[base + 1] = d1 >> 8;
    out[base + 2] = d2 & 0xff;
    out[base + 3] = d2 >> 8;
    out[base + 4] = (o1 & 0xf) | ((o2 & 0xf) << 4);
  }
  return withChecksum(out, 0xa0, 0x50);
}

/** A dense express capsule (answer 0x85): 40 distances in mm (u16). */
export function encodeDenseCapsule(
  startQ6: number,
  newStream: boolean,
  distancesMm: ArrayLike<number>,
): Uint8Array {
  const out = new Uint8Array(CAPSULE_LENGTH);
  const start = (startQ6 & 0x7fff) | (newStream ? 0x8000 : 0);
  out[2] = start & 0xff;
  out[3] = start >> 8;
  for (let k = 0; k < DENSE_SAMPLES_PER_CAPSULE; k++) {
    const v = Math.round(distancesMm[k]!);
    const mm = v > 0 && v <= 0xffff ? v : 0;
    out[4 + 2 * k] = mm & 0xff;
    out[5 + 2 * k] = mm >> 8;
  }
  return withChecksum(out, 0xa0, 0x50);
}

function u32le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
