/**
 * CARMEN log reader (the format of the classic 2-D SLAM data sets). Pure: text in, messages out.
 * FLASER ranges at or above the sensor's maximum mean "no return" and become 0, the LaserScan convention.
 * Beam angles: n beams over 180° starting at −90°, counter-clockwise (1° apart for 180/181 beams, 0.5° for
 * 360/361).
 */
import type { Pose2D } from '../../shared/geometry.ts';
import type { LaserScan } from '../../shared/sensors.ts';

export interface CarmenFlaser {
  type: 'flaser';
  /** metres; 0 = no return */
  ranges: Float32Array;
  angles: Float32Array;
  /** the pose recorded with the scan (in "corrected" logs: the corrected trajectory) */
  pose: Pose2D;
  /** raw odometry at the scan */
  odom: Pose2D;
  timestamp: number;
  line: number;
}

export interface CarmenOdom {
  type: 'odom';
  pose: Pose2D;
  tv: number;
  rv: number;
  accel: number;
  timestamp: number;
  line: number;
}

export interface CarmenParam {
  type: 'param';
  name: string;
  value: string;
  line: number;
}

export type CarmenMessage = CarmenFlaser | CarmenOdom | CarmenParam;

export class CarmenParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CarmenParseError';
  }
}

export interface CarmenParseOptions {
  /** ranges at or above this are "no return" (m) */
  noReturnRange?: number;
}

export const DEFAULT_NO_RETURN_RANGE = 50;

const angleCache = new Map<number, Float32Array>();

/** Beam angles for an n-beam 180° CARMEN scan. */
export function carmenBeamAngles(n: number): Float32Array {
  let angles = angleCache.get(n);
  if (!angles) {
    // An odd count includes both ends (−90°…+90°); an even count stops one step short of +90°.
    const step = Math.PI / (n % 2 === 1 ? n - 1 : n);
    angles = new Float32Array(n);
    for (let i = 0; i < n; i++) angles[i] = -Math.PI / 2 + i * step;
    angleCache.set(n, angles);
  }
  return angles;
}

function num(fields: string[], i: number, line: number, what: string): number {
  const t = fields[i];
  if (t === undefined) throw new CarmenParseError(line, `missing ${what} (field ${i + 1})`);
  const v = Number(t);
  if (t.trim() === '' || !Number.isFinite(v))
    throw new CarmenParseError(line, `${what} "${t}" is not a number`);
  return v;
}

/**
 * One log line → a message, or null for blank lines, comments and message types a 2-D replay does not use
 * (NEFF, SYNC, RLASER, TRUEPOS…). Throws CarmenParseError naming the line on a malformed FLASER/ODOM/PARAM.
 */
export function parseCarmenLine(
  text: string,
  line: number,
  opts: CarmenParseOptions = {},
): CarmenMessage | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const fields = trimmed.split(/\s+/);
  const tag = fields[0];
  if (tag === 'PARAM') {
    if (fields.length < 3) throw new CarmenParseError(line, 'PARAM needs a name and a value');
    return { type: 'param', name: fields[1]!, value: fields[2]!, line };
  }
  if (tag === 'ODOM') {
    if (fields.length < 8)
      throw new CarmenParseError(line, `ODOM needs at least 7 values, found ${fields.length - 1}`);
    return {
      type: 'odom',
      pose: {
        x: num(fields, 1, line, 'x'),
        y: num(fields, 2, line, 'y'),
        theta: num(fields, 3, line, 'theta'),
      },
      tv: num(fields, 4, line, 'tv'),
      rv: num(fields, 5, line, 'rv'),
      accel: num(fields, 6, line, 'accel'),
      timestamp: num(fields, 7, line, 'timestamp'),
      line,
    };
  }
  if (tag === 'FLASER') {
    const n = num(fields, 1, line, 'beam count');
    if (!Number.isInteger(n) || n < 2 || n > 10000) throw new CarmenParseError(line, `bad beam count ${n}`);
    if (fields.length < 2 + n + 7)
      throw new CarmenParseError(
        line,
        `FLASER with ${n} beams needs ${n + 8} fields, found ${fields.length - 1}`,
      );
    const noReturn = opts.noReturnRange ?? DEFAULT_NO_RETURN_RANGE;
    const ranges = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = num(fields, 2 + i, line, `range ${i + 1}`);
      if (r < 0) throw new CarmenParseError(line, `range ${i + 1} is negative (${r})`);
      ranges[i] = r >= noReturn ? 0 : r;
    }
    const k = 2 + n;
    return {
      type: 'flaser',
      ranges,
      angles: carmenBeamAngles(n),
      pose: {
        x: num(fields, k, line, 'x'),
        y: num(fields, k + 1, line, 'y'),
        theta: num(fields, k + 2, line, 'theta'),
      },
      odom: {
        x: num(fields, k + 3, line, 'odom_x'),
        y: num(fields, k + 4, line, 'odom_y'),
        theta: num(fields, k + 5, line, 'odom_theta'),
      },
      timestamp: num(fields, k + 6, line, 'timestamp'),
      line,
    };
  }
  return null;
}

export interface CarmenLog {
  scans: CarmenFlaser[];
  odometry: CarmenOdom[];
  params: Map<string, string>;
  /** malformed lines skipped (only with skipBad) */
  skipped: number;
  /** line numbers of the skipped lines (first 100) */
  skippedLines: number[];
}

/** Parses a whole log. Without `skipBad` the first malformed line throws CarmenParseError. */
export function parseCarmenLog(
  text: string,
  opts: CarmenParseOptions & { skipBad?: boolean } = {},
): CarmenLog {
  const log: CarmenLog = { scans: [], odometry: [], params: new Map(), skipped: 0, skippedLines: [] };
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    let msg: CarmenMessage | null;
    try {
      msg = parseCarmenLine(text.slice(start, end), line, opts);
    } catch (err) {
      if (!(opts.skipBad && err instanceof CarmenParseError)) throw err;
      log.skipped++;
      if (log.skippedLines.length < 100) log.skippedLines.push(line);
      msg = null;
    }
    if (msg?.type === 'flaser') log.scans.push(msg);
    else if (msg?.type === 'odom') log.odometry.push(msg);
    else if (msg?.type === 'param') log.params.set(msg.name, msg.value);
    start = end + 1;
  }
  return log;
}

/** A FLASER message as the LaserScan the drivers deliver (laser frame, 0 = no return). */
export function flaserToLaserScan(scan: CarmenFlaser, seq: number): LaserScan {
  const qualities = new Uint8Array(scan.ranges.length);
  for (let i = 0; i < qualities.length; i++) qualities[i] = scan.ranges[i]! > 0 ? 255 : 0;
  return { stamp: scan.timestamp, duration: 0, angles: scan.angles, ranges: scan.ranges, qualities, seq };
}

/** Serializes a FLASER line (ranges of 0 are written as `noReturnRange`). */
export function formatFlaserLine(scan: CarmenFlaser, noReturnRange = DEFAULT_NO_RETURN_RANGE): string {
  const r = Array.from(scan.ranges, (v) =>
    v > 0 ? String(Math.round(v * 1e4) / 1e4) : String(noReturnRange),
  );
  const p = scan.pose;
  const o = scan.odom;
  return `FLASER ${scan.ranges.length} ${r.join(' ')} ${p.x} ${p.y} ${p.theta} ${o.x} ${o.y} ${o.theta} ${scan.timestamp} swath ${scan.timestamp}`;
}
