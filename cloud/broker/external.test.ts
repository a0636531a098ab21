import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { CommandRequest } from '../../shared/mqtt/messages.ts';
import { commandFilter, commandReplyTopic, telemetryTopic } from '../../shared/mqtt/topics.ts';
import { SystemClock } from '../../shared/clock.ts';
import { RobotLink } from '../../edge/link/robot-link.ts';
import type { CloudService } from '../server.ts';
import { SERVICE_PRINCIPAL } from '../server.ts';
import {
  api,
  connectRobot,
  metricValue,
  registerRobot,
  startTestCloud,
  stateTelemetry,
  waitFor,
} from '../test-support.ts';
import { mosquittoAcl, mosquittoConf, mosquittoPasswordLine } from './mosquitto-config.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe(
  'ingest through an external mosquitto broker',
  { skip: !existsSync(MOSQUITTO) && `${MOSQUITTO} is not installed (apt-get install mosquitto)` },
  () => {
    let dir: string;
    let mosquitto: ChildProcess;
    let cloud: CloudService;
    let url: string;
    const passwords: Record<string, string> = {};
    const clients: MqttClient[] = [];
    let mosquittoLog = '';

    /** mosquitto re-reads its password file on SIGHUP; wait until a new robot can log in. */
    async function reloadAndConnect(id: string): Promise<MqttClient> {
      mosquitto.kill('SIGHUP');
      let client: MqttClient | null = null;
      await waitFor(async () => {
        try {
          client = await connectRobot(url, id, passwords[id]!);
          return true;
        } catch {
          return false;
        }
      }, 5000);
      clients.push(client!);
      return client!;
    }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'swath-mosquitto-'));
      const port = await freePort();
      url = `mqtt://127.0.0.1:${port}`;
      const servicePassword = 'service-password-for-tests-0123';
      const files = { aclFile: join(dir, 'acl'), passwordFile: join(dir, 'passwd') };
      let conf = mosquittoConf({ host: '127.0.0.1', port, ...files, serviceUser: SERVICE_PRINCIPAL });
      // Started as root, mosquitto would switch to its own user and could not read this private temp dir.
      if (process.getuid?.() === 0) conf += 'user root\n';
      writeFileSync(join(dir, 'mosquitto.conf'), conf);
      writeFileSync(files.aclFile, mosquittoAcl({ serviceUser: SERVICE_PRINCIPAL }));
      writeFileSync(files.passwordFile, mosquittoPasswordLine(SERVICE_PRINCIPAL, servicePassword), {
        mode: 0o600,
      });
      mosquitto = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      mosquitto.stdout!.on('data', (d: Buffer) => (mosquittoLog += d.toString()));
      mosquitto.stderr!.on('data', (d: Buffer) => (mosquittoLog += d.toString()));
      await waitFor(() => portOpen(port), 5000).catch((err: Error) => {
        throw new Error(`mosquitto did not start: ${err.message}\n${mosquittoLog}`);
      });
      cloud = await startTestCloud({
        externalBroker: {
          url,
          username: SERVICE_PRINCIPAL,
          password: servicePassword,
          clientId: SERVICE_PRINCIPAL,
          passwordFile: files.passwordFile,
        },
      });
      for (const id of ['m1', 'm2', 'm3']) passwords[id] = await registerRobot(cloud, id);
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await cloud?.close();
      if (mosquitto && mosquitto.exitCode === null) {
        const exited = new Promise((resolve) => mosquitto.once('exit', resolve));
        mosquitto.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    test('registered robots log in with the password the API returned; wrong ones are refused', async () => {
      await reloadAndConnect('m1');
      await assert.rejects(
        connectRobot(url, 'm1', 'wrong-password'),
        /Not authorized|Bad username or password/,
      );
    });

    test('telemetry is validated, de-duplicated and stored', async () => {
      const m1 = await reloadAndConnect('m1');
      const topic = telemetryTopic('m1', 'state');
      for (const seq of [0, 1, 1, 2])
        await m1.publishAsync(topic, JSON.stringify(stateTelemetry(seq)), { qos: 1 });
      await m1.publishAsync(topic, '{ not json', { qos: 1 });
      const count = async () =>
        (await api(cloud, 'GET', '/api/robots/m1/telemetry?from=0')).body.samples.length as number;
      await waitFor(
        async () =>
          (await count()) === 3 && (await metricValue(cloud, 'swath_cloud_invalid_payloads_total')) === 1,
      );
      assert.equal(await metricValue(cloud, 'swath_cloud_duplicate_records_total', { type: 'telemetry' }), 1);
    });

    test('the mosquitto ACL keeps a robot inside its own subtree', async () => {
      const m1 = await reloadAndConnect('m1');
      const m2 = await reloadAndConnect('m2');
      const seen: string[] = [];
      m1.on('message', (topic) => seen.push(topic));
      // Depending on the mosquitto version these are refused (0x80) or granted but never delivered.
      for (const filter of ['swath/v1/robots/m2/#', 'swath/v1/robots/+/telemetry/+', '#'])
        await m1.subscribeAsync(filter, { qos: 1 }).catch(() => undefined);
      await m2.publishAsync(telemetryTopic('m2', 'state'), JSON.stringify(stateTelemetry(0)), { qos: 1 });
      // m1 publishing into m2's subtree is dropped by the broker.
      await m1
        .publishAsync(telemetryTopic('m2', 'state'), JSON.stringify(stateTelemetry(1)), { qos: 1 })
        .catch(() => undefined);
      await waitFor(
        async () => (await api(cloud, 'GET', '/api/robots/m2/telemetry?from=0')).body.samples.length === 1,
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(seen, []);
      assert.equal((await api(cloud, 'GET', '/api/robots/m2/telemetry?from=0')).body.samples.length, 1);
    });

    test('a command round-trips through mosquitto', async () => {
      const m2 = await reloadAndConnect('m2');
      await m2.subscribeAsync(commandFilter('m2'), { qos: 1 });
      m2.on('message', (_topic, payload) => {
        const req = JSON.parse(payload.toString()) as CommandRequest;
        const reply = {
          bootId: 'boot-0001',
          seq: 0,
          time: Date.now() / 1000,
          id: req.id,
          ok: true,
          state: 'paused',
        };
        void m2.publishAsync(commandReplyTopic('m2', req.name), JSON.stringify(reply), { qos: 1 });
      });
      const res = await api(cloud, 'POST', '/api/robots/m2/commands', {
        body: { name: 'pause', timeoutSeconds: 3 },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.reply.state, 'paused');
    });

    test("the robot's own link (outbox, birth, map, commands) works through mosquitto", async () => {
      mosquitto.kill('SIGHUP');
      const outboxDir = mkdtempSync(join(tmpdir(), 'swath-link-'));
      const link = new RobotLink(
        { url, robotId: 'm3', password: passwords.m3!, reconnectPeriodMs: 100, mapMinInterval: 0 },
        { path: join(outboxDir, 'outbox.sqlite') },
        new SystemClock(),
      );
      link.onCommand('ping', () => ({ ok: true, state: 'idle' }));
      try {
        link.connect();
        await waitFor(() => link.connected, 5000);
        for (let i = 0; i < 5; i++)
          link.publishState({
            pose: { x: i, y: 0, theta: 0 },
            missionState: 'covering',
            coverage: 0.1 * i,
            batteryPercent: 90,
            batteryVoltage: 14.8,
            linearSpeed: 0.2,
            angularSpeed: 0,
          });
        link.publishEvent('info', 'mission.started', 'started');
        const grid = {
          width: 4,
          height: 3,
          resolution: 0.05,
          origin: { x: 0, y: 0, theta: 0 },
          data: new Int8Array(12),
        };
        link.publishMap(grid);
        await waitFor(
          async () => (await api(cloud, 'GET', '/api/robots/m3/telemetry?from=0')).body.samples.length === 5,
          5000,
        );
        await waitFor(
          async () => (await api(cloud, 'GET', '/api/robots/m3/events')).body.events.length === 1,
          5000,
        );
        await waitFor(async () => (await api(cloud, 'GET', '/api/robots/m3/map')).status === 200, 5000);
        const robots = (await api(cloud, 'GET', '/api/robots')).body.robots as {
          id: string;
          online: boolean;
        }[];
        assert.equal(robots.find((r) => r.id === 'm3')?.online, true);
        const res = await api(cloud, 'POST', '/api/robots/m3/commands', {
          body: { name: 'ping', timeoutSeconds: 3 },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.reply.ok, true);
        await waitFor(() => link.stats().outbox.pendingRecords === 0, 5000);
      } finally {
        await link.close();
        rmSync(outboxDir, { recursive: true, force: true });
      }
    });
  },
);
