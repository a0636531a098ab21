/**
 * Driver for a home-made base speaking the Swath DIY line protocol (firmware-config/diy-base-protocol.md):
 * HELLO/VER handshake, VEL every 100 ms (the controller's watchdog stops the motors after 300 ms without
 * one), odometry from the ODO reports' 32-bit wrapping counters.
 */
import type { Clock } from '../../../shared/clock.ts';
import type { BaseConfig } from '../../../shared/config.ts';
import type { Odometry } from '../../../shared/sensors.ts';
import type { TransportFactory } from '../../transport/serial.ts';
import type { BatteryState, DriveBase, DriveBaseHealth, SafetyState } from '../base.ts';
import { BaseLink } from '../base-link.ts';
import { DiffDriveOdometry, twistToWheels } from '../odometry.ts';
import {
  decodeControllerMessage,
  DIY_BAUD,
  DIY_PROTOCOL_VERSION,
  DiyLineFramer,
  encodeHello,
  encodeStopCommand,
  encodeVel,
  Feature,
  lineBytes,
  type OdoReport,
  SafetyBit,
  StatusFlag,
  type VersionInfo,
} from './protocol.ts';

/** Assumed until the controller's VER says otherwise, m/s */
const DEFAULT_MAX_WHEEL_SPEED = 0.5;
/** s between HELLOs while waiting for VER, and how long to keep trying (Arduino boards reset on open) */
const HELLO_PERIOD = 0.5;
const HELLO_PATIENCE = 3;
/** s between VEL lines: well inside the controller's 300 ms watchdog */
const VEL_PERIOD = 0.1;

export class DiyBaseDriver implements DriveBase {
  readonly type = 'diy' as const;
  private readonly link: BaseLink;
  private readonly framer = new DiyLineFramer();
  private readonly odometry: DiffDriveOdometry;
  private odometryListeners: Array<(o: Odometry) => void> = [];
  private safetyListeners: Array<(s: SafetyState) => void> = [];
  private lastSafety: SafetyState | undefined;
  private lastSafetyBits = -1;
  private lastReport: OdoReport | undefined;
  private lastReportStamp = Number.NaN;
  private version: VersionInfo | undefined;
  private leftMm = 0;
  private rightMm = 0;
  private lastSentAt = -Infinity;
  private prevSeq = -1;
  private prevBooted = false;
  /** ODO lines the controller sent that never arrived (sequence gaps) */
  reportsLost = 0;
  /** ERR replies from the controller (it refused a line the host sent) */
  errorsReported = 0;
  /** the last ERR reply, e.g. "4 value" */
  lastControllerError: string | undefined;

  constructor(
    private readonly config: BaseConfig,
    transports: TransportFactory,
    private readonly clock: Clock,
  ) {
    this.odometry = new DiffDriveOdometry({
      wheelBase: config.wheelBase,
      wheelDiameter: config.wheelDiameter,
      countsPerRevolution: config.countsPerRevolution,
      counterBits: 32,
      maxWheelSpeed: DEFAULT_MAX_WHEEL_SPEED * 4,
    });
    this.link = new BaseLink(clock, transports, {
      name: 'DIY base',
      path: config.serial.path,
      baudRate: config.serial.baudRate ?? DIY_BAUD,
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

  get maxWheelSpeed(): number {
    return this.version ? this.version.maxSpeed / 1000 : DEFAULT_MAX_WHEEL_SPEED;
  }

  /** What the controller announced in its VER reply. */
  firmware(): VersionInfo | undefined {
    return this.version;
  }

  start(): Promise<void> {
    return this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  drive(v: number, omega: number): void {
    const w = twistToWheels(v, omega, this.config.wheelBase, this.maxWheelSpeed);
    const left = Math.round(w.left * 1000);
    const right = Math.round(w.right * 1000);
    const changed = left !== this.leftMm || right !== this.rightMm;
    this.leftMm = left;
    this.rightMm = right;
    if (changed) this.sendVelocity();
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
    const r = this.lastReport;
    if (!r) return undefined;
    const v = this.version;
    const features = v?.features ?? 0;
    const span = v ? v.fullMv - v.emptyMv : 0;
    const percent = span > 0 ? Math.min(100, Math.max(0, (100 * (r.millivolts - v!.emptyMv)) / span)) : 0;
    const charging = (r.flags & StatusFlag.Charging) !== 0;
    return {
      stamp: this.lastReportStamp,
      voltage: r.millivolts / 1000,
      current: features & Feature.Current ? r.milliamps / 1000 : Number.NaN,
      charge: Number.NaN,
      capacity: Number.NaN,
      percent,
      charging: charging ? 'charging' : 'not-charging',
    };
  }

  health(): DriveBaseHealth {
    return this.link.health();
  }

  /** The controller's status flags from the last report (StatusFlag bits), -1 before the first. */
  statusFlags(): number {
    return this.lastReport ? this.lastReport.flags : -1;
  }

  private async handshake(): Promise<void> {
    this.version = undefined;
    const deadline = this.clock.now() + HELLO_PATIENCE;
    while (!this.version && this.clock.now() < deadline) {
      await this.link.write(lineBytes(encodeHello()));
      const until = Math.min(deadline, this.clock.now() + HELLO_PERIOD);
      while (!this.version && this.clock.now() < until) await this.clock.sleep(0.01);
    }
    const version = this.version as VersionInfo | undefined;
    if (!version)
      throw new Error(`no VER reply to HELLO within ${HELLO_PATIENCE} s (is the firmware running?)`);
    if (version.protocol !== DIY_PROTOCOL_VERSION) {
      throw new Error(
        `controller firmware "${version.firmware}" speaks protocol ${version.protocol}, this driver ${DIY_PROTOCOL_VERSION}`,
      );
    }
    if (!(await this.link.waitForFrames(1, 1))) throw new Error('no ODO reports after VER');
    this.sendVelocity();
  }

  private keepAlive(): void {
    if (this.clock.now() - this.lastSentAt >= VEL_PERIOD) this.sendVelocity();
  }

  private sendVelocity(): void {
    this.lastSentAt = this.clock.now();
    void this.link.write(lineBytes(encodeVel(this.leftMm, this.rightMm)));
  }

  private async shutdown(): Promise<void> {
    this.leftMm = this.rightMm = 0;
    await this.link.write(lineBytes(encodeStopCommand()));
    // Let the line leave the UART before the port closes.
    await this.clock.sleep(0.01);
  }

  private receive(chunk: Uint8Array): void {
    let ok = 0;
    let bad = 0;
    this.framer.push(
      chunk,
      (body) => {
        const msg = decodeControllerMessage(body);
        switch (msg.type) {
          case 'ODO':
            ok++;
            this.onReport(msg);
            break;
          case 'VER':
            ok++;
            this.version = msg;
            break;
          case 'ERR':
            ok++;
            this.errorsReported++;
            this.lastControllerError = `${msg.code} ${msg.text}`;
            break;
          case 'error':
            bad++;
            break;
        }
      },
      () => bad++,
    );
    this.link.countFrames(ok, bad);
  }

  private onReport(r: OdoReport): void {
    const stamp = this.clock.now();
    if (this.prevSeq >= 0) this.reportsLost += (r.seq - this.prevSeq - 1) & 0xffff;
    this.prevSeq = r.seq;
    this.lastReport = r;
    this.lastReportStamp = stamp;
    const booted = (r.flags & StatusFlag.Booted) !== 0;
    if (booted && !this.prevBooted && this.version) {
      // The controller restarted: its counters began again at 0, so the old baseline is meaningless.
      // HELLO clears the flag; reports until then belong to the same new baseline.
      this.odometry.rebaseline();
      void this.link.write(lineBytes(encodeHello()));
    }
    this.prevBooted = booted;

    const odom = this.odometry.update(stamp, r.left, r.right);
    if (odom) for (const l of this.odometryListeners) l(odom);

    if (r.safety !== this.lastSafetyBits) {
      this.lastSafetyBits = r.safety;
      const s = r.safety;
      const safety: SafetyState = {
        stamp,
        bumpLeft: (s & SafetyBit.BumpLeft) !== 0,
        bumpRight: (s & SafetyBit.BumpRight) !== 0,
        wheelDropLeft: (s & SafetyBit.WheelDropLeft) !== 0,
        wheelDropRight: (s & SafetyBit.WheelDropRight) !== 0,
        cliffLeft: (s & SafetyBit.CliffLeft) !== 0,
        cliffFrontLeft: (s & SafetyBit.CliffFrontLeft) !== 0,
        cliffFrontRight: (s & SafetyBit.CliffFrontRight) !== 0,
        cliffRight: (s & SafetyBit.CliffRight) !== 0,
        lightBumper: 0,
      };
      this.lastSafety = safety;
      for (const l of this.safetyListeners) l(safety);
    }
  }
}
