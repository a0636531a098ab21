import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canPublish, canSubscribe, isWellFormedFilter, type Principal } from './acl.ts';

const r1: Principal = { id: 'r1', kind: 'robot' };
const service: Principal = { id: 'swath-cloud', kind: 'service' };

test('a robot publishes only inside its own subtree', () => {
  assert.equal(canPublish(r1, 'swath/v1/robots/r1/telemetry/state'), true);
  assert.equal(canPublish(r1, 'swath/v1/robots/r1/cmd/start/res'), true);
  for (const t of [
    'swath/v1/robots/r2/status',
    'swath/v1/robots/r10/status',
    'swath/v1/robots/r1',
    'swath/v1/robots/r1/',
    'swath/v1/robots/r1//x',
    'swath/v1/broadcast/x',
    '$SYS/x',
    'swath/v1/robots/+/status',
  ])
    assert.equal(canPublish(r1, t), false, t);
});

test('a robot subscribes only to its subtree and broadcasts, never with a wildcard above them', () => {
  for (const f of [
    'swath/v1/robots/r1/#',
    'swath/v1/robots/r1/cmd/+',
    'swath/v1/broadcast/#',
    'swath/v1/broadcast/+/x',
  ])
    assert.equal(canSubscribe(r1, f), true, f);
  for (const f of [
    '#',
    '+/#',
    'swath/#',
    'swath/v1/robots/#',
    'swath/v1/robots/+/status',
    'swath/v1/robots/+/#',
    'swath/v1/robots/r2/#',
    'swath/v1/robots/r1',
    'swath/v1/+/r1/#',
    '$SYS/#',
    '$share/g/swath/v1/robots/r1/#',
    'swath/v1/robots/r1/cmd/st#',
    'swath/v1/robots/r1/cmd/a+',
  ])
    assert.equal(canSubscribe(r1, f), false, f);
});

test('the service principal reaches all of swath/v1 but not $SYS', () => {
  assert.equal(canSubscribe(service, 'swath/v1/robots/+/#'), true);
  assert.equal(canPublish(service, 'swath/v1/robots/r1/cmd/start'), true);
  assert.equal(canSubscribe(service, '$SYS/#'), false);
  assert.equal(canSubscribe(service, '#'), false);
});

test('no topic or filter lets one robot reach another robot’s subtree', () => {
  const id = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,22}$/);
  fc.assert(
    fc.property(id, id, fc.string(), (a, b, tail) => {
      fc.pre(a !== b);
      const other = `swath/v1/robots/${b}/${tail}`;
      assert.equal(canPublish({ id: a, kind: 'robot' }, other), false);
      assert.equal(canSubscribe({ id: a, kind: 'robot' }, other), false);
    }),
  );
});

test('filter syntax', () => {
  assert.equal(isWellFormedFilter('a/+/#'), true);
  assert.equal(isWellFormedFilter('a/#/b'), false);
  assert.equal(isWellFormedFilter('a/b+'), false);
  assert.equal(isWellFormedFilter(''), false);
});
