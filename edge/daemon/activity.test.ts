import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIVITIES,
  ACTIVITY_MEANINGS,
  addActivityTime,
  classifyActivity,
  emptyActivityTime,
  formatActivityTime,
  type ActivityInput,
} from './activity.ts';

const tick = (over: Partial<ActivityInput>): ActivityInput => ({
  task: 'cover',
  follower: 'following',
  holding: false,
  gate: 'pass',
  moving: true,
  ...over,
});

describe('classifyActivity', () => {
  it('tells driving, slowed, turning and stopped apart while following a path', () => {
    assert.equal(classifyActivity(tick({})), 'driving');
    assert.equal(classifyActivity(tick({ gate: 'limit' })), 'driving');
    assert.equal(classifyActivity(tick({ gate: 'slow' })), 'slowed');
    assert.equal(classifyActivity(tick({ follower: 'rotating' })), 'turning');
    assert.equal(classifyActivity(tick({ follower: 'aligning', gate: 'slow' })), 'turning');
    assert.equal(classifyActivity(tick({ gate: 'stop' })), 'stopped');
    assert.equal(classifyActivity(tick({ follower: 'rotating', gate: 'stop' })), 'stopped');
  });

  it('counts recoveries and waits whatever the gate and the follower say', () => {
    for (const task of ['recover', 'escape', 'clear'])
      assert.equal(classifyActivity(tick({ task, gate: 'stop', follower: undefined })), 'recovering');
    assert.equal(classifyActivity(tick({ task: 'wait', moving: false, follower: undefined })), 'waiting');
    assert.equal(classifyActivity(tick({ holding: true, moving: false, follower: 'obstructed' })), 'waiting');
  });

  it('calls a tick that asks for no motion idle, a stop of no motion included', () => {
    assert.equal(classifyActivity(tick({ moving: false, follower: undefined })), 'idle');
    assert.equal(classifyActivity(tick({ moving: false, follower: 'obstructed', gate: 'stop' })), 'idle');
    assert.equal(classifyActivity(tick({ moving: false, follower: 'done' })), 'idle');
    assert.equal(classifyActivity(tick({ task: 'explore', follower: undefined })), 'idle');
  });
});

describe('activity tallies', () => {
  it('add time per activity, ignore empty intervals and leave the old tally as it was', () => {
    const empty = emptyActivityTime();
    assert.deepEqual(Object.keys(empty), [...ACTIVITIES]);
    const once = addActivityTime(empty, 'turning', 0.05);
    const twice = addActivityTime(once, 'turning', 0.05);
    assert.equal(empty.turning, 0);
    assert.ok(Math.abs(twice.turning - 0.1) < 1e-12);
    assert.equal(addActivityTime(twice, 'idle', 0), twice);
    assert.equal(addActivityTime(twice, 'idle', Number.NaN), twice);
  });

  it('format largest first with shares, and every activity has a meaning', () => {
    const t = { ...emptyActivityTime(), driving: 60, turning: 30, waiting: 10 };
    assert.match(
      formatActivityTime(t),
      /^driving 60 s \(60 %\), turning 30 s \(30 %\), waiting 10 s \(10 %\)/,
    );
    assert.match(formatActivityTime(emptyActivityTime()), /driving 0 s \(0 %\)/);
    for (const a of ACTIVITIES) assert.ok(ACTIVITY_MEANINGS[a].length > 10, a);
  });
});
