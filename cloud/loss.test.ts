/**
 * The loss test: the broker goes away for a while and the robot's daemon restarts once, yet every telemetry
 * and event message the robot produced ends up stored in the cloud exactly once, checked against a ledger
 * of what was produced (stream, boot id, sequence number).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SystemClock } from '../shared/clock.ts';
import { RobotLink } from '../edge/link/robot-link.ts';
import { api, registerRobot, startTestCloud, waitFor } from './test-support.ts';

const ROBOT = 'ledger-1';

test('broker outage and a daemon restart: every telemetry and event message stored exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-loss-'));
  const dbPath = join(dir, 'cloud.db');
  const outbox = {
    path: join(dir, 'outbox.sqlite'),
    policies: { events: { onFull: 'never-drop' as const } },
  };
  const clock = new SystemClock();
  let cloud = await startTestCloud({ dbPath });
  const ports = { httpPort: cloud.httpPort, mqttPort: cloud.mqttPort! };
  const password = await registerRobot(cloud, ROBOT);
  const linkConfig = {
    url: `mqtt://127.0.0.1:${ports.mqttPort}`,
    robotId: ROBOT,
    password,
    reconnectPeriodMs: 100,
  };
  /** What the robot produced: "stream bootId seq". */
  const ledger = new Set<string>();
  const produce = (link: RobotLink, n: number) => {
    for (let i = 0; i < n; i++) {
      link.publishState({
        pose: { x: i * 0.01, y: 0, theta: 0 },
        missionState: 'covering',
        coverage: 0.5,
        batteryPercent: 80,
        batteryVoltage: 14.4,
        linearSpeed: 0.2,
        angularSpeed: 0,
      });
      if (i % 5 === 0) link.publishEvent('info', 'test.tick', `tick ${i}`);
    }
  };
  const recordLedger = (link: RobotLink, bootId: string, before: { state: number; events: number }) => {
    // The outbox numbers each stream 1, 2, …; the link reports how many it stored per stream.
    const after = link.outboxSequences();
    for (let s = before.state + 1; s <= after.state; s++) ledger.add(`state ${bootId} ${s}`);
    for (let s = before.events + 1; s <= after.events; s++) ledger.add(`events ${bootId} ${s}`);
    return after;
  };
  try {
    let link = new RobotLink(linkConfig, outbox, clock);
    link.connect();
    await waitFor(() => link.connected, 5000);
    let seqs = link.outboxSequences();
    produce(link, 40);
    seqs = recordLedger(link, link.bootId, { state: 0, events: 0 });
    await waitFor(() => link.stats().outbox.pendingRecords === 0, 5000);

    // The broker (the whole cloud service) goes away while the robot keeps producing.
    await cloud.close();
    await waitFor(() => !link.connected, 5000);
    produce(link, 60);
    seqs = recordLedger(link, link.bootId, seqs);
    assert.ok(link.stats().outbox.pendingRecords >= 60, 'messages wait in the outbox');

    // The daemon restarts while the broker is still down: a new boot id, the same outbox on disk.
    await link.close();
    link = new RobotLink(linkConfig, outbox, clock);
    link.connect();
    produce(link, 30);
    seqs = recordLedger(link, link.bootId, seqs);

    // The broker comes back on the same ports and database.
    cloud = await startTestCloud({ dbPath, ...ports });
    await waitFor(() => link.connected, 10000);
    produce(link, 20);
    recordLedger(link, link.bootId, seqs);
    await waitFor(() => link.stats().outbox.pendingRecords === 0, 10000);
    await link.close();

    const telemetry = await api(cloud, 'GET', `/api/robots/${ROBOT}/telemetry?stream=state&limit=10000`);
    const events = await api(cloud, 'GET', `/api/robots/${ROBOT}/events?limit=10000`);
    assert.equal(telemetry.status, 200);
    assert.equal(events.status, 200);
    const stored: string[] = [
      ...(telemetry.body.samples as { bootId: string; seq: number }[]).map(
        (s) => `state ${s.bootId} ${s.seq}`,
      ),
      ...(events.body.events as { bootId: string; seq: number; type: string }[])
        .filter((e) => e.type === 'test.tick')
        .map((e) => `events ${e.bootId} ${e.seq}`),
    ];
    assert.equal(new Set(stored).size, stored.length, 'no duplicates stored');
    const missing = [...ledger].filter((k) => !stored.includes(k));
    assert.deepEqual(missing, [], 'nothing lost');
    assert.equal(stored.length, ledger.size);
    assert.equal(ledger.size, 150 + 30, 'the ledger holds every message produced');
  } finally {
    await cloud.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
