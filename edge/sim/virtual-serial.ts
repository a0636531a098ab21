/**
 * A serial port whose far end is an in-process virtual device. Bytes travel both ways with the line's
 * transmission delay on the injected clock, a host opened at the wrong baud rate receives garbage, and
 * the device can be unplugged and plugged back like a USB adapter.
 */
import type { Clock } from '../../shared/clock.ts';
import type { ModemSignals, SerialTransport, TransportFactory } from '../transport/serial.ts';

/** What a virtual device sees of its port. */
export interface DevicePort {
  /** Sends bytes to the host (dropped while the host has the port closed). */
  emit(data: Uint8Array): void;
  readonly clock: Clock;
  /** True while a host has the port open. */
  hostConnected(): boolean;
}

export interface VirtualDevice {
  /** The baud rate the device's UART runs at. */
  readonly baudRate: number;
  attach(port: DevicePort): void;
  /** Bytes written by the host, at the device's baud rate. */
  receive(data: Uint8Array): void;
  /** Modem lines changed by the host (DTR controls the motor of an RPLIDAR A1, for instance). */
  signals?(signals: ModemSignals): void;
  /** The host opened or closed the port, or the cable was pulled. */
  connectionChanged?(connected: boolean): void;
}

/** Seconds to send n bytes at 8N1. */
export const lineTime = (bytes: number, baud: number): number => (bytes * 10) / baud;

/** A deterministic stand-in for what a UART decodes at the wrong baud rate. */
function garble(data: Uint8Array, hostBaud: number, deviceBaud: number): Uint8Array {
  const ratio = hostBaud / deviceBaud;
  const n = Math.max(1, Math.round(data.length * ratio));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (data[Math.floor(i / ratio) % data.length]! * 0x9d + i * 0x3b) & 0xff;
  return out;
}

export class VirtualSerialPort implements SerialTransport {
  private open_ = false;
  private plugged = true;
  private baud = 0;
  private dataListener: (chunk: Uint8Array) => void = () => {};
  private closeListener: (error?: Error) => void = () => {};
  /** Bytes the host has not read yet are delivered in order; flush() discards those still in flight. */
  private epoch = 0;
  private txBusyUntil = 0;
  private rxBusyUntil = 0;

  constructor(
    readonly path: string,
    private readonly device: VirtualDevice,
    private readonly clock: Clock,
  ) {
    device.attach({
      clock,
      hostConnected: () => this.open_,
      emit: (data) => this.fromDevice(data),
    });
  }

  get isOpen(): boolean {
    return this.open_;
  }

  get baudRate(): number {
    return this.baud;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  async open(baudRate: number): Promise<void> {
    if (!this.plugged) throw new Error(`Error: No such file or directory, cannot open ${this.path}`);
    if (this.open_) throw new Error(`${this.path} is already open`);
    this.baud = baudRate;
    this.open_ = true;
    this.epoch++;
    this.device.connectionChanged?.(true);
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    this.epoch++;
    this.device.connectionChanged?.(false);
    this.closeListener(undefined);
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open_) throw new Error(`${this.path} is not open`);
    const copy = data.slice();
    const start = Math.max(this.clock.now(), this.txBusyUntil);
    this.txBusyUntil = start + lineTime(copy.length, this.baud);
    const epoch = this.epoch;
    const hostBaud = this.baud;
    this.clock.setTimeout(() => {
      if (epoch !== this.epoch || !this.plugged) return;
      const bytes = hostBaud === this.device.baudRate ? copy : garble(copy, this.device.baudRate, hostBaud);
      this.device.receive(bytes);
    }, this.txBusyUntil - this.clock.now());
  }

  async setSignals(signals: ModemSignals): Promise<void> {
    if (!this.open_) throw new Error(`${this.path} is not open`);
    this.device.signals?.(signals);
  }

  async flush(): Promise<void> {
    this.epoch++;
    this.rxBusyUntil = this.clock.now();
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListener = listener;
  }

  /** Pulls the cable: the host sees the port close with an error, and re-opening fails until plug(). */
  unplug(): void {
    this.plugged = false;
    if (this.open_) {
      this.open_ = false;
      this.epoch++;
      this.device.connectionChanged?.(false);
      this.closeListener(new Error(`${this.path} disconnected`));
    }
  }

  plug(): void {
    this.plugged = true;
  }

  private fromDevice(data: Uint8Array): void {
    if (!this.open_ || data.length === 0) return;
    const copy = data.slice();
    const start = Math.max(this.clock.now(), this.rxBusyUntil);
    this.rxBusyUntil = start + lineTime(copy.length, this.device.baudRate);
    const epoch = this.epoch;
    const hostBaud = this.baud;
    this.clock.setTimeout(() => {
      if (epoch !== this.epoch || !this.open_) return;
      this.dataListener(
        hostBaud === this.device.baudRate ? copy : garble(copy, hostBaud, this.device.baudRate),
      );
    }, this.rxBusyUntil - this.clock.now());
  }
}

/** Routes device paths to virtual devices, for a daemon running against the simulator. */
export class VirtualSerialBus {
  private readonly ports = new Map<string, VirtualSerialPort>();

  constructor(private readonly clock: Clock) {}

  connect(path: string, device: VirtualDevice): VirtualSerialPort {
    const port = new VirtualSerialPort(path, device, this.clock);
    this.ports.set(path, port);
    return port;
  }

  port(path: string): VirtualSerialPort | undefined {
    return this.ports.get(path);
  }

  readonly factory: TransportFactory = (path) => {
    const port = this.ports.get(path);
    if (!port) throw new Error(`no simulated device at ${path}`);
    return port;
  };
}
