/**
 * The cloud's SQLite database (better-sqlite3, WAL). One writer: this process. Times are seconds since the
 * Unix epoch (REAL). Robot → cloud records are unique by (robot, stream, boot id, seq) — for telemetry
 * (series, seq) — so a redelivered QoS 1 message is stored once (INSERT OR IGNORE).
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';

export type CloudDb = Database.Database;

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mqtt_credentials (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('robot', 'service')),
  secret_hash TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS robots (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at REAL NOT NULL,
  online INTEGER NOT NULL DEFAULT 0,
  last_seen REAL,
  status_boot_id TEXT,
  status_seq INTEGER,
  status_json TEXT
);
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  token_sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  label TEXT NOT NULL,
  created_at REAL NOT NULL
);
-- One series per (robot, stream, boot): telemetry rows carry its small integer id, which keeps the
-- de-duplication index compact (it is written at as many places as there are live series).
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  robot_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  UNIQUE (robot_id, stream, boot_id)
);
CREATE TABLE IF NOT EXISTS telemetry (
  series INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  time REAL NOT NULL,
  received_at REAL NOT NULL,
  x REAL, y REAL, theta REAL,
  mission_state TEXT,
  coverage REAL,
  battery_percent REAL,
  battery_voltage REAL,
  linear_speed REAL,
  angular_speed REAL,
  cpu_temp REAL,
  extra_json TEXT,
  UNIQUE (series, seq)
);
CREATE INDEX IF NOT EXISTS telemetry_by_time ON telemetry (series, time);
CREATE VIEW IF NOT EXISTS telemetry_v AS
  SELECT s.robot_id, s.stream, s.boot_id, t.* FROM telemetry t JOIN series s ON s.id = t.series;
CREATE TABLE IF NOT EXISTS telemetry_1m (
  robot_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  minute REAL NOT NULL,
  samples INTEGER NOT NULL,
  x REAL, y REAL, theta REAL,
  mission_state TEXT,
  coverage REAL,
  battery_percent REAL,
  battery_voltage REAL,
  linear_speed REAL,
  angular_speed REAL,
  cpu_temp REAL,
  extra_json TEXT,
  PRIMARY KEY (robot_id, stream, minute)
);
CREATE TABLE IF NOT EXISTS events (
  robot_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time REAL NOT NULL,
  received_at REAL NOT NULL,
  level TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  data_json TEXT,
  UNIQUE (robot_id, boot_id, seq)
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (robot_id, time);
CREATE TABLE IF NOT EXISTS maps (
  robot_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time REAL NOT NULL,
  received_at REAL NOT NULL,
  snapshot_json TEXT NOT NULL,
  UNIQUE (robot_id, boot_id, seq)
);
CREATE INDEX IF NOT EXISTS maps_by_time ON maps (robot_id, received_at);
CREATE TABLE IF NOT EXISTS status_log (
  robot_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time REAL NOT NULL,
  received_at REAL NOT NULL,
  state TEXT NOT NULL,
  UNIQUE (robot_id, boot_id, seq)
);
CREATE TABLE IF NOT EXISTS commands (
  id TEXT PRIMARY KEY,
  robot_id TEXT NOT NULL,
  name TEXT NOT NULL,
  args_json TEXT NOT NULL,
  issued_at REAL NOT NULL,
  expires_at REAL NOT NULL,
  issued_by TEXT NOT NULL,
  replied_at REAL,
  ok INTEGER,
  reply_json TEXT
);
`;

export function openCloudDb(path: string): CloudDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a process crash; only an OS crash can lose the last transactions.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${path}: database schema ${version} is newer than this service (${SCHEMA_VERSION})`);
  }
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}

/** Bytes on disk: the main file plus its WAL (0 for an in-memory database). */
export function databaseSizeBytes(db: CloudDb): number {
  if (db.memory) {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const size = db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }
  let total = 0;
  for (const file of [db.name, `${db.name}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // The WAL file is absent right after a checkpoint-on-close; nothing to count.
    }
  }
  return total;
}
