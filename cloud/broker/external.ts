/**
 * An external broker (e.g. mosquitto) instead of the embedded one: the service connects as an ordinary
 * MQTT 3.1.1 client with its service credentials, a stable client id and a persistent session (clean:
 * false), and subscribes to every robot's topics at QoS 1. Robot authentication and ACLs are the broker's
 * job (see mosquitto-config.ts). MQTT.js handles incoming messages one at a time and acknowledges after
 * handleMessage's callback, so ingest acknowledges at once and commits in batches: if the service crashes,
 * up to one flush window of records already acknowledged to the broker can be lost.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ALL_ROBOTS_FILTER } from '../../shared/mqtt/topics.ts';
import type { ExternalBrokerConfig } from '../config.ts';
import type { BrokerLink } from './link.ts';

export interface ExternalBrokerOptions extends ExternalBrokerConfig {
  onMessage: (topic: string, payload: Buffer, t0: number) => void;
  log: Logger;
  /** Fail instead of retrying forever when the first connection does not succeed within this time. */
  connectTimeoutMs?: number;
}

export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<BrokerLink> {
  const client: MqttClient = mqtt.connect(opts.url, {
    protocolVersion: 4,
    clientId: opts.clientId,
    username: opts.username,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    clean: false,
    reconnectPeriod: 1000,
    queueQoSZero: false,
    ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}),
  });
  client.on('message', (topic, payload) => opts.onMessage(topic, payload, performance.now()));
  client.on('error', (err) => opts.log.warn({ err: err.message }, 'external broker: error'));
  client.on('reconnect', () => opts.log.info('external broker: reconnecting'));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(
        new Error(`external broker ${opts.url}: no connection within ${opts.connectTimeoutMs ?? 10000} ms`),
      );
    }, opts.connectTimeoutMs ?? 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const granted = await client.subscribeAsync(ALL_ROBOTS_FILTER, { qos: 1 });
  if (granted.some((g) => g.qos === 128)) {
    await client.endAsync();
    throw new Error(
      `external broker ${opts.url}: subscription to ${ALL_ROBOTS_FILTER} refused (check its ACL)`,
    );
  }
  opts.log.info({ url: opts.url, clientId: opts.clientId }, 'external broker: connected');

  return {
    urls: [opts.url],
    connectedRobots: () => null,
    async publish(topic, payload, { qos, retain }) {
      await client.publishAsync(topic, payload, { qos, retain });
    },
    async close() {
      await client.endAsync();
    },
  };
}
