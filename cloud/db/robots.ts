/** The robot registry and the read side the HTTP API serves (latest status, telemetry, events, maps). */
import type { EventMessage, MapSnapshot, StatusMessage } from '../../shared/mqtt/messages.ts';
import type { CloudDb } from './database.ts';

export interface RobotSummary {
  id: string;
  name: string;
  createdAt: number;
  online: boolean;
  lastSeen: number | null;
  status: StatusMessage | null;
}

export interface TelemetrySample {
  stream: string;
  time: number;
  receivedAt: number | null;
  /** 1 for a raw record; the number of records averaged for a 1-minute row. */
  samples: number;
  bootId: string | null;
  seq: number | null;
  pose: { x: number; y: number; theta: number } | null;
  missionState: string | null;
  coverage: number | null;
  batteryPercent: number | null;
  batteryVoltage: number | null;
  linearSpeed: number | null;
  angularSpeed: number | null;
  cpuTemp: number | null;
  values: Record<string, number> | null;
}

export interface StoredEvent extends EventMessage {
  receivedAt: number;
}

interface RobotRow {
  id: string;
  name: string;
  created_at: number;
  online: number;
  last_seen: number | null;
  status_json: string | null;
}

interface TelemetryRow {
  stream: string;
  time: number;
  received_at: number | null;
  samples: number;
  boot_id: string | null;
  seq: number | null;
  x: number | null;
  y: number | null;
  theta: number | null;
  mission_state: string | null;
  coverage: number | null;
  battery_percent: number | null;
  battery_voltage: number | null;
  linear_speed: number | null;
  angular_speed: number | null;
  cpu_temp: number | null;
  extra_json: string | null;
}

function toSummary(row: RobotRow): RobotSummary {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    online: row.online === 1,
    lastSeen: row.last_seen,
    status: row.status_json ? (JSON.parse(row.status_json) as StatusMessage) : null,
  };
}

function toSample(row: TelemetryRow): TelemetrySample {
  return {
    stream: row.stream,
    time: row.time,
    receivedAt: row.received_at,
    samples: row.samples,
    bootId: row.boot_id,
    seq: row.seq,
    pose: row.x === null ? null : { x: row.x, y: row.y ?? 0, theta: row.theta ?? 0 },
    missionState: row.mission_state,
    coverage: row.coverage,
    batteryPercent: row.battery_percent,
    batteryVoltage: row.battery_voltage,
    linearSpeed: row.linear_speed,
    angularSpeed: row.angular_speed,
    cpuTemp: row.cpu_temp,
    values: row.extra_json ? (JSON.parse(row.extra_json) as Record<string, number>) : null,
  };
}

const TELEMETRY_COLUMNS = `stream, time, x, y, theta, mission_state, coverage, battery_percent, battery_voltage,
  linear_speed, angular_speed, cpu_temp, extra_json`;

export class RobotRegistry {
  private readonly known = new Set<string>();
  private readonly insertRobot;
  private readonly selectAll;
  private readonly selectOne;
  private readonly latestMap;

  constructor(private readonly db: CloudDb) {
    for (const row of db.prepare<[], { id: string }>('SELECT id FROM robots').iterate())
      this.known.add(row.id);
    this.insertRobot = db.prepare<[string, string, number]>(
      'INSERT INTO robots (id, name, created_at) VALUES (?, ?, ?)',
    );
    this.selectAll = db.prepare<[], RobotRow>(
      'SELECT id, name, created_at, online, last_seen, status_json FROM robots ORDER BY id',
    );
    this.selectOne = db.prepare<[string], RobotRow>(
      'SELECT id, name, created_at, online, last_seen, status_json FROM robots WHERE id = ?',
    );
    this.latestMap = db.prepare<[string], { snapshot_json: string }>(
      'SELECT snapshot_json FROM maps WHERE robot_id = ? ORDER BY received_at DESC, rowid DESC LIMIT 1',
    );
  }

  /** Robots whose latest status says online. */
  countOnline(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM robots WHERE online = 1').get() as { n: number }).n;
  }

  isKnown(id: string): boolean {
    return this.known.has(id);
  }

  /** Adds a robot; false when the id is taken. */
  add(id: string, name: string, now: number): boolean {
    if (this.known.has(id)) return false;
    this.insertRobot.run(id, name, now);
    this.known.add(id);
    return true;
  }

  list(): RobotSummary[] {
    return this.selectAll.all().map(toSummary);
  }

  get(id: string): RobotSummary | null {
    const row = this.selectOne.get(id);
    return row ? toSummary(row) : null;
  }

  latestMapSnapshot(id: string): MapSnapshot | null {
    const row = this.latestMap.get(id);
    return row ? (JSON.parse(row.snapshot_json) as MapSnapshot) : null;
  }

  /** Raw records and 1-minute averages in [from, to], oldest first. */
  telemetry(id: string, q: { from: number; to: number; stream?: string; limit: number }): TelemetrySample[] {
    const streamClause = q.stream === undefined ? '' : 'AND stream = @stream';
    const sql = `
      SELECT * FROM (
        SELECT ${TELEMETRY_COLUMNS}, received_at, 1 AS samples, boot_id, seq FROM telemetry_v
          WHERE robot_id = @id AND time >= @from AND time <= @to ${streamClause}
        UNION ALL
        SELECT ${TELEMETRY_COLUMNS.replace('time', 'minute AS time')}, NULL, samples, NULL, NULL FROM telemetry_1m
          WHERE robot_id = @id AND minute >= @from AND minute <= @to ${streamClause}
      ) ORDER BY time LIMIT @limit`;
    const params: Record<string, unknown> = { id, from: q.from, to: q.to, limit: q.limit };
    if (q.stream !== undefined) params.stream = q.stream;
    return this.db.prepare<[Record<string, unknown>], TelemetryRow>(sql).all(params).map(toSample);
  }

  events(id: string, q: { from: number; to: number; limit: number }): StoredEvent[] {
    const rows = this.db
      .prepare<
        [string, number, number, number],
        {
          boot_id: string;
          seq: number;
          time: number;
          received_at: number;
          level: EventMessage['level'];
          type: string;
          message: string;
          data_json: string | null;
        }
      >(
        `SELECT boot_id, seq, time, received_at, level, type, message, data_json FROM events
         WHERE robot_id = ? AND time >= ? AND time <= ? ORDER BY time, seq LIMIT ?`,
      )
      .all(id, q.from, q.to, q.limit);
    return rows.map((r) => ({
      bootId: r.boot_id,
      seq: r.seq,
      time: r.time,
      receivedAt: r.received_at,
      level: r.level,
      type: r.type,
      message: r.message,
      ...(r.data_json ? { data: JSON.parse(r.data_json) as Record<string, unknown> } : {}),
    }));
  }
}
