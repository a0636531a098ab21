/**
 * The durable outbox: every message the robot sends is stored in SQLite before it is sent and deleted only
 * after the broker acknowledged it (PUBACK), so broker outages and daemon restarts lose nothing that the
 * bounds allow to keep. Each stream has its own sequence numbers (persisted, so they keep increasing across
 * restarts) and its own policy when the outbox is full: high-rate telemetry drops its oldest records, events
 * are never dropped. Consumers de-duplicate by (robot, stream, seq).
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Clock } from '../../shared/clock.ts';

export const StreamPolicySchema = z.object({
  /** what to do when the outbox is over its byte budget or a record is older than maxAgeSeconds */
  onFull: z.enum(['drop-oldest', 'never-drop']),
  maxAgeSeconds: z.number().positive().optional(),
});
export type StreamPolicy = z.infer<typeof StreamPolicySchema>;

export const OutboxOptionsSchema = z.object({
  /** SQLite file, or ':memory:' for tests */
  path: z.string().min(1),
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  policies: z.record(z.string(), StreamPolicySchema).default({}),
  defaultPolicy: StreamPolicySchema.default({ onFull: 'drop-oldest', maxAgeSeconds: 7 * 24 * 3600 }),
});
export type OutboxOptions = z.input<typeof OutboxOptionsSchema>;

export interface OutboxRecord {
  id: number;
  stream: string;
  topic: string;
  seq: number;
  payload: Buffer;
  created: number;
}

export interface OutboxStats {
  pendingRecords: number;
  pendingBytes: number;
  /** records dropped by policy, per stream, since the outbox was created (persisted) */
  dropped: Record<string, number>;
  /** true when only never-drop records remain and they exceed the byte budget */
  overBudget: boolean;
}

interface Row {
  id: number;
  stream: string;
  topic: string;
  seq: number;
  payload: Buffer;
  created: number;
}

export class DurableOutbox {
  private readonly db: Database.Database;
  private readonly options: z.output<typeof OutboxOptionsSchema>;
  private bytes: number;
  private overBudget = false;
  private readonly stmt;

  constructor(
    options: OutboxOptions,
    private readonly clock: Clock,
  ) {
    this.options = OutboxOptionsSchema.parse(options);
    this.db = new Database(this.options.path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a record acknowledged to the caller survives a power cut, not just a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stream TEXT NOT NULL,
        topic TEXT NOT NULL,
        seq INTEGER NOT NULL,
        payload BLOB NOT NULL,
        created REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS outbox_stream ON outbox (stream, id);
      CREATE TABLE IF NOT EXISTS streams (
        stream TEXT PRIMARY KEY,
        next_seq INTEGER NOT NULL,
        dropped INTEGER NOT NULL DEFAULT 0
      );
    `);
    this.stmt = {
      nextSeq: this.db.prepare<[string], { next_seq: number }>(
        'SELECT next_seq FROM streams WHERE stream = ?',
      ),
      upsertSeq: this.db.prepare(
        'INSERT INTO streams (stream, next_seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET next_seq = excluded.next_seq',
      ),
      insert: this.db.prepare(
        'INSERT INTO outbox (stream, topic, seq, payload, created) VALUES (?, ?, ?, ?, ?)',
      ),
      peek: this.db.prepare<[number, number], Row>(
        'SELECT id, stream, topic, seq, payload, created FROM outbox WHERE id > ? ORDER BY id LIMIT ?',
      ),
      get: this.db.prepare<[number], { bytes: number }>(
        'SELECT length(payload) AS bytes FROM outbox WHERE id = ?',
      ),
      delete: this.db.prepare('DELETE FROM outbox WHERE id = ?'),
      oldestDroppable: this.db.prepare<[string], { id: number; stream: string; bytes: number }>(
        `SELECT id, stream, length(payload) AS bytes FROM outbox WHERE stream IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 1`,
      ),
      countDrop: this.db.prepare(
        'INSERT INTO streams (stream, next_seq, dropped) VALUES (?, 0, ?) ON CONFLICT(stream) DO UPDATE SET dropped = dropped + excluded.dropped',
      ),
      expire: this.db.prepare<[string, number], { id: number; bytes: number }>(
        'SELECT id, length(payload) AS bytes FROM outbox WHERE stream = ? AND created < ?',
      ),
      streams: this.db.prepare<[], { stream: string; dropped: number }>(
        'SELECT stream, dropped FROM streams',
      ),
      pendingStreams: this.db.prepare<[], { stream: string }>('SELECT DISTINCT stream FROM outbox'),
      totals: this.db.prepare<[], { n: number; bytes: number | null }>(
        'SELECT count(*) AS n, sum(length(payload)) AS bytes FROM outbox',
      ),
    };
    this.bytes = this.stmt.totals.get()!.bytes ?? 0;
  }

  policy(stream: string): StreamPolicy {
    return this.options.policies[stream] ?? this.options.defaultPolicy;
  }

  /**
   * Stores one message. `build` receives the stream's next sequence number and returns the payload, so the
   * number inside the payload and the stored one cannot disagree.
   */
  enqueue(stream: string, topic: string, build: (seq: number) => Buffer | string): OutboxRecord {
    const run = this.db.transaction((): OutboxRecord => {
      const seq = this.stmt.nextSeq.get(stream)?.next_seq ?? 1;
      this.stmt.upsertSeq.run(stream, seq + 1);
      const built = build(seq);
      const payload = typeof built === 'string' ? Buffer.from(built) : built;
      const created = this.clock.now();
      const id = Number(this.stmt.insert.run(stream, topic, seq, payload, created).lastInsertRowid);
      this.bytes += payload.length;
      this.enforceBudget();
      return { id, stream, topic, seq, payload, created };
    });
    return run();
  }

  /** The sequence number of the stream's newest record (0 before the first). */
  lastSequence(stream: string): number {
    return (this.stmt.nextSeq.get(stream)?.next_seq ?? 1) - 1;
  }

  /** The oldest records after `afterId`, in the order they were stored. */
  peek(limit: number, afterId = 0): OutboxRecord[] {
    return this.stmt.peek.all(afterId, limit);
  }

  /** The broker acknowledged the record: forget it. Unknown ids (already dropped) are ignored. */
  ack(id: number): void {
    const row = this.stmt.get.get(id);
    if (!row) return;
    this.stmt.delete.run(id);
    this.bytes -= row.bytes;
    if (this.bytes <= this.options.maxBytes) this.overBudget = false;
  }

  /** Drops records older than their stream's maxAgeSeconds (never-drop streams included only if they set one). */
  expire(): number {
    const now = this.clock.now();
    let dropped = 0;
    const run = this.db.transaction(() => {
      for (const { stream } of this.stmt.pendingStreams.all()) {
        const policy = this.policy(stream);
        if (policy.maxAgeSeconds === undefined || policy.onFull === 'never-drop') continue;
        const old = this.stmt.expire.all(stream, now - policy.maxAgeSeconds);
        for (const row of old) {
          this.stmt.delete.run(row.id);
          this.bytes -= row.bytes;
        }
        if (old.length > 0) this.stmt.countDrop.run(stream, old.length);
        dropped += old.length;
      }
    });
    run();
    return dropped;
  }

  stats(): OutboxStats {
    const dropped: Record<string, number> = {};
    for (const row of this.stmt.streams.all()) if (row.dropped > 0) dropped[row.stream] = row.dropped;
    const totals = this.stmt.totals.get()!;
    return {
      pendingRecords: totals.n,
      pendingBytes: totals.bytes ?? 0,
      dropped,
      overBudget: this.overBudget,
    };
  }

  close(): void {
    this.db.close();
  }

  private enforceBudget(): void {
    if (this.bytes <= this.options.maxBytes) return;
    const droppable = this.stmt.pendingStreams
      .all()
      .map((r) => r.stream)
      .filter((s) => this.policy(s).onFull === 'drop-oldest');
    const list = JSON.stringify(droppable);
    while (this.bytes > this.options.maxBytes) {
      const victim = this.stmt.oldestDroppable.get(list);
      if (!victim) {
        // Only never-drop records are left: keep them all and let the stats raise the alarm.
        this.overBudget = true;
        return;
      }
      this.stmt.delete.run(victim.id);
      this.stmt.countDrop.run(victim.stream, 1);
      this.bytes -= victim.bytes;
    }
  }
}
