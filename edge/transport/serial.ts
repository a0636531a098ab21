/**
 * The seam between a device driver and its bytes. A real robot uses SerialPortTransport; the simulator
 * supplies VirtualSerialPort, which speaks the same bytes from an in-process device. Drivers cannot tell
 * the difference.
 */
import { SerialPort } from 'serialport';

export interface ModemSignals {
  dtr?: boolean;
  rts?: boolean;
}

export interface SerialTransport {
  readonly path: string;
  readonly isOpen: boolean;
  readonly baudRate: number;
  /** Opens the port; rejects if the device is absent or busy. */
  open(baudRate: number): Promise<void>;
  close(): Promise<void>;
  /** Queues bytes for sending; resolves once they have been handed to the OS. */
  write(data: Uint8Array): Promise<void>;
  setSignals(signals: ModemSignals): Promise<void>;
  /** Discards bytes received but not yet read. */
  flush(): Promise<void>;
  /** Registers the data listener (one per transport; a later call replaces it). */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called when the port closes; `error` is set when it closed by itself (e.g. unplugged). */
  onClose(listener: (error?: Error) => void): void;
}

export type TransportFactory = (path: string) => SerialTransport;

/** A real serial port through the `serialport` package. */
export class SerialPortTransport implements SerialTransport {
  private port: SerialPort | undefined;
  private dataListener: (chunk: Uint8Array) => void = () => {};
  private closeListener: (error?: Error) => void = () => {};
  private baud = 0;

  constructor(readonly path: string) {}

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  get baudRate(): number {
    return this.baud;
  }

  open(baudRate: number): Promise<void> {
    this.baud = baudRate;
    const port = new SerialPort({ path: this.path, baudRate, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.dataListener(chunk));
    port.on('close', (err: Error | null) => {
      if (this.port === port) this.port = undefined;
      // serialport reports an unplug as a close carrying a disconnect error.
      this.closeListener(err ?? undefined);
    });
    port.on('error', () => {
      // Errors surface through the promises below or through 'close'; an unhandled 'error' would crash.
    });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) reject(err);
        else {
          this.port = port;
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`${this.path} is not open`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(data), (err) => {
        if (err) reject(err);
        else port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  setSignals(signals: ModemSignals): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`${this.path} is not open`));
    return new Promise((resolve, reject) => port.set(signals, (err) => (err ? reject(err) : resolve())));
  }

  flush(): Promise<void> {
    const port = this.port;
    if (!port) return Promise.resolve();
    return new Promise((resolve, reject) => port.flush((err) => (err ? reject(err) : resolve())));
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListener = listener;
  }
}

export const serialPortFactory: TransportFactory = (path) => new SerialPortTransport(path);
