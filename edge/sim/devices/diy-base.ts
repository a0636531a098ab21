/**
 * A virtual DIY motor controller following firmware-config/diy-base-protocol.md over a DiffDriveBody:
 * HELLO/VER, VEL/STOP with the 300 ms watchdog, ERR replies, ODO reports every 20 ms of clock time with
 * unsigned 32-bit wrapping counters, and a 3-cell Li-ion battery that drains with motor use.
 *
 * Like VirtualCreate2 it does not step the body; the simulation does.
 */
import type { TimerHandle } from '../../../shared/clock.ts';
import {
  decodeHostCommand,
  DIY_BAUD,
  DIY_PROTOCOL_VERSION,
  DiyErrorCode,
  DiyLineFramer,
  encodeErr,
  encodeOdo,
  encodeVer,
  Feature,
  lineBytes,
  REPORT_PERIOD,
  SafetyBit,
  StatusFlag,
  WATCHDOG_TIMEOUT,
} from '../../drivers/diy-base/protocol.ts';
import type { DiffDriveBody } from '../body.ts';
import type { DevicePort, VirtualDevice } from '../virtual-serial.ts';

export interface VirtualDiyBaseOptions {
  /** mm/s, the controller's speed limit (announced in VER); default 500 */
  maxSpeedMm?: number;
  firmware?: string;
  /** battery capacity in mAh; default 5000 */
  capacityMah?: number;
  /** initial charge as a fraction; default 1 */
  initialCharge?: number;
  /** initial counter values, to exercise the 32-bit wrap; default 0 */
  initialCounts?: { left: number; right: number };
  /** mA drawn with the motors idle; default 150 */
  idleCurrentMa?: number;
  /** mA per (m/s) of wheel speed per wheel; default 1500 */
  motorCurrentPerSpeed?: number;
}

const EMPTY_MV = 9900;
const FULL_MV = 12600;

export class VirtualDiyBase implements VirtualDevice {
  readonly baudRate = DIY_BAUD;
  readonly maxSpeedMm: number;
  /** StatusFlag bits as sent in the last report */
  flags: number = StatusFlag.Watchdog | StatusFlag.Booted;
  /** mAh */
  charge: number;
  /** lines from the host that passed framing and decoding */
  commandsOk = 0;
  /** ERR replies sent */
  errorsSent = 0;
  private port: DevicePort | undefined;
  private loop: TimerHandle | undefined;
  private readonly framer = new DiyLineFramer();
  private lastCommand = -Infinity;
  private seq = 0;
  private currentMa = 0;
  private lastUpdate = Number.NaN;
  private readonly capacity: number;
  private readonly firmware: string;
  private readonly offsetLeft: number;
  private readonly offsetRight: number;
  private readonly idleMa: number;
  private readonly motorMaPerSpeed: number;

  constructor(
    readonly body: DiffDriveBody,
    options: VirtualDiyBaseOptions = {},
  ) {
    this.maxSpeedMm = options.maxSpeedMm ?? 500;
    this.firmware = options.firmware ?? 'swath-sim-diy';
    this.capacity = options.capacityMah ?? 5000;
    this.charge = this.capacity * (options.initialCharge ?? 1);
    this.offsetLeft = options.initialCounts?.left ?? 0;
    this.offsetRight = options.initialCounts?.right ?? 0;
    this.idleMa = options.idleCurrentMa ?? 150;
    this.motorMaPerSpeed = options.motorCurrentPerSpeed ?? 1500;
  }

  attach(port: DevicePort): void {
    this.port = port;
    port.clock.clearTimer(this.loop);
    this.lastUpdate = port.clock.now();
    this.loop = port.clock.setInterval(() => this.tick(), REPORT_PERIOD);
  }

  /** Ends the controller's loop (power off). */
  detach(): void {
    this.port?.clock.clearTimer(this.loop);
    this.loop = undefined;
  }

  receive(data: Uint8Array): void {
    this.framer.push(
      data,
      (body) => this.handle(body),
      (code) => this.replyError(code),
    );
  }

  /** The counters as the firmware would print them. */
  counters(): { left: number; right: number } {
    return {
      left: (Math.floor(this.body.leftCounts) + this.offsetLeft) >>> 0,
      right: (Math.floor(this.body.rightCounts) + this.offsetRight) >>> 0,
    };
  }

  voltageMv(): number {
    return Math.round(EMPTY_MV + (FULL_MV - EMPTY_MV) * Math.max(0, this.charge / this.capacity));
  }

  private handle(body: string): void {
    const cmd = decodeHostCommand(body);
    if (cmd.type === 'error') {
      this.replyError(cmd.code);
      return;
    }
    this.commandsOk++;
    switch (cmd.type) {
      case 'HELLO':
        if (cmd.protocol !== DIY_PROTOCOL_VERSION) {
          this.replyError(DiyErrorCode.Version);
          return;
        }
        this.flags &= ~StatusFlag.Booted;
        this.reply(
          encodeVer({
            protocol: DIY_PROTOCOL_VERSION,
            firmware: this.firmware,
            maxSpeed: this.maxSpeedMm,
            emptyMv: EMPTY_MV,
            fullMv: FULL_MV,
            features: Feature.Current | Feature.Cliffs | Feature.WheelDrops,
          }),
        );
        return;
      case 'VEL': {
        this.lastCommand = this.now();
        this.flags &= ~StatusFlag.Watchdog;
        // Clamp keeping the ratio of the two speeds, as the spec asks.
        const peak = Math.max(Math.abs(cmd.left), Math.abs(cmd.right));
        const scale = peak > this.maxSpeedMm ? this.maxSpeedMm / peak : 1;
        if (scale < 1) this.flags |= StatusFlag.Clamped;
        else this.flags &= ~StatusFlag.Clamped;
        this.body.setWheelSpeeds((cmd.left * scale) / 1000, (cmd.right * scale) / 1000);
        return;
      }
      case 'STOP':
        this.lastCommand = this.now();
        this.flags &= ~(StatusFlag.Watchdog | StatusFlag.Clamped);
        this.body.setWheelSpeeds(0, 0);
        return;
    }
  }

  private tick(): void {
    const now = this.now();
    const dt = now - this.lastUpdate;
    this.lastUpdate = now;
    if (now - this.lastCommand > WATCHDOG_TIMEOUT && !(this.flags & StatusFlag.Watchdog)) {
      this.flags |= StatusFlag.Watchdog;
      this.flags &= ~StatusFlag.Clamped;
      this.body.setWheelSpeeds(0, 0);
    }
    if (dt > 0) {
      this.currentMa = -(
        this.idleMa +
        this.motorMaPerSpeed * (Math.abs(this.body.leftSpeed) + Math.abs(this.body.rightSpeed))
      );
      this.charge = Math.max(0, this.charge + (this.currentMa * dt) / 3600);
    }
    const b = this.body;
    const cliffs = b.cliffBits();
    const safety =
      (b.bumpLeft ? SafetyBit.BumpLeft : 0) |
      (b.bumpRight ? SafetyBit.BumpRight : 0) |
      (cliffs & 1 ? SafetyBit.CliffLeft : 0) |
      (cliffs & 2 ? SafetyBit.CliffFrontLeft : 0) |
      (cliffs & 4 ? SafetyBit.CliffFrontRight : 0) |
      (cliffs & 8 ? SafetyBit.CliffRight : 0) |
      (b.wheelDropLeft ? SafetyBit.WheelDropLeft : 0) |
      (b.wheelDropRight ? SafetyBit.WheelDropRight : 0);
    const { left, right } = this.counters();
    this.reply(
      encodeOdo({
        seq: this.seq,
        left,
        right,
        safety,
        millivolts: this.voltageMv(),
        milliamps: Math.round(this.currentMa),
        flags: this.flags,
      }),
    );
    this.seq = (this.seq + 1) & 0xffff;
  }

  private now(): number {
    return this.port ? this.port.clock.now() : 0;
  }

  private replyError(code: number): void {
    this.errorsSent++;
    this.reply(encodeErr(code));
  }

  private reply(line: string): void {
    if (this.port?.hostConnected()) this.port.emit(lineBytes(line));
  }
}
