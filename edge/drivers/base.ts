/**
 * The one interface every drive base (wheels + bumpers + battery) implements, and the registry that picks
 * a driver from the config's `base.type`. Everything here is SI and REP-103; vendor units stay inside the
 * drivers.
 */
import type { Clock } from '../../shared/clock.ts';
import type { BaseConfig } from '../../shared/config.ts';
import type { Odometry } from '../../shared/sensors.ts';
import type { TransportFactory } from '../transport/serial.ts';
import { Create2Driver } from './create2/driver.ts';
import { DiyBaseDriver } from './diy-base/driver.ts';

/** Contact and floor sensors, as last reported by the base. */
export interface SafetyState {
  /** clock time of the report in which the state last changed, s (freshness: health().lastFrameTime) */
  stamp: number;
  bumpLeft: boolean;
  bumpRight: boolean;
  wheelDropLeft: boolean;
  wheelDropRight: boolean;
  cliffLeft: boolean;
  cliffFrontLeft: boolean;
  cliffFrontRight: boolean;
  cliffRight: boolean;
  /**
   * Proximity (light bumper) bits, 0 when the base has none: bit 0 left, 1 front-left, 2 centre-left,
   * 3 centre-right, 4 front-right, 5 right.
   */
  lightBumper: number;
}

export type ChargingState =
  'not-charging' | 'reconditioning' | 'full-charging' | 'trickle-charging' | 'waiting' | 'fault' | 'charging';

export interface BatteryState {
  /** clock time of the report, s */
  stamp: number;
  /** V */
  voltage: number;
  /** A, negative while discharging; NaN when the base cannot measure it */
  current: number;
  /** Ah left; NaN when unknown */
  charge: number;
  /** Ah when full; NaN when unknown */
  capacity: number;
  /** 0–100, from charge/capacity or, failing that, from the voltage */
  percent: number;
  charging: ChargingState;
}

export type DriveBaseState =
  /** not started, or stopped */
  | 'idle'
  /** opening the port and handshaking */
  | 'connecting'
  /** frames arriving */
  | 'running'
  /** the port is lost or silent; retrying with back-off */
  | 'reconnecting';

export interface DriveBaseHealth {
  state: DriveBaseState;
  /** frames (or lines) that decoded and passed their checksum */
  framesOk: number;
  /** frames dropped for a bad checksum, a bad length or a malformed field */
  framesBad: number;
  /** clock time of the last good frame, s; NaN before the first */
  lastFrameTime: number;
  /** successful reconnections after the first connection */
  reconnects: number;
  /** the last connection problem, for a status page */
  lastError?: string;
}

export interface DriveBase {
  /** 'create2' | 'diy' */
  readonly type: BaseConfig['type'];
  /** m/s, the fastest either wheel may turn */
  readonly maxWheelSpeed: number;
  /**
   * Opens the port and handshakes. Rejects if the first attempt fails (absent device, no answer), so a
   * misconfigured robot fails fast; after a successful start, losses are recovered in the background.
   */
  start(): Promise<void>;
  /** Stops the motors first, then leaves the device in its idle mode and closes the port. */
  stop(): Promise<void>;
  /**
   * Commands a body twist: v m/s forward, omega rad/s counter-clockwise. Converted to wheel speeds with
   * the wheel base; if a wheel would exceed maxWheelSpeed both are scaled down, keeping the curvature.
   * The driver re-sends the command periodically until the next call.
   */
  drive(v: number, omega: number): void;
  /** Called for every sensor frame with the encoder-integrated pose in the odom frame. */
  onOdometry(listener: (odometry: Odometry) => void): void;
  /** Called when any contact or floor sensor changes. */
  onSafety(listener: (safety: SafetyState) => void): void;
  /** The latest safety report, if any. */
  safety(): SafetyState | undefined;
  /** The latest battery report, if any. */
  battery(): BatteryState | undefined;
  health(): DriveBaseHealth;
}

export type DriveBaseFactory = (config: BaseConfig, transports: TransportFactory, clock: Clock) => DriveBase;

/** One line per base type. */
const DRIVE_BASES: Record<BaseConfig['type'], DriveBaseFactory> = {
  create2: (config, transports, clock) => new Create2Driver(config, transports, clock),
  diy: (config, transports, clock) => new DiyBaseDriver(config, transports, clock),
};

export function createDriveBase(config: BaseConfig, transports: TransportFactory, clock: Clock): DriveBase {
  return DRIVE_BASES[config.type](config, transports, clock);
}
