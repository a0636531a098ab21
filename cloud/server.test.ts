import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import {
  commandFilter,
  commandReplyTopic,
  eventsTopic,
  mapTopic,
  statusTopic,
  telemetryTopic,
} from '../shared/mqtt/topics.ts';
import { snapshotFromGrid } from '../shared/mqtt/map-codec.ts';
import { createGrid } from '../shared/occupancy-grid.ts';
import type { CommandRequest } from '../shared/mqtt/messages.ts';
import type { CloudService } from './server.ts';
import {
  api,
  connectRobot,
  metricValue,
  registerRobot,
  startTestCloud,
  stateTelemetry,
  subscribeGranted,
  waitFor,
} from './test-support.ts';

let cloud: CloudService;
let url: string;
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];

async function robot(id: string, extra = {}): Promise<MqttClient> {
  const c = await connectRobot(url, id, passwords[id]!, extra);
  clients.push(c);
  return c;
}

async function telemetryCount(id: string, stream = 'state'): Promise<number> {
  const res = await api(cloud, 'GET', `/api/robots/${id}/telemetry?from=0&stream=${stream}&limit=10000`);
  assert.equal(res.status, 200);
  return res.body.samples.length;
}

before(async () => {
  cloud = await startTestCloud({ commandTimeoutSeconds: 2 });
  url = cloud.mqttUrls[0]!;
  for (const id of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) passwords[id] = await registerRobot(cloud, id);
});

after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await cloud.close();
});

describe('MQTT authentication', () => {
  test('a wrong password, an unknown robot and missing credentials are refused', async () => {
    await assert.rejects(
      connectRobot(url, 'r1', 'wrong-password'),
      /Bad username or password|Not authorized/,
    );
    await assert.rejects(connectRobot(url, 'nobody', 'x'), /Bad username or password|Not authorized/);
    await assert.rejects(
      connectRobot(url, 'r1', passwords.r1!, { username: undefined, password: undefined }),
      /Bad username or password|Not authorized/,
    );
    assert.ok((await metricValue(cloud, 'swath_cloud_mqtt_auth_failures_total')) >= 1);
  });

  test('a robot cannot take over another robot’s client id', async () => {
    const before = await metricValue(cloud, 'swath_cloud_connected_robots');
    const r2 = await robot('r2');
    assert.equal(await metricValue(cloud, 'swath_cloud_connected_robots'), before + 1);
    // r1's valid credentials with r2's client id: refused, and r2 stays connected.
    await assert.rejects(connectRobot(url, 'r1', passwords.r1!, { clientId: 'r2' }), /Identifier rejected/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(r2.connected, true);
    await r2.endAsync();
  });
});

test('the service principal may read every robot’s topics', async () => {
  const svc = await connectRobot(url, 'swath-cloud', cloud.servicePassword!);
  clients.push(svc);
  assert.deepEqual(await subscribeGranted(svc, ['swath/v1/robots/+/#', '$SYS/#']), [1, 128]);
  const got = new Promise<string>((resolve) => svc.once('message', (topic) => resolve(topic)));
  const r1 = await robot('r1');
  await r1.publishAsync(
    telemetryTopic('r1', 'power'),
    JSON.stringify({
      stream: 'power',
      bootId: 'boot-0001',
      seq: 0,
      time: 1_700_000_000,
      values: { amps: 1 },
    }),
    { qos: 1 },
  );
  assert.equal(await got, 'swath/v1/robots/r1/telemetry/power');
  await r1.endAsync();
  await svc.endAsync();
  await assert.rejects(connectRobot(url, 'swath-cloud', 'not-the-password'), /Bad username or password/);
});

describe('MQTT ACL', () => {
  test('subscriptions outside the robot’s subtree get SUBACK 0x80 and the connection stays', async () => {
    const r1 = await robot('r1');
    const denied = [
      'swath/v1/robots/r2/cmd/+',
      'swath/v1/robots/+/status',
      'swath/v1/robots/#',
      '#',
      '$SYS/#',
      'swath/#',
    ];
    for (const filter of denied) {
      assert.deepEqual(await subscribeGranted(r1, filter), [128], filter);
    }
    assert.deepEqual(await subscribeGranted(r1, [commandFilter('r1'), 'swath/v1/broadcast/#']), [1, 1]);
    assert.equal(r1.connected, true);
    await r1.publishAsync(telemetryTopic('r1', 'state'), JSON.stringify(stateTelemetry(0)), { qos: 1 });
    assert.equal(await telemetryCount('r1'), 1);
    assert.ok((await metricValue(cloud, 'swath_cloud_mqtt_acl_denials_total', { action: 'subscribe' })) >= 6);
    await r1.endAsync();
  });

  test('publishing into another robot’s topics closes the connection and stores nothing', async () => {
    const r3 = await robot('r3');
    const closed = new Promise<void>((resolve) => r3.once('close', () => resolve()));
    r3.publish(telemetryTopic('r4', 'state'), JSON.stringify(stateTelemetry(0)), { qos: 1 });
    await closed;
    assert.equal(await telemetryCount('r4'), 0);
    assert.ok((await metricValue(cloud, 'swath_cloud_mqtt_acl_denials_total', { action: 'publish' })) >= 1);
  });
});

describe('ingest', () => {
  test('a duplicate (same robot, stream, boot id and seq) is stored once', async () => {
    const r5 = await robot('r5');
    const dupBefore = await metricValue(cloud, 'swath_cloud_duplicate_records_total', { type: 'telemetry' });
    for (const seq of [0, 1, 1, 2, 0]) {
      await r5.publishAsync(telemetryTopic('r5', 'state'), JSON.stringify(stateTelemetry(seq)), { qos: 1 });
    }
    // Same seq in a new boot is a new record.
    await r5.publishAsync(
      telemetryTopic('r5', 'state'),
      JSON.stringify(stateTelemetry(0, { bootId: 'boot-0002' })),
      { qos: 1 },
    );
    // The PUBACK comes after the commit, so the rows are there now.
    assert.equal(await telemetryCount('r5'), 4);
    const dupAfter = await metricValue(cloud, 'swath_cloud_duplicate_records_total', { type: 'telemetry' });
    assert.equal(dupAfter - dupBefore, 2);
    await r5.endAsync();
  });

  test('invalid payloads are counted, dropped, and do not disturb the service', async () => {
    const r6 = await robot('r6');
    const topic = telemetryTopic('r6', 'state');
    await r6.publishAsync(topic, 'not json {', { qos: 1 });
    await r6.publishAsync(topic, JSON.stringify({ ...stateTelemetry(1), coverage: 7 }), { qos: 1 });
    await r6.publishAsync(telemetryTopic('r6', 'other'), JSON.stringify(stateTelemetry(2)), { qos: 1 });
    await r6.publishAsync(eventsTopic('r6'), JSON.stringify({ level: 'loud' }), { qos: 1 });
    await r6.publishAsync(eventsTopic('r6'), Buffer.alloc(300 * 1024, 0x20), { qos: 1 });
    await r6.publishAsync(topic, JSON.stringify(stateTelemetry(3)), { qos: 1 });
    assert.equal(await telemetryCount('r6'), 1);
    assert.equal(
      await metricValue(cloud, 'swath_cloud_invalid_payloads_total', { type: 'telemetry', reason: 'json' }),
      1,
    );
    assert.equal(
      await metricValue(cloud, 'swath_cloud_invalid_payloads_total', { type: 'telemetry', reason: 'schema' }),
      1,
    );
    assert.equal(
      await metricValue(cloud, 'swath_cloud_invalid_payloads_total', {
        type: 'telemetry',
        reason: 'topic_mismatch',
      }),
      1,
    );
    assert.equal(
      await metricValue(cloud, 'swath_cloud_invalid_payloads_total', { type: 'events', reason: 'schema' }),
      1,
    );
    assert.equal(
      await metricValue(cloud, 'swath_cloud_invalid_payloads_total', { type: 'events', reason: 'too_large' }),
      1,
    );
    assert.equal(r6.connected, true);
    await r6.endAsync();
  });

  test('events and the latest map are served by the API', async () => {
    const r6 = await robot('r6');
    await r6.publishAsync(
      eventsTopic('r6'),
      JSON.stringify({
        bootId: 'boot-0001',
        seq: 0,
        time: 1_700_000_000,
        level: 'warn',
        type: 'bumper.stuck',
        message: 'stuck',
        data: { side: 'left' },
      }),
      { qos: 1 },
    );
    const grid = createGrid(
      { width: 40, height: 30, resolution: 0.05, origin: { x: -1, y: -1, theta: 0 } },
      0,
    );
    grid.data.fill(100, 0, 40);
    for (const [seq, encoding] of [
      [0, 'rle'],
      [1, 'deflate'],
    ] as const) {
      const snapshot = snapshotFromGrid(
        grid,
        { bootId: 'boot-0001', seq, time: 1_700_000_000 + seq },
        encoding,
      );
      await r6.publishAsync(mapTopic('r6'), JSON.stringify(snapshot), { qos: 1 });
    }
    const events = await api(cloud, 'GET', '/api/robots/r6/events?from=0');
    assert.equal(events.status, 200);
    assert.equal(events.body.events.length, 1);
    assert.deepEqual(events.body.events[0].data, { side: 'left' });
    const map = await api(cloud, 'GET', '/api/robots/r6/map');
    assert.equal(map.status, 200);
    assert.equal(map.body.seq, 1);
    assert.equal(map.body.encoding, 'deflate');
    assert.equal((await api(cloud, 'GET', '/api/robots/r5/map')).status, 404);
    await r6.endAsync();
  });

  test('a retained birth marks the robot online and its will marks it offline', async () => {
    const will = {
      bootId: 'boot-0007',
      seq: 1,
      time: 1_700_000_100,
      state: 'offline',
      firmware: 'sim',
      version: '0.1.0',
      reason: 'will',
    };
    const r4 = await robot('r4', {
      will: { topic: statusTopic('r4'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    await r4.publishAsync(
      statusTopic('r4'),
      JSON.stringify({ ...will, seq: 0, state: 'online', reason: undefined }),
      {
        qos: 1,
        retain: true,
      },
    );
    let res = await api(cloud, 'GET', '/api/robots/r4');
    assert.equal(res.body.online, true);
    assert.equal(res.body.status.bootId, 'boot-0007');
    assert.ok(res.body.lastSeen > 0);
    r4.stream.destroy(); // an unclean loss of the connection: the broker publishes the will
    await waitFor(async () => (await api(cloud, 'GET', '/api/robots/r4')).body.online === false);
    res = await api(cloud, 'GET', '/api/robots');
    assert.equal(res.body.robots.find((r: { id: string }) => r.id === 'r4').status.reason, 'will');
    // Reconnecting in the same boot: a new birth, then the same will (same seq) again must still count.
    for (const seq of [1, 2]) {
      const again = await robot('r4', {
        will: { topic: statusTopic('r4'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      });
      const birth = { ...will, seq: seq + 1, state: 'online', reason: undefined };
      await again.publishAsync(statusTopic('r4'), JSON.stringify(birth), { qos: 1, retain: true });
      assert.equal((await api(cloud, 'GET', '/api/robots/r4')).body.online, true);
      again.stream.destroy();
      await waitFor(async () => (await api(cloud, 'GET', '/api/robots/r4')).body.online === false);
    }
  });
});

test('after a retention pass the API serves 1-minute averages in place of raw records', async () => {
  // r5's records carry robot times 1_700_000_000 + seq: fold them as if two days had passed.
  const result = cloud.runRetention(1_700_000_000 + 2 * 86_400 + 3600);
  assert.ok(result.rawFolded >= 4);
  const res = await api(cloud, 'GET', '/api/robots/r5/telemetry?from=0&to=1800000000');
  assert.equal(res.status, 200);
  assert.equal(res.body.samples.length, 1);
  const [minute] = res.body.samples;
  assert.equal(minute.samples, 4);
  assert.equal(minute.seq, null);
  assert.equal(minute.time, 1_699_999_980);
  assert.equal(minute.missionState, 'covering');
});

describe('commands', () => {
  test('a command round-trips through MQTT to the robot and back', async () => {
    const r2 = await robot('r2');
    await r2.subscribeAsync(commandFilter('r2'), { qos: 1 });
    r2.on('message', (topic, payload) => {
      const req = JSON.parse(payload.toString()) as CommandRequest;
      assert.equal(topic, `swath/v1/robots/r2/cmd/${req.name}`);
      const reply = {
        bootId: 'boot-0001',
        seq: 0,
        time: Date.now() / 1000,
        id: req.id,
        ok: true,
        state: 'covering',
      };
      void r2.publishAsync(commandReplyTopic('r2', req.name), JSON.stringify(reply), { qos: 1 });
    });
    const res = await api(cloud, 'POST', '/api/robots/r2/commands', {
      body: { name: 'start', args: { area: 'kitchen' } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.reply.ok, true);
    assert.equal(res.body.reply.state, 'covering');
    assert.equal(res.body.request.name, 'start');
    assert.deepEqual(res.body.request.args, { area: 'kitchen' });
    assert.ok(res.body.request.expiresAt > res.body.request.issuedAt);
    await r2.endAsync();
  });

  test('no reply within the timeout is a 504', async () => {
    const res = await api(cloud, 'POST', '/api/robots/r3/commands', {
      body: { name: 'pause', timeoutSeconds: 0.2 },
    });
    assert.equal(res.status, 504);
    assert.match(res.body.message, /did not answer/);
  });
});

describe('HTTP API', () => {
  test('tokens and roles: 401 without or with a bad token, 403 below the role', async () => {
    assert.equal((await api(cloud, 'GET', '/api/robots', { token: null })).status, 401);
    assert.equal(
      (await api(cloud, 'GET', '/api/robots', { token: 'swt_nope-nope-nope-nope-nope' })).status,
      401,
    );
    const viewer = (await api(cloud, 'POST', '/api/tokens', { body: { role: 'viewer', label: 'dash' } })).body
      .token;
    const operator = (await api(cloud, 'POST', '/api/tokens', { body: { role: 'operator', label: 'ops' } }))
      .body.token;
    assert.equal((await api(cloud, 'GET', '/api/robots', { token: viewer })).status, 200);
    const forbidden = await api(cloud, 'POST', '/api/robots/r1/commands', {
      token: viewer,
      body: { name: 'ping', timeoutSeconds: 0.1 },
    });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, /operator/);
    assert.equal(
      (await api(cloud, 'POST', '/api/robots', { token: operator, body: { id: 'r9' } })).status,
      403,
    );
    assert.equal(
      (
        await api(cloud, 'POST', '/api/robots/r1/commands', {
          token: operator,
          body: { name: 'ping', timeoutSeconds: 0.1 },
        })
      ).status,
      504,
    );
  });

  test('bad input is a 400 naming the field; unknown robots 404; a taken id 409', async () => {
    const bad = await api(cloud, 'POST', '/api/robots', { body: { id: 'Bad/Id' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, 'body.id');
    const badCmd = await api(cloud, 'POST', '/api/robots/r1/commands', { body: { name: 'dance' } });
    assert.equal(badCmd.status, 400);
    assert.equal(badCmd.body.issues[0].path, 'body.name');
    const badQuery = await api(cloud, 'GET', '/api/robots/r1/telemetry?limit=0');
    assert.equal(badQuery.status, 400);
    assert.equal(badQuery.body.issues[0].path, 'querystring.limit');
    assert.equal((await api(cloud, 'GET', '/api/robots/r1/telemetry?from=10&to=5')).status, 400);
    assert.equal((await api(cloud, 'GET', '/api/robots/ghost')).status, 404);
    assert.equal((await api(cloud, 'GET', '/api/robots/ghost/telemetry')).status, 404);
    assert.equal(
      (await api(cloud, 'POST', '/api/robots/ghost/commands', { body: { name: 'ping' } })).status,
      404,
    );
    const taken = await api(cloud, 'POST', '/api/robots', { body: { id: 'r1' } });
    assert.equal(taken.status, 409);
    assert.equal((await api(cloud, 'POST', '/api/robots', { body: { id: 'swath-cloud' } })).status, 409);
  });

  test('the OpenAPI document and the docs UI are served', async () => {
    const doc = await api(cloud, 'GET', '/docs/json', { token: null });
    assert.equal(doc.status, 200);
    assert.match(doc.body.openapi, /^3\./);
    for (const path of [
      '/api/robots',
      '/api/robots/{id}',
      '/api/robots/{id}/telemetry',
      '/api/robots/{id}/commands',
    ])
      assert.ok(doc.body.paths[path], path);
    assert.ok(doc.body.components.schemas.StatusMessage, 'shared schemas are components');
    const ui = await fetch(`${cloud.httpUrl}/docs/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
  });

  test('/metrics shows the ingest counters and gauges', async () => {
    const res = await api(cloud, 'GET', '/metrics', { token: null });
    assert.equal(res.status, 200);
    const text = res.body as string;
    assert.match(text, /swath_cloud_messages_in_total\{type="telemetry"\} \d+/);
    assert.match(text, /swath_cloud_invalid_payloads_total\{type="telemetry",reason="schema"\} 1/);
    assert.match(text, /swath_cloud_ingest_latency_seconds_count \d+/);
    assert.match(text, /swath_cloud_database_size_bytes \d+/);
    assert.match(text, /swath_cloud_connected_robots \d+/);
  });
});

test('a port in use fails the start cleanly', async () => {
  const { port } = new URL(url);
  await assert.rejects(startTestCloud({ mqttPort: Number(port) }), /EADDRINUSE/);
});
