/**
 * The cloud service's composition root: database, credentials and tokens, ingest, the MQTT broker (embedded
 * or external), command dispatch, retention, metrics and the HTTP API, in one Node process.
 */
import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { buildApi } from './api/app.ts';
import { MqttCredentials } from './auth/credentials.ts';
import { DEFAULT_SCRYPT_N, randomSecret } from './auth/secrets.ts';
import { ApiTokens } from './auth/tokens.ts';
import { startEmbeddedBroker } from './broker/embedded.ts';
import { connectExternalBroker } from './broker/external.ts';
import type { BrokerLink } from './broker/link.ts';
import { mosquittoPasswordLine } from './broker/mosquitto-config.ts';
import { CommandDispatcher } from './commands/dispatcher.ts';
import { LiveHub } from './dashboard/live-hub.ts';
import { CloudConfigSchema, type CloudConfig, type CloudConfigInput } from './config.ts';
import { databaseSizeBytes, openCloudDb } from './db/database.ts';
import { RobotRegistry } from './db/robots.ts';
import { Ingest, type IngestedRecord } from './ingest/ingest.ts';
import { runRetention } from './ingest/retention.ts';
import { CloudMetrics } from './metrics/metrics.ts';

/** The username (and client id) of the cloud's own MQTT principal. */
export const SERVICE_PRINCIPAL = 'swath-cloud';

export interface StartCloudOptions {
  logger?: Logger;
  /** scrypt cost for new MQTT passwords (tests lower it; the default suits production). */
  scryptN?: number;
  /** Sees every committed batch (benchmarks, live views). */
  onCommit?: (records: readonly IngestedRecord[]) => void;
}

export interface CloudService {
  readonly config: CloudConfig;
  readonly httpPort: number;
  readonly httpUrl: string;
  /** Plain MQTT port of the embedded broker (null with an external broker). */
  readonly mqttPort: number | null;
  readonly mqttTlsPort: number | null;
  readonly mqttUrls: string[];
  /** Set when no admin token existed and none was configured: shown once, never stored in clear. */
  readonly generatedAdminToken: string | null;
  /** Password of the service principal on the embedded broker. */
  readonly servicePassword: string | null;
  readonly metrics: CloudMetrics;
  readonly ingest: Ingest;
  /** The dashboard's live channel. */
  readonly live: LiveHub;
  /** One retention pass now (it also runs every retention.intervalSeconds). */
  runRetention(now?: number): ReturnType<typeof runRetention>;
  close(): Promise<void>;
}

export async function startCloud(
  input: CloudConfigInput,
  options: StartCloudOptions = {},
): Promise<CloudService> {
  const config = CloudConfigSchema.parse(input);
  const log = options.logger ?? pino({ level: config.logLevel, base: { service: 'swath-cloud' } });
  const db = openCloudDb(config.dbPath);
  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      db.close();
    },
  ];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.error({ err }, 'cloud: error while closing');
      }
    }
  };
  try {
    const credentials = new MqttCredentials(db, options.scryptN ?? DEFAULT_SCRYPT_N);
    const tokens = new ApiTokens(db);
    const registry = new RobotRegistry(db);

    let generatedAdminToken: string | null = null;
    if (config.bootstrapAdminToken !== undefined) {
      if (!tokens.verify(config.bootstrapAdminToken))
        tokens.create('admin', 'bootstrap', config.bootstrapAdminToken);
    } else if (tokens.count() === 0) {
      generatedAdminToken = tokens.create('admin', 'bootstrap').token;
    }

    let link: BrokerLink | null = null;
    const metrics = new CloudMetrics({
      databaseSizeBytes: () => databaseSizeBytes(db),
      connectedRobots: () => link?.connectedRobots() ?? registry.countOnline(),
    });
    let dispatcher: CommandDispatcher | null = null;
    const live = new LiveHub({ registry, db });
    const onCommit = options.onCommit;
    const ingest = new Ingest({
      db,
      metrics,
      log: log.child({ component: 'ingest' }),
      flushMs: config.ingest.flushMs,
      maxBatch: config.ingest.maxBatch,
      isKnownRobot: (id) => registry.isKnown(id),
      onCommandReply: (robotId, name, reply) => dispatcher?.handleReply(robotId, name, reply),
      onCommit: (records) => {
        // The records are committed; a fault in the live view must not escape into ingest's timer.
        try {
          live.publish(records);
        } catch (err) {
          log.error({ err }, 'live stream fan-out failed');
        }
        onCommit?.(records);
      },
    });
    cleanups.push(() => ingest.close());

    let servicePassword: string | null = null;
    let mqttPort: number | null = null;
    let mqttTlsPort: number | null = null;
    if (config.externalBroker) {
      link = await connectExternalBroker({
        ...config.externalBroker,
        log: log.child({ component: 'mqtt' }),
        onMessage: (topic, payload, t0) => ingest.handle(topic, payload, undefined, t0),
      });
    } else {
      servicePassword = config.servicePassword ?? randomSecret();
      await credentials.setPassword(SERVICE_PRINCIPAL, 'service', servicePassword);
      const embedded = await startEmbeddedBroker({
        host: config.host,
        port: config.mqttPort,
        tlsPort: config.mqttTlsPort,
        ...(config.tls ? { tls: config.tls } : {}),
        drainTimeoutMs: config.drainTimeoutMs,
        credentials,
        ingest: (topic, payload, done, t0) => ingest.handle(topic, payload, done, t0),
        metrics,
        log: log.child({ component: 'mqtt' }),
      });
      mqttPort = embedded.port;
      mqttTlsPort = embedded.tlsPort;
      link = embedded;
    }
    const brokerLink = link;
    cleanups.push(() => brokerLink.close());
    dispatcher = new CommandDispatcher(db, (t, p, o) => brokerLink.publish(t, p, o), metrics);
    const commandDispatcher = dispatcher;
    cleanups.push(() => commandDispatcher.close());

    const passwordFile = config.externalBroker?.passwordFile;
    const api = await buildApi({
      registry,
      tokens,
      credentials,
      dispatcher,
      metrics,
      log,
      mqttUrls: () => brokerLink.urls,
      commandTimeoutSeconds: config.commandTimeoutSeconds,
      live,
      ...(passwordFile
        ? {
            onRobotRegistered: (id: string, password: string) =>
              appendFileSync(passwordFile, mosquittoPasswordLine(id, password)),
          }
        : {}),
    });
    cleanups.push(() => api.close());
    // Live streams never go idle: end them first, or closing the HTTP server would wait for them.
    cleanups.push(() => live.close());
    await api.listen({ host: config.host, port: config.httpPort });
    const httpPort = (api.server.address() as AddressInfo).port;

    const retention = (now = Date.now() / 1000) => {
      const result = runRetention(db, config.retention, now);
      log.debug({ ...result }, 'retention pass');
      return result;
    };
    const retentionTimer = setInterval(() => {
      try {
        retention();
      } catch (err) {
        log.error({ err }, 'retention pass failed');
      }
    }, config.retention.intervalSeconds * 1000);
    retentionTimer.unref();
    cleanups.push(() => clearInterval(retentionTimer));

    const httpUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${httpPort}`;
    log.info({ http: httpUrl, mqtt: brokerLink.urls, db: config.dbPath }, 'swath cloud started');
    let closed = false;
    return {
      config,
      httpPort,
      httpUrl,
      mqttPort,
      mqttTlsPort,
      mqttUrls: brokerLink.urls,
      generatedAdminToken,
      servicePassword,
      metrics,
      ingest,
      live,
      runRetention: retention,
      async close() {
        if (closed) return;
        closed = true;
        await closeAll();
        log.info('swath cloud stopped');
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
