import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ALL_ROBOTS_FILTER,
  broadcastTopic,
  commandReplyTopic,
  commandTopic,
  eventsTopic,
  isValidRobotId,
  mapTopic,
  parseTopic,
  statusTopic,
  telemetryTopic,
} from './topics.ts';

const robotId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,22}$/);
const name = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/);

test('builders produce the documented layout', () => {
  assert.equal(statusTopic('r1'), 'swath/v1/robots/r1/status');
  assert.equal(telemetryTopic('r1', 'state'), 'swath/v1/robots/r1/telemetry/state');
  assert.equal(eventsTopic('r1'), 'swath/v1/robots/r1/events');
  assert.equal(mapTopic('r1'), 'swath/v1/robots/r1/map');
  assert.equal(commandTopic('r1', 'start'), 'swath/v1/robots/r1/cmd/start');
  assert.equal(commandReplyTopic('r1', 'start'), 'swath/v1/robots/r1/cmd/start/res');
  assert.equal(broadcastTopic('fleet/pause'), 'swath/v1/broadcast/fleet/pause');
  assert.equal(ALL_ROBOTS_FILTER, 'swath/v1/robots/+/#');
});

test('ids and names that could escape one topic level are refused', () => {
  for (const bad of ['', 'a/b', '+', '#', '$SYS', 'UPPER', '-lead', 'x'.repeat(24), 'a b'])
    assert.equal(isValidRobotId(bad), false, bad);
  assert.throws(() => statusTopic('a/b'), RangeError);
  assert.throws(() => telemetryTopic('r1', '#'), RangeError);
  assert.throws(() => commandTopic('r1', 'a/b'), RangeError);
  assert.throws(() => broadcastTopic('a//b'), RangeError);
});

test('parseTopic inverts every builder', () => {
  fc.assert(
    fc.property(robotId, name, (id, n) => {
      assert.deepEqual(parseTopic(statusTopic(id)), { kind: 'status', robotId: id });
      assert.deepEqual(parseTopic(eventsTopic(id)), { kind: 'events', robotId: id });
      assert.deepEqual(parseTopic(mapTopic(id)), { kind: 'map', robotId: id });
      assert.deepEqual(parseTopic(telemetryTopic(id, n)), { kind: 'telemetry', robotId: id, stream: n });
      assert.deepEqual(parseTopic(commandTopic(id, n)), { kind: 'command', robotId: id, name: n });
      assert.deepEqual(parseTopic(commandReplyTopic(id, n)), { kind: 'commandReply', robotId: id, name: n });
    }),
  );
});

test('parseTopic classifies the rest without throwing', () => {
  assert.deepEqual(parseTopic('swath/v1/robots/r1/jobs/notify'), {
    kind: 'other',
    robotId: 'r1',
    rest: ['jobs', 'notify'],
  });
  assert.deepEqual(parseTopic('swath/v1/broadcast/announce'), { kind: 'broadcast', path: ['announce'] });
  for (const t of [
    'swath/v1/robots/r1',
    'swath/v1/robots/R1/status',
    'swath/v1/robots//status',
    'other/x',
    '',
    'swath/v1/robots/r1/+/x',
  ])
    assert.equal(parseTopic(t), null, t);
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseTopic(s);
      parseTopic(`swath/v1/robots/${s}`);
    }),
  );
});
