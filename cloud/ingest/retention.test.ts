import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openCloudDb, type CloudDb } from '../db/database.ts';
import {
  accumulate,
  emptyAggregate,
  mergeAggregates,
  minuteOf,
  runRetention,
  type RawTelemetryRow,
} from './retention.ts';

const cfg = { rawHours: 1, downsampledDays: 2, eventsDays: 2, mapsPerRobot: 2, intervalSeconds: 60 };
const NOW = 1_700_000_000;

function raw(time: number, over: Partial<RawTelemetryRow> = {}): RawTelemetryRow {
  return {
    robot_id: 'r1',
    stream: 'state',
    time,
    x: 1,
    y: 2,
    theta: 0,
    mission_state: 'covering',
    coverage: 0.5,
    battery_percent: 80,
    battery_voltage: 14,
    linear_speed: 0.2,
    angular_speed: 0,
    cpu_temp: null,
    extra_json: null,
    ...over,
  };
}

function insertRaw(db: CloudDb, row: RawTelemetryRow, seq: number): void {
  db.prepare("INSERT OR IGNORE INTO series (robot_id, stream, boot_id) VALUES (?, ?, 'b')").run(
    row.robot_id,
    row.stream,
  );
  const series = db
    .prepare("SELECT id FROM series WHERE robot_id = ? AND stream = ? AND boot_id = 'b'")
    .pluck()
    .get(row.robot_id, row.stream);
  db.prepare(
    `INSERT INTO telemetry (series, seq, time, received_at, x, y, theta, mission_state, coverage,
      battery_percent, battery_voltage, linear_speed, angular_speed, cpu_temp, extra_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    series,
    seq,
    row.time,
    row.time,
    row.x,
    row.y,
    row.theta,
    row.mission_state,
    row.coverage,
    row.battery_percent,
    row.battery_voltage,
    row.linear_speed,
    row.angular_speed,
    row.cpu_temp,
    row.extra_json,
  );
}

test('averages are weighted, angles average on the circle, the latest mission state wins', () => {
  const a = emptyAggregate('r1', 'state', 0);
  accumulate(a, raw(1, { x: 0, theta: Math.PI - 0.1, mission_state: 'covering' }));
  accumulate(a, raw(2, { x: 3, theta: -Math.PI + 0.1, mission_state: 'paused', extra_json: '{"t":10}' }));
  assert.equal(a.samples, 2);
  assert.equal(a.means.x!.mean, 1.5);
  assert.ok(Math.abs(Math.abs(Math.atan2(a.sin, a.cos)) - Math.PI) < 1e-9, 'mean of ±(π-0.1) is π, not 0');
  assert.equal(a.missionState!.value, 'paused');
  const b = emptyAggregate('r1', 'state', 0);
  accumulate(b, raw(3, { x: 6, extra_json: '{"t":20}' }));
  const m = mergeAggregates(a, b);
  assert.equal(m.samples, 3);
  assert.equal(m.means.x!.mean, 3);
  assert.equal(m.values.t!.mean, 15);
  assert.equal(m.missionState!.value, 'covering', 'record at t=3 is the latest');
});

test('a retention pass folds old raw telemetry into minutes, then ages everything out', () => {
  const db = openCloudDb(':memory:');
  const old = minuteOf(NOW - 2 * 3600);
  for (let i = 0; i < 6; i++) insertRaw(db, raw(old + i * 10, { x: i }), i); // one minute, 6 records
  insertRaw(db, raw(old + 60, { x: 100 }), 6); // the next minute
  insertRaw(db, raw(NOW - 60, { x: 7 }), 7); // recent: stays raw
  let result = runRetention(db, cfg, NOW);
  assert.equal(result.rawFolded, 7);
  assert.equal(result.minuteRowsWritten, 2);
  const minutes = db.prepare('SELECT minute, samples, x FROM telemetry_1m ORDER BY minute').all() as {
    minute: number;
    samples: number;
    x: number;
  }[];
  assert.deepEqual(minutes, [
    { minute: old, samples: 6, x: 2.5 },
    { minute: old + 60, samples: 1, x: 100 },
  ]);
  assert.equal((db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n, 1);

  // A late record for an already folded minute is merged, not duplicated.
  insertRaw(db, raw(old + 5, { x: 9.5 }), 99);
  result = runRetention(db, cfg, NOW);
  assert.equal(result.rawFolded, 1);
  assert.deepEqual(db.prepare('SELECT samples, x FROM telemetry_1m WHERE minute = ?').get(old), {
    samples: 7,
    x: 3.5,
  });

  // Three days later the last raw record is folded too, and all three minutes are past their 2 days.
  result = runRetention(db, cfg, NOW + 3 * 86_400);
  assert.equal(result.rawFolded, 1);
  assert.equal(result.minuteRowsDeleted, 3);
  assert.equal((db.prepare('SELECT count(*) AS n FROM telemetry_1m').get() as { n: number }).n, 0);
  db.close();
});

test('events age out and only the newest maps per robot are kept', () => {
  const db = openCloudDb(':memory:');
  const insertMap = db.prepare(
    "INSERT INTO maps (robot_id, boot_id, seq, time, received_at, snapshot_json) VALUES (?, 'b', ?, ?, ?, '{}')",
  );
  for (let seq = 0; seq < 5; seq++) insertMap.run('r1', seq, NOW + seq, NOW + seq);
  insertMap.run('r2', 0, NOW, NOW);
  db.prepare(
    "INSERT INTO events (robot_id, boot_id, seq, time, received_at, level, type, message) VALUES ('r1', 'b', 0, ?, ?, 'info', 't', 'm')",
  ).run(NOW - 3 * 86_400, NOW - 3 * 86_400);
  const result = runRetention(db, cfg, NOW);
  assert.equal(result.eventsDeleted, 1);
  assert.equal(result.mapsDeleted, 3);
  const kept = db.prepare('SELECT robot_id, seq FROM maps ORDER BY robot_id, seq').all();
  assert.deepEqual(kept, [
    { robot_id: 'r1', seq: 3 },
    { robot_id: 'r1', seq: 4 },
    { robot_id: 'r2', seq: 0 },
  ]);
  db.close();
});
