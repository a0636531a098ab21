/**
 * Retention: raw telemetry is kept `rawHours`, then folded into 1-minute averages (kept `downsampledDays`),
 * then deleted; events, status history and commands go after `eventsDays`; maps keep the newest
 * `mapsPerRobot` per robot. The averaging is pure (`accumulate`, `mergeAggregates`); runRetention is the
 * shell that reads and writes the database in one transaction.
 */
import type { CloudDb } from '../db/database.ts';
import type { RetentionConfig } from '../config.ts';

export const BUCKET_S = 60;
const MEAN_FIELDS = [
  'x',
  'y',
  'coverage',
  'battery_percent',
  'battery_voltage',
  'linear_speed',
  'angular_speed',
  'cpu_temp',
] as const;
type MeanField = (typeof MEAN_FIELDS)[number];

export interface RawTelemetryRow {
  robot_id: string;
  stream: string;
  time: number;
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

interface Mean {
  mean: number;
  n: number;
}

/** One robot's stream over one minute. Angles average on the circle (sin/cos sums). */
export interface Aggregate {
  robotId: string;
  stream: string;
  minute: number;
  samples: number;
  means: Partial<Record<MeanField, Mean>>;
  sin: number;
  cos: number;
  /** The mission state of the latest record in the minute. */
  missionState: { value: string; time: number } | null;
  values: Record<string, Mean>;
}

export function minuteOf(time: number): number {
  return Math.floor(time / BUCKET_S) * BUCKET_S;
}

function addMean(m: Mean | undefined, value: number, weight: number): Mean {
  if (!m) return { mean: value, n: weight };
  const n = m.n + weight;
  return { mean: m.mean + ((value - m.mean) * weight) / n, n };
}

export function emptyAggregate(robotId: string, stream: string, minute: number): Aggregate {
  return { robotId, stream, minute, samples: 0, means: {}, sin: 0, cos: 0, missionState: null, values: {} };
}

/** Adds one raw record to its minute's aggregate (mutates `agg`, which the caller owns). */
export function accumulate(agg: Aggregate, row: RawTelemetryRow): void {
  agg.samples += 1;
  for (const f of MEAN_FIELDS) {
    const v = row[f];
    if (v !== null) agg.means[f] = addMean(agg.means[f], v, 1);
  }
  if (row.theta !== null) {
    agg.sin += Math.sin(row.theta);
    agg.cos += Math.cos(row.theta);
  }
  if (row.mission_state !== null && (agg.missionState === null || row.time >= agg.missionState.time))
    agg.missionState = { value: row.mission_state, time: row.time };
  if (row.extra_json !== null) {
    const values = JSON.parse(row.extra_json) as Record<string, number>;
    for (const [k, v] of Object.entries(values)) agg.values[k] = addMean(agg.values[k], v, 1);
  }
}

/** Combines two aggregates of the same robot, stream and minute (weighted by their sample counts). */
export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
  const out = emptyAggregate(a.robotId, a.stream, a.minute);
  out.samples = a.samples + b.samples;
  for (const f of MEAN_FIELDS) {
    let m: Mean | undefined;
    for (const src of [a.means[f], b.means[f]]) if (src) m = addMean(m, src.mean, src.n);
    if (m) out.means[f] = m;
  }
  out.sin = a.sin + b.sin;
  out.cos = a.cos + b.cos;
  out.missionState =
    a.missionState && b.missionState
      ? a.missionState.time >= b.missionState.time
        ? a.missionState
        : b.missionState
      : (a.missionState ?? b.missionState);
  for (const src of [a.values, b.values])
    for (const [k, m] of Object.entries(src)) out.values[k] = addMean(out.values[k], m.mean, m.n);
  return out;
}

interface MinuteRow extends Omit<RawTelemetryRow, 'time'> {
  minute: number;
  samples: number;
}

function fromMinuteRow(row: MinuteRow): Aggregate {
  const agg = emptyAggregate(row.robot_id, row.stream, row.minute);
  agg.samples = row.samples;
  for (const f of MEAN_FIELDS) {
    const v = row[f];
    if (v !== null) agg.means[f] = { mean: v, n: row.samples };
  }
  if (row.theta !== null) {
    agg.sin = Math.sin(row.theta) * row.samples;
    agg.cos = Math.cos(row.theta) * row.samples;
  }
  if (row.mission_state !== null) agg.missionState = { value: row.mission_state, time: row.minute };
  if (row.extra_json !== null)
    for (const [k, v] of Object.entries(JSON.parse(row.extra_json) as Record<string, number>))
      agg.values[k] = { mean: v, n: row.samples };
  return agg;
}

function toParams(agg: Aggregate): unknown[] {
  const mean = (f: MeanField) => agg.means[f]?.mean ?? null;
  const keys = Object.keys(agg.values);
  return [
    agg.robotId,
    agg.stream,
    agg.minute,
    agg.samples,
    mean('x'),
    mean('y'),
    agg.sin === 0 && agg.cos === 0 ? null : Math.atan2(agg.sin, agg.cos),
    agg.missionState?.value ?? null,
    mean('coverage'),
    mean('battery_percent'),
    mean('battery_voltage'),
    mean('linear_speed'),
    mean('angular_speed'),
    mean('cpu_temp'),
    keys.length === 0 ? null : JSON.stringify(Object.fromEntries(keys.map((k) => [k, agg.values[k]!.mean]))),
  ];
}

export interface RetentionResult {
  rawFolded: number;
  minuteRowsWritten: number;
  minuteRowsDeleted: number;
  eventsDeleted: number;
  mapsDeleted: number;
}

/** Runs one retention pass at wall-clock time `now` (s). */
export function runRetention(db: CloudDb, cfg: RetentionConfig, now: number): RetentionResult {
  // Cut at a minute boundary so a minute is folded whole (late records for it are merged on a later pass).
  const rawCutoff = minuteOf(now - cfg.rawHours * 3600);
  const minuteCutoff = now - cfg.downsampledDays * 86_400;
  const eventCutoff = now - cfg.eventsDays * 86_400;
  const allSeries = db.prepare<[], { id: number }>('SELECT id FROM series ORDER BY robot_id, stream, id');
  // Per series through the (series, time) index, so a pass reads only what it folds.
  const selectRaw = db.prepare<[number, number], RawTelemetryRow>(
    `SELECT s.robot_id, s.stream, t.time, t.x, t.y, t.theta, t.mission_state, t.coverage, t.battery_percent,
       t.battery_voltage, t.linear_speed, t.angular_speed, t.cpu_temp, t.extra_json
     FROM telemetry t JOIN series s ON s.id = t.series WHERE t.series = ? AND t.time < ? ORDER BY t.time`,
  );
  const deleteRaw = db.prepare<[number, number]>('DELETE FROM telemetry WHERE series = ? AND time < ?');
  const selectMinute = db.prepare<[string, string, number], MinuteRow>(
    'SELECT * FROM telemetry_1m WHERE robot_id = ? AND stream = ? AND minute = ?',
  );
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO telemetry_1m (robot_id, stream, minute, samples, x, y, theta, mission_state,
       coverage, battery_percent, battery_voltage, linear_speed, angular_speed, cpu_temp, extra_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction((): RetentionResult => {
    const result: RetentionResult = {
      rawFolded: 0,
      minuteRowsWritten: 0,
      minuteRowsDeleted: 0,
      eventsDeleted: 0,
      mapsDeleted: 0,
    };
    const pending: Aggregate[] = [];
    const seriesIds = allSeries.all().map((r) => r.id);
    for (const series of seriesIds) {
      let current: Aggregate | null = null;
      for (const row of selectRaw.iterate(series, rawCutoff)) {
        const minute = minuteOf(row.time);
        if (!current || current.minute !== minute) {
          if (current) pending.push(current);
          current = emptyAggregate(row.robot_id, row.stream, minute);
        }
        accumulate(current, row);
        result.rawFolded++;
      }
      if (current) pending.push(current);
    }
    // Several boots can share a robot, stream and minute: each aggregate merges into what is stored.
    for (const agg of pending) {
      const existing = selectMinute.get(agg.robotId, agg.stream, agg.minute);
      upsert.run(...toParams(existing ? mergeAggregates(fromMinuteRow(existing), agg) : agg));
      result.minuteRowsWritten++;
    }
    for (const series of seriesIds) deleteRaw.run(series, rawCutoff);
    result.minuteRowsDeleted = db
      .prepare('DELETE FROM telemetry_1m WHERE minute < ?')
      .run(minuteCutoff).changes;
    result.eventsDeleted = db.prepare('DELETE FROM events WHERE time < ?').run(eventCutoff).changes;
    db.prepare('DELETE FROM status_log WHERE received_at < ?').run(eventCutoff);
    db.prepare('DELETE FROM commands WHERE issued_at < ?').run(eventCutoff);
    result.mapsDeleted = db
      .prepare(
        `DELETE FROM maps WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER
           (PARTITION BY robot_id ORDER BY received_at DESC, rowid DESC) AS rank FROM maps) WHERE rank > ?)`,
      )
      .run(cfg.mapsPerRobot).changes;
    return result;
  })();
}
