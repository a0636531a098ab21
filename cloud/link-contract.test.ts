// The contract end to end: the robot's real link (edge/link) against this service, over loopback MQTT.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RobotLink } from '../edge/link/robot-link.ts';
import { SystemClock } from '../shared/clock.ts';
import { createGrid } from '../shared/occupancy-grid.ts';
import { api, metricValue, registerRobot, startTestCloud, waitFor } from './test-support.ts';

test('the robot link’s telemetry, events, map, commands and statuses are all accepted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-link-contract-'));
  const cloud = await startTestCloud();
  const link = new RobotLink(
    {
      url: cloud.mqttUrls[0]!,
      robotId: 'link-1',
      password: await registerRobot(cloud, 'link-1'),
      mapMinInterval: 0,
    },
    { path: join(dir, 'outbox.db') },
    new SystemClock(),
  );
  try {
    link.onCommand('pause', () => ({ ok: true, state: 'paused' }));
    link.connect();
    await waitFor(() => link.connected);
    for (let i = 0; i < 5; i++)
      link.publishState({
        pose: { x: i, y: 0, theta: 0 },
        missionState: 'covering',
        coverage: 0.1 * i,
        batteryPercent: 90,
        batteryVoltage: 14.5,
        linearSpeed: 0.2,
        angularSpeed: 0,
      });
    link.publishValues('power', { amps: 1.5 });
    link.publishEvent('info', 'mission.started', 'go', { area: 'kitchen' });
    const grid = createGrid({ width: 50, height: 40, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } }, 0);
    link.publishMap(grid);
    const telemetry = async () =>
      (await api(cloud, 'GET', '/api/robots/link-1/telemetry?from=0')).body.samples;
    await waitFor(async () => (await telemetry()).length === 6);
    await waitFor(async () => (await api(cloud, 'GET', '/api/robots/link-1/map')).status === 200);
    assert.equal((await api(cloud, 'GET', '/api/robots/link-1/events?from=0')).body.events.length, 1);
    assert.equal((await api(cloud, 'GET', '/api/robots/link-1')).body.online, true);

    const ok = await api(cloud, 'POST', '/api/robots/link-1/commands', { body: { name: 'pause' } });
    assert.equal(ok.status, 200);
    assert.deepEqual([ok.body.reply.ok, ok.body.reply.state], [true, 'paused']);
    const refused = await api(cloud, 'POST', '/api/robots/link-1/commands', { body: { name: 'start' } });
    assert.equal(refused.status, 200);
    assert.equal(refused.body.reply.ok, false);

    await link.close();
    await waitFor(async () => (await api(cloud, 'GET', '/api/robots/link-1')).body.online === false);
    assert.equal(await metricValue(cloud, 'swath_cloud_invalid_payloads_total'), 0);
  } finally {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
