// The live channel over real HTTP and MQTT (tickets, the robot and fleet streams), the hub's bounds with a
// stalled client, and the static files.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { EventMessage, MapSnapshot } from '../../shared/mqtt/messages.ts';
import { snapshotFromGrid } from '../../shared/mqtt/map-codec.ts';
import { eventsTopic, mapTopic, telemetryTopic } from '../../shared/mqtt/topics.ts';
import { createGrid } from '../../shared/occupancy-grid.ts';
import { openCloudDb } from '../db/database.ts';
import { RobotRegistry } from '../db/robots.ts';
import type { IngestedRecord } from '../ingest/ingest.ts';
import {
  TEST_ADMIN_TOKEN,
  api,
  connectRobot,
  registerRobot,
  startTestCloud,
  stateTelemetry,
} from '../test-support.ts';
import { LiveHub, TICKET_TTL_S, TooManyStreamsError, type StreamSink } from './live-hub.ts';
import type { MapView } from './map-view.ts';

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads an SSE response; next(name) resolves with the next event of that name. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: SseEvent[] = [];
  return {
    events,
    async next(name: string, timeoutMs = 3000): Promise<SseEvent> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const at = events.findIndex((e) => e.event === name);
        if (at >= 0) return events.splice(at, 1)[0]!;
        if (Date.now() > end) throw new Error(`no "${name}" event`);
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, end - Date.now()))),
        ]);
        if (chunk === null) continue;
        if (chunk.done) throw new Error(`stream ended before a "${name}" event`);
        text += decoder.decode(chunk.value, { stream: true });
        let split: number;
        while ((split = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, split);
          text = text.slice(split + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      }
    },
    cancel: () => reader.cancel(),
  };
}

async function ticket(url: string, token = TEST_ADMIN_TOKEN): Promise<string> {
  const res = await fetch(`${url}/api/stream/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { ticket: string }).ticket;
}

test('stream tickets: needed, single use, bound to the token’s role', async () => {
  const cloud = await startTestCloud();
  try {
    assert.equal((await api(cloud, 'POST', '/api/stream/tickets', { token: null })).status, 401);
    const viewer = (await api(cloud, 'POST', '/api/tokens', { body: { role: 'viewer', label: 'tv' } })).body
      .token as string;
    assert.deepEqual((await api(cloud, 'GET', '/api/me', { token: viewer })).body.role, 'viewer');
    const t = await ticket(cloud.httpUrl, viewer);
    assert.equal((await fetch(`${cloud.httpUrl}/api/stream`)).status, 400);
    assert.equal((await fetch(`${cloud.httpUrl}/api/stream?ticket=${'x'.repeat(32)}`)).status, 401);
    assert.equal((await fetch(`${cloud.httpUrl}/api/stream?ticket=${t}&robot=nobody`)).status, 404);
    // The ticket was spent on that request.
    assert.equal((await fetch(`${cloud.httpUrl}/api/stream?ticket=${t}`)).status, 401);

    const res = await fetch(`${cloud.httpUrl}/api/stream?ticket=${await ticket(cloud.httpUrl, viewer)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const hello = await sseReader(res).next('hello');
    assert.deepEqual(hello.data, {
      role: 'viewer',
      robots: [],
      serverTime: (hello.data as { serverTime: number }).serverTime,
    });
    assert.equal(cloud.live.clientCount, 1);
  } finally {
    // Closing must end the open stream, or the HTTP server would wait for it.
    await cloud.close();
  }
});

test('tickets expire after TICKET_TTL_S', () => {
  const db = openCloudDb(':memory:');
  let now = 1000;
  const hub = new LiveHub({ registry: new RobotRegistry(db), db, now: () => now });
  try {
    const token = { id: 't1', role: 'viewer' as const, label: 'x' };
    const fresh = hub.issueTicket(token);
    const stale = hub.issueTicket(token);
    assert.equal(fresh.expiresAt, 1000 + TICKET_TTL_S);
    assert.deepEqual(hub.redeemTicket(fresh.ticket), token);
    now += TICKET_TTL_S;
    assert.equal(hub.redeemTicket(stale.ticket), null);
  } finally {
    hub.close();
    db.close();
  }
});

test('the robot stream carries status, state, events and decoded maps; the fleet stream only status and state', async () => {
  const cloud = await startTestCloud();
  try {
    const password = await registerRobot(cloud, 'r1');
    const robotRes = await fetch(
      `${cloud.httpUrl}/api/stream?ticket=${await ticket(cloud.httpUrl)}&robot=r1`,
    );
    const fleetRes = await fetch(`${cloud.httpUrl}/api/stream?ticket=${await ticket(cloud.httpUrl)}`);
    const robot = sseReader(robotRes);
    const fleet = sseReader(fleetRes);
    const hello = (await robot.next('hello')).data as {
      role: string;
      robot: { id: string; online: boolean };
      map: unknown;
    };
    assert.deepEqual(
      [hello.role, hello.robot.id, hello.robot.online, hello.map],
      ['admin', 'r1', false, null],
    );
    assert.equal(((await fleet.next('hello')).data as { robots: unknown[] }).robots.length, 1);

    const client = await connectRobot(cloud.mqttUrls[0]!, 'r1', password);
    try {
      await client.publishAsync(
        'swath/v1/robots/r1/status',
        JSON.stringify({
          bootId: 'boot-0001',
          seq: 1,
          time: 1_700_000_000,
          state: 'online',
          firmware: 'f',
          version: 'v',
        }),
        { qos: 1, retain: true },
      );
      await client.publishAsync(telemetryTopic('r1', 'state'), JSON.stringify(stateTelemetry(7)), { qos: 1 });
      const event: EventMessage = {
        bootId: 'boot-0001',
        seq: 0,
        time: 1_700_000_001,
        level: 'warn',
        type: 'bumper.stuck',
        message: 'left bumper',
      };
      await client.publishAsync(eventsTopic('r1'), JSON.stringify(event), { qos: 1 });
      const grid = createGrid({ width: 6, height: 4, resolution: 0.1, origin: { x: 0, y: 0, theta: 0 } });
      grid.data.fill(0, 0, 12);
      grid.data[5] = 100;
      const snapshot: MapSnapshot = snapshotFromGrid(grid, {
        bootId: 'boot-0001',
        seq: 4,
        time: 1_700_000_002,
      });
      await client.publishAsync(mapTopic('r1'), JSON.stringify(snapshot), { qos: 1 });

      for (const stream of [robot, fleet]) {
        const status = (await stream.next('status')).data as { robotId: string; online: boolean };
        assert.deepEqual([status.robotId, status.online], ['r1', true]);
        const state = (await stream.next('state')).data as {
          seq: number;
          batteryPercent: number;
          pose: unknown;
        };
        assert.deepEqual([state.seq, state.batteryPercent, state.pose], [7, 80, stateTelemetry(7).pose]);
      }
      const live = (await robot.next('event')).data as EventMessage & { robotId: string };
      assert.deepEqual([live.robotId, live.type, live.level], ['r1', 'bumper.stuck', 'warn']);
      const map = (await robot.next('map')).data as MapView;
      assert.deepEqual([map.width, map.height, map.seq], [6, 4, 4]);
      assert.deepEqual(map.runs, [1, 5, 3, 1, 1, 6, 0, 12]);
      await assert.rejects(fleet.next('event', 300), /no "event"/);
      assert.equal(fleet.events.filter((e) => e.event === 'map').length, 0);

      // A new robot stream starts from the latest map and state.
      const again = sseReader(
        await fetch(`${cloud.httpUrl}/api/stream?ticket=${await ticket(cloud.httpUrl)}&robot=r1`),
      );
      const fresh = (await again.next('hello')).data as {
        robot: { online: boolean; state: { seq: number } };
        map: MapView;
      };
      assert.deepEqual([fresh.robot.online, fresh.robot.state.seq, fresh.map.seq], [true, 7, 4]);
    } finally {
      await client.endAsync();
    }
  } finally {
    await cloud.close();
  }
});

test('the latest state is the newest by robot time, then by arrival', async () => {
  const cloud = await startTestCloud();
  try {
    const client = await connectRobot(cloud.mqttUrls[0]!, 'r2', await registerRobot(cloud, 'r2'));
    try {
      for (const [seq, time] of [
        [0, 10],
        [1, 30],
        [2, 30],
        [3, 20],
      ] as const)
        await client.publishAsync(
          telemetryTopic('r2', 'state'),
          JSON.stringify(stateTelemetry(seq, { time: 1_700_000_000 + time })),
          { qos: 1 },
        );
    } finally {
      await client.endAsync();
    }
    const hello = (
      await sseReader(await fetch(`${cloud.httpUrl}/api/stream?ticket=${await ticket(cloud.httpUrl)}`)).next(
        'hello',
      )
    ).data as { robots: { id: string; state: { seq: number } }[] };
    assert.equal(hello.robots.find((r) => r.id === 'r2')!.state.seq, 2);
  } finally {
    await cloud.close();
  }
});

/** A socket that accepts the first write, then stays blocked until drain() is called. */
class StalledSink extends EventEmitter implements StreamSink {
  written: string[] = [];
  blocked = false;
  ended = false;
  write(chunk: string): boolean {
    this.written.push(chunk);
    const accepted = !this.blocked;
    this.blocked = true;
    return accepted;
  }
  end(): void {
    this.ended = true;
  }
  drain(): void {
    this.blocked = false;
    this.emit('drain');
  }
}

test('a stalled client costs a bounded buffer: old telemetry is dropped, the latest map kept', () => {
  const db = openCloudDb(':memory:');
  const registry = new RobotRegistry(db);
  registry.add('r1', 'r1', 0);
  const limits = { maxEntries: 100, maxBytes: 64 * 1024, hardMaxBytes: 1024 * 1024 };
  const hub = new LiveHub({ registry, db, limits });
  try {
    const sink = new StalledSink();
    hub.attach(sink, { id: 't1', role: 'viewer', label: 'x' }, 'r1');
    assert.match(sink.written[0]!, /^event: hello/);
    const grid = createGrid({ width: 8, height: 8, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } });
    const records: IngestedRecord[] = [];
    for (let i = 0; i < 5000; i++) {
      records.push({ kind: 'telemetry', robotId: 'r1', message: stateTelemetry(i), receivedAt: i, t0: 0 });
      if (i % 1000 === 0) {
        const message = snapshotFromGrid(grid, { bootId: 'boot-0001', seq: i, time: i });
        records.push({ kind: 'map', robotId: 'r1', message, receivedAt: i, t0: 0, json: '' });
      }
      if (records.length >= 100) hub.publish(records.splice(0));
    }
    hub.publish(records.splice(0));
    // Still blocked: nothing more was written, and the pending data stayed within the limits.
    assert.equal(sink.written.length, 2);
    sink.drain();
    const flushed = sink.written.slice(2).join('');
    assert.ok(flushed.length <= limits.maxBytes + 100, `${flushed.length} bytes`); // + the gap line
    const dropped = Number(/^event: gap\ndata: \{"dropped":(\d+)\}/.exec(flushed)?.[1]);
    const states = flushed.match(/^event: state$/gm)!.length;
    const maps = [...flushed.matchAll(/^event: map\ndata: (.*)$/gm)].map(
      (m) => (JSON.parse(m[1]!) as MapView).seq,
    );
    // The second write (the first batch) went out before the socket blocked; the rest were buffered.
    const firstBatch = sink.written[1]!.match(/^event: state$/gm)!.length;
    assert.equal(firstBatch + dropped + states, 5000);
    assert.ok(states <= limits.maxEntries);
    assert.deepEqual(maps, [4000]);
    assert.equal(hub.droppedTotal, dropped);
    assert.ok(flushed.includes(`"seq":4999`), 'the newest state is kept');
    assert.equal(sink.ended, false);
  } finally {
    hub.close();
    db.close();
  }
});

test('streams are limited per token', () => {
  const db = openCloudDb(':memory:');
  const hub = new LiveHub({ registry: new RobotRegistry(db), db, maxClientsPerToken: 2 });
  try {
    const token = { id: 't1', role: 'viewer' as const, label: 'x' };
    hub.attach(new StalledSink(), token, null);
    hub.attach(new StalledSink(), token, null);
    assert.throws(() => hub.attach(new StalledSink(), token, null), TooManyStreamsError);
    hub.attach(new StalledSink(), { ...token, id: 't2' }, null);
    assert.equal(hub.clientCount, 3);
  } finally {
    hub.close();
    db.close();
  }
});

test('the dashboard files: index, modules, uPlot; nothing else from the file system', async () => {
  const cloud = await startTestCloud();
  try {
    const get = (path: string) => fetch(`${cloud.httpUrl}${path}`);
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(index.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.match(await index.text(), /<script type="module" src="\/app\/app.js">/);
    for (const [path, type] of [
      ['/app/app.js', 'text/javascript; charset=utf-8'],
      ['/app/style.css', 'text/css; charset=utf-8'],
      ['/vendor/uPlot.esm.js', 'text/javascript; charset=utf-8'],
      ['/vendor/uPlot.min.css', 'text/css; charset=utf-8'],
    ]) {
      const res = await get(path!);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
    for (const path of [
      '/app/../server.ts',
      '/app/%2e%2e%2fserver.ts',
      '/app/..%2f..%2fpackage.json',
      '/vendor/uPlot.cjs.js',
      '/app/',
      '/app/dashboard.test.ts',
    ])
      assert.equal((await get(path)).status, 404, path);
  } finally {
    await cloud.close();
  }
});
