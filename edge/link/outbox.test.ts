import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtualClock } from '../sim/virtual-clock.ts';
import { DurableOutbox, type OutboxRecord } from './outbox.ts';
import { OutboxPump } from './outbox-pump.ts';

const payload = (seq: number) => JSON.stringify({ seq, body: 'x'.repeat(80) });

test('sequence numbers are per stream and survive a restart; records survive until acked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-outbox-'));
  try {
    const clock = new VirtualClock();
    const path = join(dir, 'outbox.sqlite');
    let box = new DurableOutbox({ path }, clock);
    const a = box.enqueue('telemetry', 't', payload);
    const b = box.enqueue('telemetry', 't', payload);
    const e = box.enqueue('events', 'e', payload);
    assert.deepEqual([a.seq, b.seq, e.seq], [1, 2, 1]);
    box.ack(a.id);
    box.close();
    box = new DurableOutbox({ path }, clock);
    assert.deepEqual(
      box.peek(10).map((r) => [r.stream, r.seq]),
      [
        ['telemetry', 2],
        ['events', 1],
      ],
    );
    assert.equal(box.enqueue('telemetry', 't', payload).seq, 3);
    box.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('over budget, telemetry drops its oldest records and events are never dropped', () => {
  const clock = new VirtualClock();
  const box = new DurableOutbox(
    { path: ':memory:', maxBytes: 2000, policies: { events: { onFull: 'never-drop' } } },
    clock,
  );
  for (let i = 0; i < 5; i++) box.enqueue('events', 'e', payload);
  for (let i = 0; i < 50; i++) box.enqueue('telemetry', 't', payload);
  const stats = box.stats();
  assert.ok(stats.pendingBytes <= 2000, `pending ${stats.pendingBytes}`);
  assert.equal(box.peek(100).filter((r) => r.stream === 'events').length, 5);
  const telemetry = box.peek(100).filter((r) => r.stream === 'telemetry');
  assert.equal(telemetry.at(-1)!.seq, 50, 'the newest telemetry is kept');
  assert.equal(stats.dropped.telemetry, 50 - telemetry.length);
  for (let i = 0; i < 30; i++) box.enqueue('events', 'e', payload);
  assert.equal(box.peek(100).filter((r) => r.stream === 'events').length, 35);
  assert.equal(box.stats().overBudget, true);
  box.close();
});

test('old records expire by their stream policy', async () => {
  const clock = new VirtualClock();
  const box = new DurableOutbox(
    { path: ':memory:', policies: { telemetry: { onFull: 'drop-oldest', maxAgeSeconds: 60 } } },
    clock,
  );
  box.enqueue('telemetry', 't', payload);
  box.enqueue('events', 'e', payload);
  await clock.advanceBy(61);
  box.enqueue('telemetry', 't', payload);
  assert.equal(box.expire(), 1);
  assert.deepEqual(
    box.peek(10).map((r) => [r.stream, r.seq]),
    [
      ['events', 1],
      ['telemetry', 2],
    ],
  );
  box.close();
});

test('the pump deletes only acknowledged records and resends the rest after a reconnect', async () => {
  const clock = new VirtualClock();
  const box = new DurableOutbox({ path: ':memory:' }, clock);
  const delivered: number[] = [];
  let brokerUp = true;
  const pending: Array<{ record: OutboxRecord; resolve: () => void; reject: (e: Error) => void }> = [];
  const pump = new OutboxPump(
    box,
    (record) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ record, resolve, reject });
      }),
    4,
  );
  const settle = () => {
    for (const p of pending.splice(0)) {
      if (brokerUp) {
        delivered.push(p.record.seq);
        p.resolve();
      } else p.reject(new Error('connection lost'));
    }
  };
  pump.setConnected(true);
  for (let i = 0; i < 10; i++) {
    box.enqueue('telemetry', 't', payload);
    pump.kick();
  }
  assert.equal(pending.length, 4, 'window limits in-flight publishes');
  settle();
  await clock.advanceBy(0);
  brokerUp = false;
  settle();
  pump.setConnected(false);
  await clock.advanceBy(0);
  brokerUp = true;
  pump.setConnected(true);
  for (let round = 0; round < 10 && pending.length > 0; round++) {
    settle();
    await clock.advanceBy(0);
  }
  assert.deepEqual(
    [...new Set(delivered)].sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.equal(box.stats().pendingRecords, 0);
  box.close();
});
