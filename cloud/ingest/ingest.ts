/**
 * Ingest: every robot message is classified by topic, parsed and validated with the shared zod schemas,
 * then queued and written in batched transactions (every `flushMs` or `maxBatch` rows). Invalid payloads
 * are counted by type, logged (at most once per robot and type every 10 s) and dropped — acknowledged, so
 * a robot's outbox does not resend a poison message forever. `done` is called once the record is
 * committed (or dropped); the embedded broker holds the PUBACK until then, so an acknowledged record is on
 * disk. De-duplication is the database's: UNIQUE (robot, stream, boot id, seq) with INSERT OR IGNORE.
 */
import type { Logger } from 'pino';
import {
  ROBOT_MESSAGE_SCHEMAS,
  type CommandReply,
  type EventMessage,
  type MapSnapshot,
  type RobotMessageKind,
  type StatusMessage,
  type TelemetryMessage,
  telemetrySchemaFor,
} from '../../shared/mqtt/messages.ts';
import { parseTopic } from '../../shared/mqtt/topics.ts';
import { formatIssuePath } from '../../shared/validate.ts';
import type { CloudDb } from '../db/database.ts';
import type { CloudMetrics } from '../metrics/metrics.ts';

export type IngestedRecord =
  | { kind: 'status'; robotId: string; message: StatusMessage; receivedAt: number; t0: number }
  | { kind: 'telemetry'; robotId: string; message: TelemetryMessage; receivedAt: number; t0: number }
  | { kind: 'events'; robotId: string; message: EventMessage; receivedAt: number; t0: number }
  | { kind: 'map'; robotId: string; message: MapSnapshot; receivedAt: number; t0: number; json: string }
  | {
      kind: 'commandReply';
      robotId: string;
      name: string;
      message: CommandReply;
      receivedAt: number;
      t0: number;
    };

export type IngestDone = (err?: Error | null) => void;

/** What handle() did with a message: queued for storage, dropped as invalid, or not an ingest topic. */
export type IngestOutcome = 'queued' | 'invalid' | 'ignored';

export interface IngestOptions {
  db: CloudDb;
  metrics: CloudMetrics;
  log: Logger;
  flushMs: number;
  maxBatch: number;
  /** Messages of robots the registry does not know are dropped (external brokers may let anyone in). */
  isKnownRobot: (id: string) => boolean;
  /** Called after commit for each command reply (duplicates included: the dispatcher ignores unknown ids). */
  onCommandReply?: (robotId: string, name: string, reply: CommandReply) => void;
  /** Called after each commit with the records it stored or found already stored. */
  onCommit?: (records: readonly IngestedRecord[]) => void;
  /** Wall-clock seconds; injected for tests. */
  now?: () => number;
}

const LOG_EVERY_S = 10;
/** aedes has no packet size limit; these keep one oversized message from bloating the database. */
export const MAX_RECORD_BYTES = 256 * 1024;
export const MAX_MAP_BYTES = 16 * 1024 * 1024;

export class Ingest {
  private queue: IngestedRecord[] = [];
  private callbacks: (IngestDone | undefined)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly lastLogged = new Map<string, number>();
  private readonly now: () => number;
  private readonly insertTelemetry;
  private readonly insertSeries;
  private readonly selectSeries;
  /** (robot, stream, boot) → series id; entries are never removed from the table, so caching is safe. */
  private readonly seriesIds = new Map<string, number>();
  private readonly insertEvent;
  private readonly insertMap;
  private readonly insertStatus;
  private readonly updateStatus;
  private readonly touchRobot;
  private readonly storeReply;
  private readonly writeBatch;
  private readonly inCounters;

  constructor(private readonly opts: IngestOptions) {
    const { db } = opts;
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.insertTelemetry = db.prepare(
      `INSERT OR IGNORE INTO telemetry (series, seq, time, received_at, x, y, theta, mission_state, coverage,
        battery_percent, battery_voltage, linear_speed, angular_speed, cpu_temp, extra_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSeries = db.prepare(
      'INSERT OR IGNORE INTO series (robot_id, stream, boot_id) VALUES (?, ?, ?)',
    );
    this.selectSeries = db
      .prepare<[string, string, string], number>(
        'SELECT id FROM series WHERE robot_id = ? AND stream = ? AND boot_id = ?',
      )
      .pluck();
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events (robot_id, boot_id, seq, time, received_at, level, type, message,
        data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertMap = db.prepare(
      `INSERT OR IGNORE INTO maps (robot_id, boot_id, seq, time, received_at, snapshot_json)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertStatus = db.prepare(
      `INSERT OR IGNORE INTO status_log (robot_id, boot_id, seq, time, received_at, state)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    // The status received last wins, duplicates included: the will is fixed at CONNECT and so repeats its
    // seq across reconnections, and a broker publishes a dropped connection's will before it accepts the
    // next connection of that client id, so arrival order is the robot's real order.
    this.updateStatus = db.prepare(
      'UPDATE robots SET online = ?, status_boot_id = ?, status_seq = ?, status_json = ? WHERE id = ?',
    );
    this.touchRobot = db.prepare('UPDATE robots SET last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?');
    this.storeReply = db.prepare(
      `UPDATE commands SET replied_at = ?, ok = ?, reply_json = ?
       WHERE id = ? AND robot_id = ? AND replied_at IS NULL`,
    );
    this.writeBatch = db.transaction((records: IngestedRecord[]) => this.write(records));
    const kinds = Object.keys(ROBOT_MESSAGE_SCHEMAS) as RobotMessageKind[];
    this.inCounters = Object.fromEntries(kinds.map((k) => [k, opts.metrics.messagesIn.labels(k)])) as Record<
      RobotMessageKind,
      ReturnType<CloudMetrics['messagesIn']['labels']>
    >;
  }

  /**
   * Takes one message. `done` runs after the record is committed, at once for ignored or invalid
   * messages, or with an error if the transaction failed (the broker then closes the connection, so the
   * robot resends). `t0` is when the broker received it (performance.now() ms), for the latency histogram.
   */
  handle(topic: string, payload: Buffer, done?: IngestDone, t0 = performance.now()): IngestOutcome {
    const parsed = parseTopic(topic);
    if (
      parsed === null ||
      parsed.kind === 'other' ||
      parsed.kind === 'broadcast' ||
      parsed.kind === 'command'
    ) {
      done?.();
      return 'ignored';
    }
    const kind: RobotMessageKind = parsed.kind;
    const robotId = parsed.robotId;
    this.inCounters[kind].inc();
    if (this.closed) {
      done?.(new Error('ingest closed'));
      return 'ignored';
    }
    if (!this.opts.isKnownRobot(robotId)) return this.reject(kind, robotId, 'unknown_robot', topic, done);
    const limit = kind === 'map' ? MAX_MAP_BYTES : MAX_RECORD_BYTES;
    if (payload.length > limit)
      return this.reject(kind, robotId, 'too_large', topic, done, `${payload.length} bytes > ${limit}`);
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(kind, robotId, 'json', topic, done);
    }
    if (parsed.kind === 'telemetry') {
      const stream = (value as { stream?: unknown } | null)?.stream;
      if (typeof stream === 'string' && stream !== parsed.stream)
        return this.reject(kind, robotId, 'topic_mismatch', topic, done, `stream "${stream}"`);
    }
    const schema =
      parsed.kind === 'telemetry' ? telemetrySchemaFor(parsed.stream) : ROBOT_MESSAGE_SCHEMAS[kind];
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      return this.reject(
        kind,
        robotId,
        'schema',
        topic,
        done,
        `${formatIssuePath(issue.path)}: ${issue.message}`,
      );
    }
    const receivedAt = this.now();
    let record: IngestedRecord;
    switch (parsed.kind) {
      case 'telemetry': {
        record = { kind: 'telemetry', robotId, message: result.data as TelemetryMessage, receivedAt, t0 };
        break;
      }
      case 'status':
        record = { kind: 'status', robotId, message: result.data as StatusMessage, receivedAt, t0 };
        break;
      case 'events':
        record = { kind: 'events', robotId, message: result.data as EventMessage, receivedAt, t0 };
        break;
      case 'map':
        record = {
          kind: 'map',
          robotId,
          message: result.data as MapSnapshot,
          receivedAt,
          t0,
          json: JSON.stringify(result.data),
        };
        break;
      case 'commandReply':
        record = {
          kind: 'commandReply',
          robotId,
          name: parsed.name,
          message: result.data as CommandReply,
          receivedAt,
          t0,
        };
        break;
    }
    this.queue.push(record);
    this.callbacks.push(done);
    if (this.queue.length >= this.opts.maxBatch) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.opts.flushMs);
    return 'queued';
  }

  /** Commits everything queued now. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const records = this.queue;
    const callbacks = this.callbacks;
    this.queue = [];
    this.callbacks = [];
    try {
      this.writeBatch(records);
    } catch (err) {
      // Series rows created in the failed transaction were rolled back with it.
      this.seriesIds.clear();
      this.opts.log.error({ err, records: records.length }, 'ingest: batch not committed');
      for (const cb of callbacks) cb?.(err as Error);
      return;
    }
    this.opts.metrics.ingestBatches.inc();
    const end = performance.now();
    const histogram = this.opts.metrics.ingestLatency;
    for (const r of records) histogram.observe((end - r.t0) / 1000);
    for (const cb of callbacks) cb?.();
    const onReply = this.opts.onCommandReply;
    if (onReply) {
      for (const r of records) if (r.kind === 'commandReply') onReply(r.robotId, r.name, r.message);
    }
    this.opts.onCommit?.(records);
  }

  /** Flushes and refuses further messages. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private write(records: IngestedRecord[]): void {
    const lastSeen = new Map<string, number>();
    const duplicates = this.opts.metrics.duplicates;
    for (const r of records) {
      const prev = lastSeen.get(r.robotId);
      if (prev === undefined || r.receivedAt > prev) lastSeen.set(r.robotId, r.receivedAt);
      let changes = 1;
      switch (r.kind) {
        case 'telemetry': {
          const m = r.message;
          if ('pose' in m) {
            changes = this.insertTelemetry.run(
              this.seriesId(r.robotId, m.stream, m.bootId),
              m.seq,
              m.time,
              r.receivedAt,
              m.pose.x,
              m.pose.y,
              m.pose.theta,
              m.missionState,
              m.coverage,
              m.batteryPercent,
              m.batteryVoltage,
              m.linearSpeed,
              m.angularSpeed,
              m.cpuTemp ?? null,
              m.values ? JSON.stringify(m.values) : null,
            ).changes;
          } else {
            changes = this.insertTelemetry.run(
              this.seriesId(r.robotId, m.stream, m.bootId),
              m.seq,
              m.time,
              r.receivedAt,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              JSON.stringify(m.values),
            ).changes;
          }
          break;
        }
        case 'events': {
          const m = r.message;
          changes = this.insertEvent.run(
            r.robotId,
            m.bootId,
            m.seq,
            m.time,
            r.receivedAt,
            m.level,
            m.type,
            m.message,
            m.data ? JSON.stringify(m.data) : null,
          ).changes;
          break;
        }
        case 'map': {
          const m = r.message;
          changes = this.insertMap.run(r.robotId, m.bootId, m.seq, m.time, r.receivedAt, r.json).changes;
          break;
        }
        case 'status': {
          const m = r.message;
          changes = this.insertStatus.run(r.robotId, m.bootId, m.seq, m.time, r.receivedAt, m.state).changes;
          this.updateStatus.run(m.state === 'online' ? 1 : 0, m.bootId, m.seq, JSON.stringify(m), r.robotId);
          break;
        }
        case 'commandReply': {
          const m = r.message;
          changes = this.storeReply.run(
            r.receivedAt,
            m.ok ? 1 : 0,
            JSON.stringify(m),
            m.id,
            r.robotId,
          ).changes;
          break;
        }
      }
      if (changes === 0) duplicates.labels(r.kind).inc();
    }
    for (const [robotId, at] of lastSeen) this.touchRobot.run(at, robotId);
  }

  /** Runs inside the write transaction, so a new series row commits (or rolls back) with its records. */
  private seriesId(robotId: string, stream: string, bootId: string): number {
    const key = `${robotId}\n${stream}\n${bootId}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.insertSeries.run(robotId, stream, bootId);
      id = this.selectSeries.get(robotId, stream, bootId)!;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  private reject(
    kind: RobotMessageKind,
    robotId: string,
    reason: 'unknown_robot' | 'too_large' | 'json' | 'schema' | 'topic_mismatch',
    topic: string,
    done: IngestDone | undefined,
    detail?: string,
  ): IngestOutcome {
    this.opts.metrics.invalidPayloads.labels(kind, reason).inc();
    const key = `${robotId}\u0000${kind}\u0000${reason}`;
    const now = this.now();
    const last = this.lastLogged.get(key);
    if (last === undefined || now - last >= LOG_EVERY_S) {
      this.lastLogged.set(key, now);
      this.opts.log.warn({ robotId, topic, type: kind, reason, detail }, 'ingest: invalid message dropped');
    }
    done?.();
    return 'invalid';
  }
}
