/**
 * iRobot Create 2 driver (shell): Start → Safe → Stream over a serial transport, Drive Direct from body
 * twists, odometry from the encoder packets, safety and battery from the rest of the frame.
 */
import type { Clock } from '../../../shared/clock.ts';
import type { BaseConfig } from '../../../shared/config.ts';
import type { Odometry } from '../../../shared/sensors.ts';
import type { TransportFactory } from '../../transport/serial.ts';
import type { BatteryState, ChargingState, DriveBase, DriveBaseHealth, SafetyState } from '../base.ts';
import { BaseLink } from '../base-link.ts';
import { DiffDriveOdometry, twistToWheels } from '../odometry.ts';
import {
  BumpBits,
  encodeDriveDirect,
  encodePauseResumeStream,
  encodeQueryList,
  encodeSafe,
  encodeStart,
  encodeStream,
  MAX_WHEEL_SPEED_MM,
  OI_BAUD,
  OiMode,
  OiStreamParser,
  Packet,
} from './oi.ts';

/** What the driver streams: everything the safety gate, odometry and battery need, 37 bytes per frame. */
export const CREATE2_STREAM_IDS: readonly number[] = [
  Packet.BumpsWheelDrops,
  Packet.CliffLeft,
  Packet.CliffFrontLeft,
  Packet.CliffFrontRight,
  Packet.CliffRight,
  Packet.ChargingState,
  Packet.Voltage,
  Packet.Current,
  Packet.BatteryCharge,
  Packet.BatteryCapacity,
  Packet.OiMode,
  Packet.LeftEncoder,
  Packet.RightEncoder,
  Packet.LightBumper,
];

const CHARGING: readonly ChargingState[] = [
  'not-charging',
  'reconditioning',
  'full-charging',
  'trickle-charging',
  'waiting',
  'fault',
];

/** s to wait for bytes on the wire to arrive (a 37-byte frame takes 3.2 ms at 115200 baud) */
const QUERY_SETTLE = 0.03;
/** s between OI mode changes, as the spec asks */
const MODE_CHANGE_DELAY = 0.02;
/** s between re-sends of an unchanged velocity */
const RESEND_PERIOD = 0.2;
/** s between attempts to re-enter Safe mode after the robot dropped to Passive (cliff, wheel drop) */
const SAFE_RETRY_PERIOD = 1;

export class Create2Driver implements DriveBase {
  readonly type = 'create2' as const;
  readonly maxWheelSpeed = MAX_WHEEL_SPEED_MM / 1000;
  private readonly link: BaseLink;
  private readonly parser = new OiStreamParser(CREATE2_STREAM_IDS);
  private readonly odometry: DiffDriveOdometry;
  private odometryListeners: Array<(o: Odometry) => void> = [];
  private safetyListeners: Array<(s: SafetyState) => void> = [];
  private lastSafety: SafetyState | undefined;
  private lastSafetyBits = -1;
  private batteryStamp = Number.NaN;
  /** mV, mA, mAh, capacity mAh, charging state */
  private readonly batteryRaw = new Int32Array(5);
  private leftMm = 0;
  private rightMm = 0;
  private lastSentAt = -Infinity;
  private sentLeftMm = Number.NaN;
  private sentRightMm = Number.NaN;
  private mode = -1;
  private lastSafeRequest = -Infinity;
  /** while set, received bytes are a query's raw answer rather than stream frames */
  private rawReply: number[] | undefined;

  constructor(
    private readonly config: BaseConfig,
    transports: TransportFactory,
    private readonly clock: Clock,
  ) {
    this.odometry = new DiffDriveOdometry({
      wheelBase: config.wheelBase,
      wheelDiameter: config.wheelDiameter,
      countsPerRevolution: config.countsPerRevolution,
      counterBits: 16,
      maxWheelSpeed: this.maxWheelSpeed,
    });
    this.link = new BaseLink(clock, transports, {
      name: 'Create 2',
      path: config.serial.path,
      baudRate: config.serial.baudRate ?? OI_BAUD,
      stallTimeout: 0.5,
      keepAlivePeriod: 0.05,
      initialBackoff: 0.25,
      maxBackoff: 4,
    });
    this.link.bind({
      receive: (chunk) => this.receive(chunk),
      handshake: () => this.handshake(),
      keepAlive: () => this.keepAlive(),
      shutdown: () => this.shutdown(),
    });
  }

  start(): Promise<void> {
    return this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  drive(v: number, omega: number): void {
    const w = twistToWheels(v, omega, this.config.wheelBase, this.maxWheelSpeed);
    this.leftMm = Math.round(w.left * 1000);
    this.rightMm = Math.round(w.right * 1000);
    if (this.leftMm !== this.sentLeftMm || this.rightMm !== this.sentRightMm) this.sendVelocity();
  }

  onOdometry(listener: (odometry: Odometry) => void): void {
    this.odometryListeners.push(listener);
  }

  onSafety(listener: (safety: SafetyState) => void): void {
    this.safetyListeners.push(listener);
  }

  safety(): SafetyState | undefined {
    return this.lastSafety;
  }

  battery(): BatteryState | undefined {
    if (Number.isNaN(this.batteryStamp)) return undefined;
    const [mv, ma, mah, capacityMah, charging] = this.batteryRaw;
    return {
      stamp: this.batteryStamp,
      voltage: mv! / 1000,
      current: ma! / 1000,
      charge: mah! / 1000,
      capacity: capacityMah! / 1000,
      percent: capacityMah! > 0 ? Math.min(100, (100 * mah!) / capacityMah!) : 0,
      charging: CHARGING[charging!] ?? 'fault',
    };
  }

  health(): DriveBaseHealth {
    return this.link.health();
  }

  /** OI mode from the last frame (0 off, 1 passive, 2 safe, 3 full), -1 before the first. */
  oiMode(): number {
    return this.mode;
  }

  private async handshake(): Promise<void> {
    this.parser.reset();
    this.mode = -1;
    if ((await this.queryMode()) === undefined) {
      // Off mode: the robot was reset or power-cycled, so its encoder counters restarted at 0. A robot
      // that answers kept counting while the host was away, and the baseline stays valid.
      this.odometry.rebaseline();
    }
    // Two tries: a robot that was mid-reset or asleep may miss the first Start.
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.link.write(encodeStart());
      await this.clock.sleep(MODE_CHANGE_DELAY);
      await this.link.write(encodeSafe());
      await this.clock.sleep(MODE_CHANGE_DELAY);
      await this.link.write(encodeStream(CREATE2_STREAM_IDS));
      this.lastSafeRequest = this.clock.now();
      if (await this.link.waitForFrames(1, 0.5)) {
        this.sentLeftMm = this.sentRightMm = Number.NaN;
        this.sendVelocity();
        return;
      }
    }
    throw new Error('no sensor stream from the robot (is it switched on, and the cable in?)');
  }

  /** The OI mode by Query List, or undefined if the robot does not answer (it is in Off mode). */
  private async queryMode(): Promise<number | undefined> {
    // A stream left running by an earlier connection would interleave with the answer: pause it and let
    // the frames already on the wire arrive first.
    await this.link.write(encodePauseResumeStream(false));
    this.rawReply = [];
    await this.clock.sleep(QUERY_SETTLE);
    this.rawReply = [];
    await this.link.write(encodeQueryList([Packet.OiMode]));
    await this.clock.sleep(QUERY_SETTLE);
    const reply = this.rawReply;
    this.rawReply = undefined;
    return reply.length === 1 && reply[0]! <= OiMode.Full ? reply[0] : undefined;
  }

  private keepAlive(): void {
    const now = this.clock.now();
    const moving = this.leftMm !== 0 || this.rightMm !== 0;
    // The robot falls back to Passive on a cliff or wheel drop; once the mission asks to move again,
    // re-enter Safe (the robot refuses if the condition persists, and drops back).
    if (moving && this.mode === OiMode.Passive && now - this.lastSafeRequest >= SAFE_RETRY_PERIOD) {
      this.lastSafeRequest = now;
      void this.link.write(encodeSafe());
      this.sentLeftMm = Number.NaN;
    }
    if (now - this.lastSentAt >= RESEND_PERIOD || Number.isNaN(this.sentLeftMm)) this.sendVelocity();
  }

  private sendVelocity(): void {
    this.sentLeftMm = this.leftMm;
    this.sentRightMm = this.rightMm;
    this.lastSentAt = this.clock.now();
    void this.link.write(encodeDriveDirect(this.rightMm, this.leftMm));
  }

  private async shutdown(): Promise<void> {
    this.leftMm = this.rightMm = 0;
    await this.link.write(encodeDriveDirect(0, 0));
    await this.link.write(encodePauseResumeStream(false));
    await this.clock.sleep(MODE_CHANGE_DELAY);
    // Start puts the robot back in Passive, the mode in which it charges and its buttons work.
    await this.link.write(encodeStart());
    // Let the bytes leave the UART before the port closes.
    await this.clock.sleep(MODE_CHANGE_DELAY);
  }

  private receive(chunk: Uint8Array): void {
    if (this.rawReply) {
      for (const b of chunk) this.rawReply.push(b);
      return;
    }
    const okBefore = this.parser.framesOk;
    const badBefore = this.parser.framesBad;
    this.parser.push(chunk, (values) => this.onFrame(values));
    this.link.countFrames(this.parser.framesOk - okBefore, this.parser.framesBad - badBefore);
  }

  private onFrame(values: Int32Array): void {
    const stamp = this.clock.now();
    this.mode = values[Packet.OiMode]!;

    const odom = this.odometry.update(stamp, values[Packet.LeftEncoder]!, values[Packet.RightEncoder]!);
    if (odom) for (const l of this.odometryListeners) l(odom);

    const bumps = values[Packet.BumpsWheelDrops]! & 0x0f;
    const cliffs =
      (values[Packet.CliffLeft]! ? 1 : 0) |
      (values[Packet.CliffFrontLeft]! ? 2 : 0) |
      (values[Packet.CliffFrontRight]! ? 4 : 0) |
      (values[Packet.CliffRight]! ? 8 : 0);
    const light = values[Packet.LightBumper]! & 0x3f;
    const bits = bumps | (cliffs << 4) | (light << 8);
    if (bits !== this.lastSafetyBits) {
      this.lastSafetyBits = bits;
      const safety: SafetyState = {
        stamp,
        bumpLeft: (bumps & BumpBits.BumpLeft) !== 0,
        bumpRight: (bumps & BumpBits.BumpRight) !== 0,
        wheelDropLeft: (bumps & BumpBits.WheelDropLeft) !== 0,
        wheelDropRight: (bumps & BumpBits.WheelDropRight) !== 0,
        cliffLeft: (cliffs & 1) !== 0,
        cliffFrontLeft: (cliffs & 2) !== 0,
        cliffFrontRight: (cliffs & 4) !== 0,
        cliffRight: (cliffs & 8) !== 0,
        lightBumper: light,
      };
      this.lastSafety = safety;
      for (const l of this.safetyListeners) l(safety);
    }

    // Kept raw; battery() builds the object only when someone asks.
    this.batteryStamp = stamp;
    this.batteryRaw[0] = values[Packet.Voltage]!;
    this.batteryRaw[1] = values[Packet.Current]!;
    this.batteryRaw[2] = values[Packet.BatteryCharge]!;
    this.batteryRaw[3] = values[Packet.BatteryCapacity]!;
    this.batteryRaw[4] = values[Packet.ChargingState]!;
  }
}
