/**
 * Moves records from the durable outbox to the broker: keeps up to `window` publishes in flight, deletes a
 * record only when its publish is acknowledged, and after a disconnect starts again from the oldest record
 * still stored (the cloud de-duplicates what was sent twice).
 */
import type { DurableOutbox, OutboxRecord } from './outbox.ts';

export type PublishFn = (record: OutboxRecord) => Promise<void>;

export class OutboxPump {
  private connected = false;
  private cursor = 0;
  private inFlight = 0;
  /** bumps on every (dis)connect, so acknowledgements from an older connection are not trusted twice */
  private generation = 0;
  private pumping = false;
  sent = 0;
  acked = 0;
  failed = 0;

  constructor(
    private readonly outbox: DurableOutbox,
    private readonly publish: PublishFn,
    private readonly window = 64,
  ) {}

  setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.generation++;
    this.cursor = 0;
    this.inFlight = 0;
    if (connected) this.kick();
  }

  /** Call after enqueueing: sends what the window allows. */
  kick(): void {
    if (!this.connected || this.pumping) return;
    this.pumping = true;
    try {
      while (this.inFlight < this.window) {
        const batch = this.outbox.peek(this.window - this.inFlight, this.cursor);
        if (batch.length === 0) break;
        for (const record of batch) {
          this.cursor = record.id;
          this.send(record);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  get pending(): number {
    return this.inFlight;
  }

  private send(record: OutboxRecord): void {
    const generation = this.generation;
    this.inFlight++;
    this.sent++;
    this.publish(record).then(
      () => {
        // The broker has it: delete even if we reconnected meanwhile (a resend would only be a duplicate).
        this.outbox.ack(record.id);
        this.acked++;
        if (generation !== this.generation) return;
        this.inFlight--;
        this.kick();
      },
      () => {
        this.failed++;
        if (generation !== this.generation) return;
        // Leave the record stored; it goes again after the next reconnect.
        this.inFlight--;
      },
    );
  }
}
