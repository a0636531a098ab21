/** Helpers for the cloud's tests and benchmark: a quiet service on free loopback ports, robots, messages. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import type { StateTelemetry } from '../shared/mqtt/messages.ts';
import type { CloudConfigInput } from './config.ts';
import { startCloud, type CloudService, type StartCloudOptions } from './server.ts';

export const TEST_ADMIN_TOKEN = 'swt_test-admin-token-0123456789abcdef';

export async function startTestCloud(
  overrides: CloudConfigInput = {},
  options: StartCloudOptions = {},
): Promise<CloudService> {
  return startCloud(
    {
      httpPort: 0,
      mqttPort: 0,
      mqttTlsPort: 0,
      dbPath: ':memory:',
      bootstrapAdminToken: TEST_ADMIN_TOKEN,
      logLevel: 'silent',
      ...overrides,
    },
    { logger: pino({ level: 'silent' }), scryptN: 1024, ...options },
  );
}

export async function api(
  cloud: CloudService,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response fields ad hoc
): Promise<{ status: number; body: any }> {
  const token = opts.token === undefined ? TEST_ADMIN_TOKEN : opts.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${cloud.httpUrl}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (HTML, Prometheus text): the caller reads the text.
  }
  return { status: res.status, body };
}

/** Registers a robot through the API; returns its MQTT password. */
export async function registerRobot(cloud: CloudService, id: string): Promise<string> {
  const res = await api(cloud, 'POST', '/api/robots', { body: { id } });
  if (res.status !== 201) throw new Error(`register ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.mqtt.password as string;
}

export function connectRobot(
  url: string,
  id: string,
  password: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: id,
    username: id,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
}

export function stateTelemetry(seq: number, overrides: Partial<StateTelemetry> = {}): StateTelemetry {
  return {
    stream: 'state',
    bootId: 'boot-0001',
    seq,
    time: 1_700_000_000 + seq,
    pose: { x: seq * 0.1, y: 0, theta: 0 },
    missionState: 'covering',
    coverage: 0.5,
    batteryPercent: 80,
    batteryVoltage: 14.4,
    linearSpeed: 0.2,
    angularSpeed: 0,
    ...overrides,
  };
}

/** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The value of a Prometheus sample line, e.g. metric('x_total{type="map"}'), or 0 when absent. */
export async function metricValue(cloud: CloudService, name: string, labels: Record<string, string> = {}) {
  const metric = await cloud.metrics.registry.getSingleMetric(name)?.get();
  if (!metric) return 0;
  const sample = metric.values.find((v) =>
    Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
  );
  return sample?.value ?? 0;
}

/** The SUBACK return codes for `filters` (MQTT.js rejects a subscribe with any 0x80; this reads them). */
export async function subscribeGranted(client: MqttClient, filters: string | string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: (number | { qos: number })[] } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}
