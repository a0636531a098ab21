import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ClientBuffer, type DropRank } from './client-buffer.ts';

test('a keyed entry replaces the pending one with the same key, at the end', () => {
  const b = new ClientBuffer({ maxEntries: 10, maxBytes: 1000, hardMaxBytes: 2000 });
  b.push('map1', { key: 'map' });
  b.push('t1', { rank: 1 });
  b.push('map2', { key: 'map' });
  assert.deepEqual(b.take(), { texts: ['t1', 'map2'], dropped: 0 });
  assert.deepEqual([b.pendingEntries, b.pendingBytes], [0, 0]);
});

test('over the limit, telemetry goes first, then events, never keyed entries', () => {
  const b = new ClientBuffer({ maxEntries: 3, maxBytes: 1000, hardMaxBytes: 2000 });
  b.push('event1', { rank: 2 });
  b.push('state1', { rank: 1 });
  b.push('status', { key: 'status' });
  b.push('state2', { rank: 1 });
  assert.deepEqual(b.take(), { texts: ['event1', 'status', 'state2'], dropped: 1 });
  b.push('event2', { rank: 2 });
  b.push('event3', { rank: 2 });
  b.push('map', { key: 'map' });
  b.push('status', { key: 'status' });
  assert.deepEqual(b.take(), { texts: ['event3', 'map', 'status'], dropped: 1 });
  assert.equal(b.droppedTotal, 2);
});

test('push reports overflow only when keyed entries alone pass the hard limit', () => {
  const b = new ClientBuffer({ maxEntries: 100, maxBytes: 10, hardMaxBytes: 20 });
  assert.equal(b.push('x'.repeat(15), { key: 'map' }), true);
  assert.equal(b.push('y'.repeat(8), { rank: 1 }), true);
  assert.equal(b.pendingBytes, 15, 'the telemetry went to make room');
  assert.equal(b.push('z'.repeat(10), { key: 'status' }), false);
});

test('any sequence stays within the limits once only keyed entries are left to keep', () => {
  const entry = fc.record({
    text: fc.string({ maxLength: 30 }),
    rank: fc.constantFrom<DropRank>(0, 1, 2),
    key: fc.constantFrom('map', 'status', 'a', 'b'),
  });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 200 }), (entries) => {
      const limits = { maxEntries: 8, maxBytes: 100, hardMaxBytes: 1000 };
      const b = new ClientBuffer(limits);
      const pushed: string[] = [];
      for (const e of entries) {
        // rank 0 entries are keyed (at most four pending); others are not.
        b.push(e.text, e.rank === 0 ? { key: e.key } : { rank: e.rank });
        pushed.push(e.text);
        assert.ok(b.pendingEntries <= limits.maxEntries + 4);
        assert.ok(b.pendingBytes <= limits.maxBytes + 4 * 30);
      }
      const { texts, dropped } = b.take();
      assert.ok(texts.length + dropped <= pushed.length);
      assert.equal(b.droppedTotal, dropped);
    }),
  );
});
