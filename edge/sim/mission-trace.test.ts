import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MissionTrace, readMissionTrace, TRACE_TOPICS, WORLD_FRAME } from './mission-trace.ts';

interface PoseMessage {
  timestamp: { sec: number; nsec: number };
  frame_id: string;
  pose: { position: { x: number; y: number; z: number }; orientation: Record<'x' | 'y' | 'z' | 'w', number> };
}

test('a mission trace is an indexed MCAP of Foxglove poses and log lines, in clock order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-trace-'));
  try {
    const trace = new MissionTrace();
    trace.addTruth(0.1, { x: 1, y: 2, theta: Math.PI / 2 });
    trace.addEstimate(0.1, { x: 1.02, y: 2, theta: Math.PI / 2 });
    trace.addTruth(1.25, { x: 1.5, y: 2, theta: -Math.PI });
    trace.addControl(1.25, {
      mode: 'covering',
      task: 'recover',
      follower: undefined,
      gate: { action: 'stop', reason: 'obstacle-ahead' },
      sent: { v: 0, omega: 0 },
      bumpMarks: 3,
    });
    const path = join(dir, 'mission.mcap');
    await trace.write(path, [
      { time: 0.5, level: 'warn', type: 'recovery.bump', message: 'bump: backing off' },
    ]);
    const topics = await readMissionTrace(path);
    const truth = topics.get(TRACE_TOPICS.truth)!;
    assert.equal(truth.length, 2);
    assert.equal(topics.get(TRACE_TOPICS.estimate)!.length, 1);
    assert.equal(truth[0]!.time, 0.1);
    const first = truth[0]!.message as PoseMessage;
    assert.deepEqual(first.timestamp, { sec: 0, nsec: 100_000_000 });
    assert.equal(first.frame_id, WORLD_FRAME);
    assert.deepEqual(first.pose.position, { x: 1, y: 2, z: 0 });
    // θ = 90° about z.
    const q = first.pose.orientation;
    assert.ok(Math.abs(q.z - Math.SQRT1_2) < 1e-6 && Math.abs(q.w - Math.SQRT1_2) < 1e-6 && q.x === 0);
    assert.deepEqual((truth[1]!.message as PoseMessage).timestamp, { sec: 1, nsec: 250_000_000 });
    assert.deepEqual(
      topics.get(TRACE_TOPICS.control)!.map((r) => r.message),
      [
        {
          timestamp: { sec: 1, nsec: 250_000_000 },
          mode: 'covering',
          task: 'recover',
          follower: '',
          gate_action: 'stop',
          gate_reason: 'obstacle-ahead',
          v: 0,
          omega: 0,
          bump_marks: 3,
        },
      ],
    );
    const log = topics.get(TRACE_TOPICS.log)!;
    assert.equal(log.length, 1);
    assert.equal(log[0]!.time, 0.5);
    assert.deepEqual(log[0]!.message, {
      timestamp: { sec: 0, nsec: 500_000_000 },
      level: 3,
      message: 'bump: backing off',
      name: 'recovery.bump',
      file: '',
      line: 0,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
