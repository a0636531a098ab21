/**
 * The loss test during a mission: the simulated robot's daemon reports to the cloud while it explores; the
 * broker (the whole cloud service) is stopped for a while, the daemon is restarted once meanwhile, the
 * broker comes back — and every telemetry and event message the robot produced is stored exactly once,
 * checked against a ledger of (stream, boot id, sequence number).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { api, registerRobot, startTestCloud, waitFor } from '../../cloud/test-support.ts';
import type { CloudService } from '../../cloud/server.ts';
import { EdgeDaemon } from '../daemon/daemon.ts';
import { bridgeDaemonToLink } from '../daemon/link-bridge.ts';
import { RobotLink } from '../link/robot-link.ts';
import { motionPlanner } from '../planning/motion-planner.ts';
import { SimulatedRobot, SIM_ROBOT_CONFIG } from './sim-robot.ts';
import { VirtualClock } from './virtual-clock.ts';
import { loadWorld } from './world/load-world.ts';

const ROBOT = 'loss-1';
const SPEED = 10;

test('during a mission: broker stopped, daemon restarted, every telemetry and event message stored once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-mission-loss-'));
  const dbPath = join(dir, 'cloud.db');
  let cloud: CloudService = await startTestCloud({ dbPath });
  const ports = { httpPort: cloud.httpPort, mqttPort: cloud.mqttPort! };
  const password = await registerRobot(cloud, ROBOT);
  const config = { ...SIM_ROBOT_CONFIG, robotId: ROBOT };
  const clock = new VirtualClock();
  const robot = new SimulatedRobot({ world: loadWorld('studio'), clock, seed: 5, config });

  // Pace the simulation against the wall clock so MQTT (real sockets, real timers) keeps up.
  let running = true;
  const wallStart = performance.now();
  const pacing = (async () => {
    while (running) {
      await clock.advanceTo(Math.max(clock.now(), ((performance.now() - wallStart) / 1000) * SPEED));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const ledger = new Set<string>();
  const boot = async () => {
    const { lidar, base } = robot.connectDrivers();
    const daemon = new EdgeDaemon({ config, clock, devices: { lidar, base }, planner: motionPlanner });
    const link = new RobotLink(
      { url: `mqtt://127.0.0.1:${ports.mqttPort}`, robotId: ROBOT, password, reconnectPeriodMs: 100 },
      { path: join(dir, 'outbox.sqlite'), policies: { events: { onFull: 'never-drop' } } },
      clock,
    );
    const first = link.outboxSequences();
    const bridge = bridgeDaemonToLink(daemon, link, clock, {
      telemetryPeriod: 0.5,
      mapPeriod: 5,
      battery: () => base.battery(),
      velocity: () => daemon.status().velocity,
    });
    link.connect();
    await daemon.start();
    assert.ok(daemon.dispatch({ type: 'start' }).ok);
    /** Stops this boot and writes what it produced into the ledger. */
    const shutdown = async () => {
      bridge.stop();
      await daemon.stop();
      const last = link.outboxSequences();
      for (let s = first.state + 1; s <= last.state; s++) ledger.add(`state ${link.bootId} ${s}`);
      for (let s = first.events + 1; s <= last.events; s++) ledger.add(`events ${link.bootId} ${s}`);
      return link;
    };
    return { link, shutdown };
  };

  try {
    let current = await boot();
    const simAt = (t: number) => waitFor(() => clock.now() >= t, 30000);
    await simAt(20);
    await waitFor(() => current.link.connected);

    await cloud.close(); // the broker goes away mid-mission
    await simAt(35);
    const firstLink = await current.shutdown(); // the daemon restarts while the broker is down
    await firstLink.close();
    current = await boot();
    await simAt(50);
    assert.ok(current.link.stats().outbox.pendingRecords > 0, 'messages wait in the outbox');

    cloud = await startTestCloud({ dbPath, ...ports }); // the broker is back
    await simAt(65);
    const lastLink = await current.shutdown();
    await waitFor(() => lastLink.stats().outbox.pendingRecords === 0, 20000);
    await lastLink.close();

    const telemetry = await api(cloud, 'GET', `/api/robots/${ROBOT}/telemetry?stream=state&limit=10000`);
    const events = await api(cloud, 'GET', `/api/robots/${ROBOT}/events?limit=10000`);
    const stored = [
      ...(telemetry.body.samples as { bootId: string; seq: number }[]).map(
        (s) => `state ${s.bootId} ${s.seq}`,
      ),
      ...(events.body.events as { bootId: string; seq: number }[]).map((e) => `events ${e.bootId} ${e.seq}`),
    ];
    assert.equal(new Set(stored).size, stored.length, 'no duplicates stored');
    assert.deepEqual(
      [...ledger].filter((k) => !stored.includes(k)),
      [],
      'nothing lost',
    );
    assert.equal(stored.length, ledger.size);
    assert.ok(ledger.size > 100, `a real mission's worth of messages (${ledger.size})`);
  } finally {
    running = false;
    await pacing;
    await cloud.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
