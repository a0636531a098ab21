/**
 * The embedded MQTT 3.1.1 broker (aedes 1.x) on plain TCP and optionally TLS with a private CA.
 *
 * - Authentication: username == client id == principal id, checked against scrypt hashes; or, over TLS, a
 *   client certificate signed by the CA whose CN equals the client id. Anything else is refused, so no
 *   client can take over another's client id (aedes closes the older connection of a repeated id).
 * - Authorization: cloud/auth/acl.ts. A refused subscription gets SUBACK 0x80 and the connection stays; a
 *   refused PUBLISH closes the connection (MQTT 3.1.1 cannot refuse a single PUBLISH).
 * - Ingest: a robot's PUBLISH is handed to ingest from authorizePublish, and the callback (after which
 *   aedes writes the PUBACK and routes the message) waits until the record is committed. A QoS 1 PUBACK
 *   therefore means "on disk in the cloud", which the robot's outbox relies on to delete the record.
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { IngestDone } from '../ingest/ingest.ts';
import type { CloudMetrics } from '../metrics/metrics.ts';
import type { TlsConfig } from '../config.ts';
import { canPublish, canSubscribe, type Principal } from '../auth/acl.ts';
import type { MqttCredentials } from '../auth/credentials.ts';
import type { BrokerLink } from './link.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tlsPort: number;
  tls?: TlsConfig;
  drainTimeoutMs: number;
  credentials: MqttCredentials;
  /** Robot publishes go here; `done` must be called once the message is stored or dropped. */
  ingest: (topic: string, payload: Buffer, done: IngestDone, t0: number) => void;
  metrics: CloudMetrics;
  log: Logger;
}

export interface EmbeddedBroker extends BrokerLink {
  readonly broker: Aedes;
  readonly port: number;
  readonly tlsPort: number | null;
}

function authError(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The CN of a CA-verified client certificate, or null. */
function verifiedCertificateCn(client: Client): string | null {
  const conn = client.conn;
  if (!(conn instanceof TLSSocket) || !conn.authorized) return null;
  const cn = conn.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' ? cn : null;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { credentials, metrics, log } = opts;
  const principals = new WeakMap<Client, Principal>();
  /** The live connection of each robot, so a replaced connection's disconnect does not count twice. */
  const robotsOnline = new Map<string, Client>();

  const broker = await Aedes.createBroker({
    drainTimeout: opts.drainTimeoutMs,
    maxClientsIdLength: 64,
    authenticate(client, username, password, done) {
      const id = client.id;
      const refuse = (code: 2 | 4 | 5, reason: string) => {
        metrics.authFailures.labels(reason).inc();
        log.warn({ clientId: id, username, reason }, 'mqtt: connection refused');
        done(authError(code, reason), false);
      };
      const cn = verifiedCertificateCn(client);
      if (cn !== null) {
        if (cn !== id || (username !== undefined && username !== id))
          return refuse(2, 'certificate CN is not the client id');
        const kind = credentials.kindOf(id);
        if (kind === null) return refuse(5, 'unknown principal');
        principals.set(client, { id, kind });
        return done(null, true);
      }
      if (username === undefined || password === undefined) return refuse(4, 'no credentials');
      if (username !== id) return refuse(2, 'client id is not the username');
      credentials.verify(username, password.toString('utf8')).then(
        (principal) => {
          if (!principal) return refuse(4, 'bad credentials');
          principals.set(client, principal);
          done(null, true);
        },
        (err: unknown) => {
          log.error({ err }, 'mqtt: credential check failed');
          done(authError(5, 'credential check failed'), false);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      if (client === null) return callback(null);
      const principal = principals.get(client);
      if (!principal || !canPublish(principal, packet.topic)) {
        metrics.aclDenials.labels('publish').inc();
        log.warn({ clientId: client.id, topic: packet.topic }, 'mqtt: publish refused; closing connection');
        return callback(new Error('publish not authorized'));
      }
      if (principal.kind !== 'robot') return callback(null);
      opts.ingest(packet.topic, packet.payload as Buffer, callback, performance.now());
    },
    authorizeSubscribe(client, sub, callback) {
      const principal = principals.get(client);
      if (!principal || !canSubscribe(principal, sub.topic)) {
        metrics.aclDenials.labels('subscribe').inc();
        log.warn({ clientId: client.id, filter: sub.topic }, 'mqtt: subscription refused');
        return callback(null, null);
      }
      callback(null, sub);
    },
  });

  broker.on('clientReady', (client) => {
    if (principals.get(client)?.kind === 'robot') robotsOnline.set(client.id, client);
  });
  broker.on('clientDisconnect', (client) => {
    if (robotsOnline.get(client.id) === client) robotsOnline.delete(client.id);
  });
  broker.on('clientError', (client, err) => {
    log.debug({ clientId: client.id, err: err.message }, 'mqtt: client error');
  });
  broker.on('connectionError', (client, err) => {
    log.debug({ clientId: client.id, err: err.message }, 'mqtt: connection error');
  });

  const servers: Server[] = [];
  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  let port: number;
  let tlsPort: number | null = null;
  const urls: string[] = [];
  try {
    const tcp = createServer(broker.handle);
    servers.push(tcp);
    port = await listen(tcp, opts.host, opts.port);
    urls.push(`mqtt://${opts.host}:${port}`);
    if (opts.tls) {
      const tlsServer = createTlsServer(
        {
          key: readFileSync(opts.tls.key),
          cert: readFileSync(opts.tls.cert),
          ca: readFileSync(opts.tls.ca),
          requestCert: opts.tls.requestCert,
          rejectUnauthorized: opts.tls.requireClientCert,
          minVersion: 'TLSv1.2',
        },
        broker.handle,
      );
      servers.push(tlsServer);
      tlsPort = await listen(tlsServer, opts.host, opts.tlsPort);
      urls.push(`mqtts://${opts.host}:${tlsPort}`);
    }
  } catch (err) {
    // A port in use or an unreadable key: release what was started so the process can exit.
    for (const s of servers) if (s.listening) s.close();
    await closeBroker();
    throw err;
  }

  return {
    broker,
    port,
    tlsPort,
    urls,
    connectedRobots: () => robotsOnline.size,
    publish(topic, payload, { qos, retain }) {
      return new Promise((resolve, reject) => {
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false },
          (err?: Error) => (err ? reject(err) : resolve()),
        );
      });
    },
    async close() {
      // Stop accepting first; the servers finish closing once aedes has closed every client.
      const stopped = Promise.all(servers.map(closeServer));
      await closeBroker();
      await stopped;
    },
  };
}
