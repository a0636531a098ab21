/**
 * A virtual iRobot Create 2 behind a VirtualSerialPort: OI modes, Sensors / Query List answers, a stream
 * frame every 15 ms of clock time, Drive / Drive Direct / Drive PWM moving a DiffDriveBody, Safe mode's
 * cliff and wheel-drop protection, and a battery that drains with motor use.
 *
 * The device does NOT step the body: the simulation steps it (body.step(dt) from a clock interval) and
 * the device only sets wheel speeds and reads sensors, on its own 15 ms control loop started by attach().
 * Like the real robot, it keeps the last drive command when the cable is pulled.
 */
import type { TimerHandle } from '../../../shared/clock.ts';
import {
  BumpBits,
  DriveRadius,
  encodeSensorData,
  encodeStreamFrame,
  isSupportedPacket,
  MAX_PACKET_ID,
  MAX_WHEEL_SPEED_MM,
  OI_BAUD,
  OiCommandParser,
  OiMode,
  Opcode,
  Packet,
  readI16,
  STREAM_PERIOD,
} from '../../drivers/create2/oi.ts';
import type { DiffDriveBody } from '../body.ts';
import type { DevicePort, VirtualDevice } from '../virtual-serial.ts';

export interface VirtualCreate2Options {
  /** mAh when full; default 2696 (what a new Create 2 reports) */
  capacityMah?: number;
  /** initial charge as a fraction of capacity; default 1 */
  initialCharge?: number;
  /** initial raw encoder readings, to exercise the 16-bit wrap; default 0 */
  initialEncoder?: { left: number; right: number };
  /** mA drawn with the motors idle (electronics, sensors); default 300 */
  idleCurrentMa?: number;
  /** mA per (m/s) of wheel speed, per wheel; default 1200 */
  motorCurrentPerSpeed?: number;
}

/** Text the robot prints after a reset; the host's frame parser must skip it. */
export const CREATE2_BOOT_BANNER = 'bl-start\r\nSwath virtual Create 2\r\nbattery-current-zero 258\r\n';

/** A free-running counter's low 16 bits, as a signed value. */
function raw16(counts: number, offset: number): number {
  const v = (Math.floor(counts) + offset) & 0xffff;
  return v >= 0x8000 ? v - 0x10000 : v;
}

const EMPTY_MV = 12000;
const FULL_MV = 16800;

export class VirtualCreate2 implements VirtualDevice {
  readonly baudRate = OI_BAUD;
  /** OiMode value */
  mode: number = OiMode.Off;
  /** mAh */
  charge: number;
  readonly capacity: number;
  /** commands the robot received, by opcode, for tests and diagnostics */
  readonly commandCounts = new Map<number, number>();
  private port: DevicePort | undefined;
  private loop: TimerHandle | undefined;
  private readonly parser = new OiCommandParser();
  private readonly values = new Int32Array(MAX_PACKET_ID + 1);
  private streamIds: number[] = [];
  private streaming = false;
  private lastUpdate = Number.NaN;
  private currentMa = 0;
  private encoderOffsetLeft: number;
  private encoderOffsetRight: number;
  private readonly idleMa: number;
  private readonly motorMaPerSpeed: number;

  constructor(
    readonly body: DiffDriveBody,
    options: VirtualCreate2Options = {},
  ) {
    this.capacity = options.capacityMah ?? 2696;
    this.charge = this.capacity * (options.initialCharge ?? 1);
    this.encoderOffsetLeft = options.initialEncoder?.left ?? 0;
    this.encoderOffsetRight = options.initialEncoder?.right ?? 0;
    this.idleMa = options.idleCurrentMa ?? 300;
    this.motorMaPerSpeed = options.motorCurrentPerSpeed ?? 1200;
  }

  attach(port: DevicePort): void {
    this.port = port;
    this.port.clock.clearTimer(this.loop);
    this.lastUpdate = port.clock.now();
    this.loop = port.clock.setInterval(() => this.controlLoop(), STREAM_PERIOD);
  }

  /** Ends the control loop (the robot is switched off). */
  detach(): void {
    this.port?.clock.clearTimer(this.loop);
    this.loop = undefined;
  }

  receive(data: Uint8Array): void {
    this.parser.push(data, (op, payload) => this.command(op, payload));
  }

  /** Battery voltage for the current charge, mV. */
  voltageMv(): number {
    return Math.round(EMPTY_MV + (FULL_MV - EMPTY_MV) * Math.max(0, this.charge / this.capacity));
  }

  /** Raw 16-bit encoder readings as the robot reports them (signed). */
  encoderReadings(): { left: number; right: number } {
    return {
      left: raw16(this.body.leftCounts, this.encoderOffsetLeft),
      right: raw16(this.body.rightCounts, this.encoderOffsetRight),
    };
  }

  private command(op: number, data: Uint8Array): void {
    this.commandCounts.set(op, (this.commandCounts.get(op) ?? 0) + 1);
    const drivable = this.mode === OiMode.Safe || this.mode === OiMode.Full;
    switch (op) {
      case Opcode.Start:
        // From any mode: Passive; the wheels stop because Passive cannot drive.
        this.mode = OiMode.Passive;
        this.body.setWheelSpeeds(0, 0);
        break;
      case Opcode.Reset:
        this.mode = OiMode.Off;
        this.streaming = false;
        this.body.setWheelSpeeds(0, 0);
        // The counters restart with the firmware.
        this.encoderOffsetLeft = -Math.floor(this.body.leftCounts);
        this.encoderOffsetRight = -Math.floor(this.body.rightCounts);
        this.emit(Uint8Array.from(CREATE2_BOOT_BANNER, (c) => c.charCodeAt(0)));
        break;
      case Opcode.Safe:
        if (this.mode !== OiMode.Off) this.mode = OiMode.Safe;
        break;
      case Opcode.Full:
        if (this.mode !== OiMode.Off) this.mode = OiMode.Full;
        break;
      case Opcode.Stop:
      case Opcode.Power:
        this.mode = OiMode.Off;
        this.streaming = false;
        this.body.setWheelSpeeds(0, 0);
        break;
      case Opcode.SeekDock:
        // The robot leaves OI control to look for its dock; the simulated world has none to find.
        if (this.mode !== OiMode.Off) {
          this.mode = OiMode.Passive;
          this.body.setWheelSpeeds(0, 0);
        }
        break;
      case Opcode.DriveDirect:
        if (drivable) this.setWheelsMm(readI16(data, 2), readI16(data, 0));
        break;
      case Opcode.DrivePwm:
        if (drivable)
          this.setWheelsMm(
            (readI16(data, 2) / 255) * MAX_WHEEL_SPEED_MM,
            (readI16(data, 0) / 255) * MAX_WHEEL_SPEED_MM,
          );
        break;
      case Opcode.Drive:
        if (drivable) this.drive(readI16(data, 0), ((data[2]! << 8) | data[3]!) & 0xffff);
        break;
      case Opcode.Sensors:
        if (this.mode !== OiMode.Off && isSupportedPacket(data[0]!)) this.answer([data[0]!]);
        break;
      case Opcode.QueryList:
        if (this.mode !== OiMode.Off) this.answer(Array.from(data.subarray(1)).filter(isSupportedPacket));
        break;
      case Opcode.Stream:
        if (this.mode !== OiMode.Off) {
          this.streamIds = Array.from(data.subarray(1)).filter(isSupportedPacket);
          this.streaming = this.streamIds.length > 0;
        }
        break;
      case Opcode.PauseResumeStream:
        if (this.mode !== OiMode.Off) this.streaming = data[0] === 1 && this.streamIds.length > 0;
        break;
    }
  }

  private setWheelsMm(leftMm: number, rightMm: number): void {
    const clamp = (v: number) => Math.max(-MAX_WHEEL_SPEED_MM, Math.min(MAX_WHEEL_SPEED_MM, v));
    this.body.setWheelSpeeds(clamp(leftMm) / 1000, clamp(rightMm) / 1000);
  }

  /** Drive: velocity mm/s along radius mm (raw u16, for the special values). */
  private drive(velocity: number, rawRadius: number): void {
    const v = Math.max(-MAX_WHEEL_SPEED_MM, Math.min(MAX_WHEEL_SPEED_MM, velocity));
    if (rawRadius === DriveRadius.Straight || rawRadius === 0x7fff) return this.setWheelsMm(v, v);
    const radius = rawRadius >= 0x8000 ? rawRadius - 0x10000 : rawRadius;
    if (radius === DriveRadius.SpinCounterClockwise) return this.setWheelsMm(-v, v);
    if (radius === DriveRadius.SpinClockwise) return this.setWheelsMm(v, -v);
    const halfBaseMm = (this.body.geometry.wheelBase * 1000) / 2;
    // v is the speed of the centre; the wheels run on radii radius ∓ half the base.
    this.setWheelsMm((v * (radius - halfBaseMm)) / radius, (v * (radius + halfBaseMm)) / radius);
  }

  private controlLoop(): void {
    const port = this.port;
    if (!port) return;
    const now = port.clock.now();
    const dt = now - this.lastUpdate;
    this.lastUpdate = now;
    if (dt > 0) {
      this.currentMa =
        this.mode === OiMode.Off
          ? 0
          : -(
              this.idleMa +
              this.motorMaPerSpeed * (Math.abs(this.body.leftSpeed) + Math.abs(this.body.rightSpeed))
            );
      this.charge = Math.max(0, this.charge + (this.currentMa * dt) / 3600);
    }
    const cliffs = this.body.cliffBits();
    if (this.mode === OiMode.Safe && (cliffs !== 0 || this.body.wheelDropLeft || this.body.wheelDropRight)) {
      // Safe mode's protection: motors off, back to Passive.
      this.body.setWheelSpeeds(0, 0);
      this.mode = OiMode.Passive;
    }
    if (this.streaming && this.mode !== OiMode.Off)
      this.emit(encodeStreamFrame(this.streamIds, this.sample()));
  }

  private sample(): Int32Array {
    const v = this.values;
    const b = this.body;
    v[Packet.BumpsWheelDrops] =
      (b.bumpRight ? BumpBits.BumpRight : 0) |
      (b.bumpLeft ? BumpBits.BumpLeft : 0) |
      (b.wheelDropRight ? BumpBits.WheelDropRight : 0) |
      (b.wheelDropLeft ? BumpBits.WheelDropLeft : 0);
    const cliffs = b.cliffBits();
    const light = b.lightBumperBits();
    // The wall sensor looks right, as the light bumper's rightmost beam does.
    v[Packet.Wall] = light & 32 ? 1 : 0;
    v[Packet.CliffLeft] = cliffs & 1 ? 1 : 0;
    v[Packet.CliffFrontLeft] = cliffs & 2 ? 1 : 0;
    v[Packet.CliffFrontRight] = cliffs & 4 ? 1 : 0;
    v[Packet.CliffRight] = cliffs & 8 ? 1 : 0;
    v[Packet.ChargingState] = 0;
    v[Packet.Voltage] = this.voltageMv();
    v[Packet.Current] = Math.max(-32768, Math.round(this.currentMa));
    v[Packet.BatteryCharge] = Math.round(this.charge);
    v[Packet.BatteryCapacity] = Math.round(this.capacity);
    v[Packet.OiMode] = this.mode;
    const enc = this.encoderReadings();
    v[Packet.LeftEncoder] = enc.left;
    v[Packet.RightEncoder] = enc.right;
    v[Packet.LightBumper] = light;
    return v;
  }

  private answer(ids: number[]): void {
    this.emit(encodeSensorData(ids, this.sample()));
  }

  private emit(data: Uint8Array): void {
    if (this.port?.hostConnected()) this.port.emit(data);
  }
}
