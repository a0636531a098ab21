/**
 * The dashboard's live channel: Server-Sent Events fed by ingest's commits. A browser's EventSource cannot
 * send an Authorization header, so a stream is opened with a ticket: a random single-use string the
 * page gets from `POST /api/stream/tickets` with its bearer token, valid for TICKET_TTL_S seconds and bound
 * to that token's id and role. The long-lived API token therefore never appears in a URL (access logs,
 * proxies). Each client has a bounded ClientBuffer; a blocked socket drops old telemetry, never the latest
 * status or map.
 */
import { randomSecret } from '../auth/secrets.ts';
import type { TokenInfo } from '../auth/tokens.ts';
import type { CloudDb } from '../db/database.ts';
import type { RobotRegistry, RobotSummary } from '../db/robots.ts';
import type { IngestedRecord } from '../ingest/ingest.ts';
import type { MapSnapshot } from '../../shared/mqtt/messages.ts';
import { ClientBuffer, DEFAULT_BUFFER_LIMITS, type BufferLimits, type DropRank } from './client-buffer.ts';
import { mapViewFromSnapshot, type MapView } from './map-view.ts';

export const TICKET_TTL_S = 30;
const MAX_PENDING_TICKETS = 10_000;

/** The latest state telemetry of a robot, as the fleet list and the robot page show it. */
export interface LiveState {
  robotId: string;
  bootId: string;
  seq: number;
  time: number;
  receivedAt: number;
  pose: { x: number; y: number; theta: number };
  missionState: string;
  coverage: number;
  batteryPercent: number;
  batteryVoltage: number;
  linearSpeed: number;
  angularSpeed: number;
}

export type FleetRow = RobotSummary & { state: LiveState | null };

type StateTelemetry = Extract<Extract<IngestedRecord, { kind: 'telemetry' }>['message'], { pose: unknown }>;

/** The live view of one state telemetry message, as cached and as streamed. */
function liveState(robotId: string, m: StateTelemetry, receivedAt: number): LiveState {
  return {
    robotId,
    bootId: m.bootId,
    seq: m.seq,
    time: m.time,
    receivedAt,
    pose: m.pose,
    missionState: m.missionState,
    coverage: m.coverage,
    batteryPercent: m.batteryPercent,
    batteryVoltage: m.batteryVoltage,
    linearSpeed: m.linearSpeed,
    angularSpeed: m.angularSpeed,
  };
}

/** What the hub needs of a response: Node's http.ServerResponse satisfies it. */
export interface StreamSink {
  write(chunk: string): boolean;
  end(): void;
  once(event: 'drain', fn: () => void): unknown;
  on(event: 'close', fn: () => void): unknown;
}

export interface LiveHubOptions {
  registry: RobotRegistry;
  db: CloudDb;
  limits?: BufferLimits;
  maxClients?: number;
  maxClientsPerToken?: number;
  heartbeatSeconds?: number;
  /** Wall-clock seconds (ticket expiry). */
  now?: () => number;
}

export class TooManyStreamsError extends Error {}

interface LiveClient {
  sink: StreamSink;
  tokenId: string;
  /** null: the fleet stream (statuses and states of every robot). */
  robotId: string | null;
  buffer: ClientBuffer;
  blocked: boolean;
  closed: boolean;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly tickets = new Map<string, { token: TokenInfo; expiresAt: number }>();
  private readonly states = new Map<string, LiveState | null>();
  private readonly selectLatestState;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly now: () => number;
  /** Droppable messages discarded for slow clients, over the hub's life. */
  droppedTotal = 0;

  constructor(private readonly opts: LiveHubOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.selectLatestState = opts.db.prepare<
      [string],
      {
        boot_id: string;
        seq: number;
        time: number;
        received_at: number;
        x: number;
        y: number;
        theta: number;
        mission_state: string;
        coverage: number;
        battery_percent: number;
        battery_voltage: number;
        linear_speed: number;
        angular_speed: number;
      }
    >(
      // Robot time decides; records stamped in the same millisecond keep their arrival (insertion) order.
      `SELECT s.boot_id, t.seq, t.time, t.received_at, t.x, t.y, t.theta, t.mission_state, t.coverage, t.battery_percent,
         t.battery_voltage, t.linear_speed, t.angular_speed
       FROM series s JOIN telemetry t ON t.series = s.id
       WHERE s.robot_id = ? AND s.stream = 'state' ORDER BY t.time DESC, t.rowid DESC LIMIT 1`,
    );
    // A comment line keeps proxies from timing the stream out and finds dead sockets.
    this.heartbeat = setInterval(
      () => {
        for (const c of this.clients) if (!c.blocked) this.write(c, ': ping\n\n');
      },
      (opts.heartbeatSeconds ?? 15) * 1000,
    );
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  issueTicket(token: TokenInfo): { ticket: string; expiresAt: number } {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket);
    // Map keeps insertion order: the oldest unredeemed ticket goes first.
    while (this.tickets.size >= MAX_PENDING_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
    const ticket = randomSecret(24);
    const expiresAt = now + TICKET_TTL_S;
    this.tickets.set(ticket, { token, expiresAt });
    return { ticket, expiresAt };
  }

  /** The token a ticket was issued to; a ticket works once. */
  redeemTicket(ticket: string): TokenInfo | null {
    const entry = this.tickets.get(ticket);
    if (!entry) return null;
    this.tickets.delete(ticket);
    return entry.expiresAt > this.now() ? entry.token : null;
  }

  /** The robot's latest state telemetry (cached; read from the database the first time). */
  latestState(robotId: string): LiveState | null {
    if (this.states.has(robotId)) return this.states.get(robotId)!;
    const row = this.selectLatestState.get(robotId);
    const state: LiveState | null = row
      ? {
          robotId,
          bootId: row.boot_id,
          seq: row.seq,
          time: row.time,
          receivedAt: row.received_at,
          pose: { x: row.x, y: row.y, theta: row.theta },
          missionState: row.mission_state,
          coverage: row.coverage,
          batteryPercent: row.battery_percent,
          batteryVoltage: row.battery_voltage,
          linearSpeed: row.linear_speed,
          angularSpeed: row.angular_speed,
        }
      : null;
    this.states.set(robotId, state);
    return state;
  }

  fleet(): FleetRow[] {
    return this.opts.registry.list().map((r) => ({ ...r, state: this.latestState(r.id) }));
  }

  latestMapView(robotId: string): MapView | null {
    const snapshot = this.opts.registry.latestMapSnapshot(robotId);
    return snapshot ? mapViewFromSnapshot(robotId, snapshot) : null;
  }

  /**
   * Starts streaming to `sink`: a `hello` with the current picture (fleet rows, or one robot with its
   * latest map), then live messages. Throws TooManyStreamsError over the per-token or total limit.
   */
  attach(sink: StreamSink, token: TokenInfo, robotId: string | null): void {
    const perToken = [...this.clients].filter((c) => c.tokenId === token.id).length;
    if (this.clients.size >= (this.opts.maxClients ?? 256))
      throw new TooManyStreamsError('too many live streams on this server');
    if (perToken >= (this.opts.maxClientsPerToken ?? 16))
      throw new TooManyStreamsError('too many live streams for this token');
    const client: LiveClient = {
      sink,
      tokenId: token.id,
      robotId,
      buffer: new ClientBuffer(this.opts.limits ?? DEFAULT_BUFFER_LIMITS),
      blocked: false,
      closed: false,
    };
    this.clients.add(client);
    sink.on('close', () => {
      client.closed = true;
      this.clients.delete(client);
    });
    const role = token.role;
    if (robotId === null) {
      this.send(client, sse('hello', { role, robots: this.fleet(), serverTime: this.now() }), {});
    } else {
      const summary = this.opts.registry.get(robotId);
      const robot: FleetRow | null = summary ? { ...summary, state: this.latestState(robotId) } : null;
      this.send(
        client,
        sse('hello', { role, robot, map: this.latestMapView(robotId), serverTime: this.now() }),
        {},
      );
    }
    this.flush(client);
  }

  /** Ingest's commit hook: fans the committed records out to the clients that follow their robots. */
  publish(records: readonly IngestedRecord[]): void {
    for (const r of records) {
      if (r.kind === 'telemetry' && r.message.stream === 'state' && 'pose' in r.message) {
        const m = r.message;
        // Only robots someone has looked at are cached; the others are read from the database (already
        // committed) when first asked for, so a fleet nobody watches costs no memory here.
        if (!this.states.has(r.robotId)) continue;
        const prev = this.states.get(r.robotId);
        if (!prev || prev.time <= m.time) this.states.set(r.robotId, liveState(r.robotId, m, r.receivedAt));
      }
    }
    if (this.clients.size === 0) return;
    const touched = new Set<LiveClient>();
    let maps: Map<string, MapSnapshot> | null = null;
    for (const r of records) {
      let message: string | null = null;
      let fleetKey: string | null = null;
      let robotKey: string | undefined;
      let rank: DropRank = 0;
      switch (r.kind) {
        case 'status':
          message = sse('status', {
            robotId: r.robotId,
            online: r.message.state === 'online',
            status: r.message,
            lastSeen: r.receivedAt,
          });
          fleetKey = `status:${r.robotId}`;
          robotKey = 'status';
          break;
        case 'telemetry': {
          const m = r.message;
          if (m.stream !== 'state' || !('pose' in m)) break;
          message = sse('state', liveState(r.robotId, m, r.receivedAt));
          fleetKey = `state:${r.robotId}`;
          rank = 1;
          break;
        }
        case 'events':
          message = sse('event', { robotId: r.robotId, ...r.message, receivedAt: r.receivedAt });
          rank = 2;
          break;
        case 'map': {
          // Only the batch's last snapshot of a robot is decoded, and only when someone follows the robot.
          if (![...this.clients].some((c) => c.robotId === r.robotId)) break;
          maps ??= new Map();
          maps.set(r.robotId, r.message);
          break;
        }
        case 'commandReply':
          break;
      }
      if (message === null) continue;
      for (const c of this.clients) {
        if (c.robotId === null) {
          // The fleet list needs only each robot's newest row: coalesce, never grow with the message rate.
          if (fleetKey === null) continue;
          this.send(c, message, { key: fleetKey });
        } else if (c.robotId === r.robotId) {
          this.send(c, message, robotKey !== undefined ? { key: robotKey } : { rank });
        } else continue;
        touched.add(c);
      }
    }
    if (maps) {
      for (const [robotId, snapshot] of maps) {
        const view = mapViewFromSnapshot(robotId, snapshot);
        if (view === null) continue;
        const message = sse('map', view);
        for (const c of this.clients) {
          if (c.robotId !== robotId) continue;
          this.send(c, message, { key: 'map' });
          touched.add(c);
        }
      }
    }
    for (const c of touched) this.flush(c);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) {
      c.closed = true;
      c.sink.end();
    }
    this.clients.clear();
    this.tickets.clear();
  }

  private send(client: LiveClient, message: string, opts: { key?: string; rank?: DropRank }): void {
    if (client.closed) return;
    if (!client.buffer.push(message, opts)) {
      // Even the latest-only messages outgrow the hard limit: the browser reconnects and starts afresh.
      client.closed = true;
      this.clients.delete(client);
      client.sink.end();
    }
  }

  private flush(client: LiveClient): void {
    if (client.closed || client.blocked) return;
    const { texts, dropped } = client.buffer.take();
    if (dropped > 0) this.droppedTotal += dropped;
    const chunk = (dropped > 0 ? sse('gap', { dropped }) : '') + texts.join('');
    if (chunk.length > 0) this.write(client, chunk);
  }

  private write(client: LiveClient, chunk: string): void {
    if (client.sink.write(chunk)) return;
    client.blocked = true;
    client.sink.once('drain', () => {
      client.blocked = false;
      this.flush(client);
    });
  }
}
