import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CarmenParseError,
  carmenBeamAngles,
  flaserToLaserScan,
  formatFlaserLine,
  parseCarmenLine,
  parseCarmenLog,
  type CarmenFlaser,
} from './carmen.ts';

const deg = (d: number): number => (d * Math.PI) / 180;

function flaserLine(n: number, fill = 1.5): string {
  return `FLASER ${n} ${Array(n).fill(fill).join(' ')} 1 2 0.5 1.1 2.1 0.6 12.5 host 12.6`;
}

describe('parseCarmenLine', () => {
  it('reads a FLASER line: ranges, corrected pose, odometry pose, timestamp', () => {
    const m = parseCarmenLine(flaserLine(180), 7) as CarmenFlaser;
    assert.equal(m.type, 'flaser');
    assert.equal(m.ranges.length, 180);
    assert.ok(Math.abs(m.ranges[0]! - 1.5) < 1e-6);
    assert.deepEqual(m.pose, { x: 1, y: 2, theta: 0.5 });
    assert.deepEqual(m.odom, { x: 1.1, y: 2.1, theta: 0.6 });
    assert.equal(m.timestamp, 12.5);
    assert.equal(m.line, 7);
  });

  it('lays 180/181/360/361 beams over 180°, counter-clockwise from −90°', () => {
    for (const [n, step] of [
      [180, 1],
      [181, 1],
      [360, 0.5],
      [361, 0.5],
    ] as const) {
      const a = carmenBeamAngles(n);
      assert.ok(Math.abs(a[0]! - deg(-90)) < 1e-6, `${n}: first`);
      assert.ok(Math.abs(a[1]! - a[0]! - deg(step)) < 1e-6, `${n}: step`);
      assert.ok(Math.abs(a[n - 1]! - deg(n % 2 === 1 ? 90 : 90 - step)) < 1e-5, `${n}: last`);
    }
  });

  it('turns ranges at or above the no-return range into 0', () => {
    const line = `FLASER 4 1.0 50 81.9 49.99 0 0 0 0 0 0 1 h 1`;
    assert.deepEqual(
      [...(parseCarmenLine(line, 1) as CarmenFlaser).ranges].map((r) => Math.round(r * 100) / 100),
      [1, 0, 0, 49.99],
    );
    const r82 = parseCarmenLine(line, 1, { noReturnRange: 81.9 }) as CarmenFlaser;
    assert.ok(r82.ranges[1]! > 49 && r82.ranges[2] === 0);
  });

  it('reads ODOM and PARAM, ignores comments, blanks and other message types', () => {
    const o = parseCarmenLine('ODOM 1 2 0.3 0.4 0.1 0 99.5 host 99.6', 3);
    assert.deepEqual(o, {
      type: 'odom',
      pose: { x: 1, y: 2, theta: 0.3 },
      tv: 0.4,
      rv: 0.1,
      accel: 0,
      timestamp: 99.5,
      line: 3,
    });
    assert.deepEqual(parseCarmenLine('PARAM robot_frontlaser_offset 0.1 nohost 0', 1), {
      type: 'param',
      name: 'robot_frontlaser_offset',
      value: '0.1',
      line: 1,
    });
    assert.equal(parseCarmenLine('# comment', 1), null);
    assert.equal(parseCarmenLine('   ', 1), null);
    assert.equal(parseCarmenLine('NEFF 30', 1), null);
  });

  it('names the line and the problem on malformed input', () => {
    assert.throws(
      () => parseCarmenLine('FLASER 180 1 2 3', 12),
      (e) =>
        e instanceof CarmenParseError &&
        e.line === 12 &&
        /line 12: FLASER with 180 beams needs 188 fields/.test(e.message),
    );
    assert.throws(
      () => parseCarmenLine(flaserLine(180).replace(' 1.5 ', ' abc '), 4),
      /line 4: range 1 "abc" is not a number/,
    );
    assert.throws(() => parseCarmenLine('FLASER x', 2), /line 2: beam count "x"/);
    assert.throws(() => parseCarmenLine('ODOM 1 2', 9), /line 9: ODOM needs at least 7 values/);
    assert.throws(() => parseCarmenLine(flaserLine(4, -1), 5), /line 5: range 1 is negative/);
  });
});

describe('parseCarmenLog', () => {
  const text = [
    '# log',
    'PARAM a 1',
    flaserLine(180),
    'ODOM 0 0 0 0 0 0 1 h 1',
    'FLASER 180 oops',
    flaserLine(181),
    '',
  ].join('\n');

  it('stops at the first bad line, or skips and counts with skipBad', () => {
    assert.throws(() => parseCarmenLog(text), /line 5:/);
    const log = parseCarmenLog(text, { skipBad: true });
    assert.equal(log.scans.length, 2);
    assert.equal(log.odometry.length, 1);
    assert.equal(log.params.get('a'), '1');
    assert.equal(log.skipped, 1);
    assert.deepEqual(log.skippedLines, [5]);
  });

  it('round-trips FLASER lines and converts them to LaserScans', () => {
    const scan = parseCarmenLine(`FLASER 3 1.25 50 2.5 1 2 0.5 1.1 2.1 0.6 12.5 h 12.5`, 1) as CarmenFlaser;
    const again = parseCarmenLine(formatFlaserLine(scan), 1) as CarmenFlaser;
    assert.deepEqual([...again.ranges], [...scan.ranges]);
    assert.deepEqual([again.pose, again.odom, again.timestamp], [scan.pose, scan.odom, scan.timestamp]);
    const ls = flaserToLaserScan(scan, 4);
    assert.equal(ls.seq, 4);
    assert.equal(ls.stamp, 12.5);
    assert.deepEqual([...ls.qualities], [255, 0, 255]);
  });
});
