/**
 * The robot's side of the fleet link: one MQTT.js client (MQTT 3.1.1) with a retained birth and will,
 * telemetry and events through the durable outbox (stored before sending, deleted after PUBACK), map
 * snapshots latest-wins and rate-limited, and commands answered on their reply topic.
 */
import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../shared/clock.ts';
import {
  CommandRequestSchema,
  type CommandName,
  type CommandReply,
  type EventLevel,
  type MapSnapshot,
  type StateTelemetry,
  type StatusMessage,
} from '../../shared/mqtt/messages.ts';
import {
  commandFilter,
  commandReplyTopic,
  eventsTopic,
  mapTopic,
  parseTopic,
  statusTopic,
  telemetryTopic,
} from '../../shared/mqtt/topics.ts';
import { encodeCoveredBits } from '../../shared/mqtt/map-codec.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import type { Pose2D } from '../../shared/geometry.ts';
import { DurableOutbox, type OutboxOptions, type OutboxStats } from './outbox.ts';
import { OutboxPump } from './outbox-pump.ts';

export const LinkConfigSchema = z.object({
  url: z.string().url().describe('mqtt://host:1883 or mqtts://host:8883'),
  robotId: z.string(),
  password: z.string().min(1),
  tls: z.object({ ca: z.string(), cert: z.string().optional(), key: z.string().optional() }).optional(),
  keepalive: z.number().int().positive().default(30),
  reconnectPeriodMs: z.number().int().positive().default(1000),
  /** minimum seconds between two map snapshots */
  mapMinInterval: z.number().nonnegative().default(3),
  firmware: z.string().default('unknown'),
  version: z.string().default('0.1.0'),
});
export type LinkConfig = z.input<typeof LinkConfigSchema>;

export type CommandHandler = (
  args: Record<string, unknown>,
) =>
  Promise<{ ok: boolean; error?: string; state?: string }> | { ok: boolean; error?: string; state?: string };

export interface LinkStats {
  connected: boolean;
  connects: number;
  outbox: OutboxStats;
  sent: number;
  acked: number;
  mapsSent: number;
  mapsSkipped: number;
  commands: number;
  commandsRejected: number;
}

/** Epoch seconds for payloads: the injected clock when it is a wall clock, else the wall clock. */
export type WallTime = () => number;

export class RobotLink {
  readonly bootId = randomUUID();
  private readonly config: z.output<typeof LinkConfigSchema>;
  private readonly outbox: DurableOutbox;
  private readonly pump: OutboxPump;
  private client: MqttClient | undefined;
  private readonly handlers = new Map<CommandName, CommandHandler>();
  private lastMapAt = -Infinity;
  private pendingMap: MapSnapshot | undefined;
  private mapTimer: TimerHandle | undefined;
  private mapSeq = 0;
  private connects = 0;
  private mapsSent = 0;
  private mapsSkipped = 0;
  private commands = 0;
  private commandsRejected = 0;

  constructor(
    config: LinkConfig,
    outbox: OutboxOptions,
    private readonly clock: Clock,
    private readonly wallTime: WallTime = () => Date.now() / 1000,
  ) {
    this.config = LinkConfigSchema.parse(config);
    this.outbox = new DurableOutbox(outbox, clock);
    this.pump = new OutboxPump(this.outbox, (record) => this.publish(record.topic, record.payload, false));
  }

  onCommand(name: CommandName, handler: CommandHandler): void {
    this.handlers.set(name, handler);
  }

  connect(): void {
    const { robotId } = this.config;
    const will: StatusMessage = {
      bootId: this.bootId,
      seq: 0,
      time: this.wallTime(),
      state: 'offline',
      firmware: this.config.firmware,
      version: this.config.version,
      reason: 'will',
    };
    const client = mqtt.connect(this.config.url, {
      protocolVersion: 4,
      clientId: robotId,
      username: robotId,
      password: this.config.password,
      clean: false,
      keepalive: this.config.keepalive,
      reconnectPeriod: this.config.reconnectPeriodMs,
      // Offline QoS 0 publishes would pile up in memory; everything that matters goes through the outbox.
      queueQoSZero: false,
      will: { topic: statusTopic(robotId), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      ...(this.config.tls
        ? { ca: this.config.tls.ca, cert: this.config.tls.cert, key: this.config.tls.key }
        : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.connects++;
      const birth: StatusMessage = { ...will, seq: this.connects, time: this.wallTime(), state: 'online' };
      delete birth.reason;
      void this.publish(statusTopic(robotId), Buffer.from(JSON.stringify(birth)), true).catch(() => {});
      client.subscribe(commandFilter(robotId), { qos: 1 });
      this.pump.setConnected(true);
      this.flushMap();
    });
    client.on('close', () => this.pump.setConnected(false));
    client.on('message', (topic, payload) => void this.handleMessage(topic, payload));
    // Errors (refused connections, resets) are retried by MQTT.js; keep them from crashing the daemon.
    client.on('error', () => {});
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  publishState(state: Omit<StateTelemetry, 'stream' | 'bootId' | 'seq' | 'time'>): void {
    this.enqueue('state', telemetryTopic(this.config.robotId, 'state'), { stream: 'state', ...state });
  }

  publishValues(stream: string, values: Record<string, number>): void {
    this.enqueue(stream, telemetryTopic(this.config.robotId, stream), { stream, values });
  }

  publishEvent(level: EventLevel, type: string, message: string, data?: Record<string, unknown>): void {
    this.enqueue('events', eventsTopic(this.config.robotId), {
      level,
      type,
      message,
      ...(data ? { data } : {}),
    });
  }

  /** Sends the map if the last one went out long enough ago; otherwise keeps only the newest for later. */
  publishMap(
    grid: OccupancyGrid,
    extras: { path?: { x: number; y: number }[]; pose?: Pose2D; covered?: Uint8Array } = {},
  ): void {
    const { covered, ...rest } = extras;
    const snapshot: MapSnapshot = {
      bootId: this.bootId,
      seq: this.mapSeq++,
      time: this.wallTime(),
      resolution: grid.resolution,
      width: grid.width,
      height: grid.height,
      origin: grid.origin,
      encoding: 'deflate',
      cells: deflateSync(Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength)).toString(
        'base64',
      ),
      ...rest,
      ...(covered && covered.length === grid.width * grid.height
        ? { covered: encodeCoveredBits(covered) }
        : {}),
    };
    if (this.pendingMap) this.mapsSkipped++;
    this.pendingMap = snapshot;
    this.flushMap();
  }

  /** The newest sequence number of the state telemetry and event streams (for ledgers and diagnostics). */
  outboxSequences(): { state: number; events: number } {
    return { state: this.outbox.lastSequence('state'), events: this.outbox.lastSequence('events') };
  }

  stats(): LinkStats {
    return {
      connected: this.connected,
      connects: this.connects,
      outbox: this.outbox.stats(),
      sent: this.pump.sent,
      acked: this.pump.acked,
      mapsSent: this.mapsSent,
      mapsSkipped: this.mapsSkipped,
      commands: this.commands,
      commandsRejected: this.commandsRejected,
    };
  }

  /** Publishes a clean "offline" status, then closes the client and the outbox. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.clock.clearTimer(this.mapTimer);
    if (client) {
      if (client.connected) {
        const bye: StatusMessage = {
          bootId: this.bootId,
          seq: this.connects + 1,
          time: this.wallTime(),
          state: 'offline',
          firmware: this.config.firmware,
          version: this.config.version,
          reason: 'shutdown',
        };
        await new Promise<void>((resolve) =>
          client.publish(
            statusTopic(this.config.robotId),
            JSON.stringify(bye),
            { qos: 1, retain: true },
            () => resolve(),
          ),
        );
      }
      // Offline, a graceful end would wait for in-flight acks that cannot come; they stay in the outbox anyway.
      await client.endAsync(!client.connected);
    }
    this.outbox.close();
  }

  private enqueue(stream: string, topic: string, body: Record<string, unknown>): void {
    this.outbox.enqueue(stream, topic, (seq) =>
      JSON.stringify({ ...body, bootId: this.bootId, seq, time: this.wallTime() }),
    );
    this.pump.kick();
  }

  private publish(topic: string, payload: Buffer | string, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) =>
      client.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())),
    );
  }

  private flushMap(): void {
    const snapshot = this.pendingMap;
    if (!snapshot || !this.connected) return;
    const now = this.clock.now();
    const wait = this.lastMapAt + this.config.mapMinInterval - now;
    if (wait > 0) {
      this.mapTimer ??= this.clock.setTimeout(() => {
        this.mapTimer = undefined;
        this.flushMap();
      }, wait);
      return;
    }
    this.pendingMap = undefined;
    this.lastMapAt = now;
    this.mapsSent++;
    void this.publish(mapTopic(this.config.robotId), JSON.stringify(snapshot), false).catch(() => {});
  }

  private async handleMessage(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'command' || parsed.robotId !== this.config.robotId) return;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.commandsRejected++;
      return;
    }
    const request = CommandRequestSchema.safeParse(json);
    if (!request.success) {
      this.commandsRejected++;
      return;
    }
    const { id, name, args, expiresAt } = request.data;
    this.commands++;
    let reply: Pick<CommandReply, 'ok' | 'error' | 'state'>;
    const handler = this.handlers.get(name);
    if (this.wallTime() > expiresAt) reply = { ok: false, error: 'command expired before it arrived' };
    else if (!handler) reply = { ok: false, error: `command "${name}" is not supported by this robot` };
    else {
      try {
        reply = await handler(args);
      } catch (err) {
        reply = { ok: false, error: (err as Error).message.slice(0, 500) };
      }
    }
    this.enqueue('cmdres', commandReplyTopic(this.config.robotId, name), { id, ...reply });
  }
}
