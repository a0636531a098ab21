/**
 * Commands to robots: publish `cmd/<name>` (QoS 1, correlation id and expiry in the payload), record it,
 * and wait for the matching `cmd/<name>/res` until the timeout. The robot ignores a command after its
 * `expiresAt`, so a command that timed out here cannot run later by surprise.
 */
import { randomBytes } from 'node:crypto';
import {
  CommandRequestSchema,
  type CommandName,
  type CommandReply,
  type CommandRequest,
} from '../../shared/mqtt/messages.ts';
import { commandTopic } from '../../shared/mqtt/topics.ts';
import type { CloudDb } from '../db/database.ts';
import type { CloudMetrics } from '../metrics/metrics.ts';

export type PublishFn = (
  topic: string,
  payload: string,
  opts: { qos: 0 | 1; retain: boolean },
) => Promise<void>;

export class CommandTimeoutError extends Error {
  constructor(readonly request: CommandRequest) {
    super(`no reply to command ${request.name} (${request.id})`);
    this.name = 'CommandTimeoutError';
  }
}

interface Pending {
  robotId: string;
  name: string;
  resolve: (reply: CommandReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class CommandDispatcher {
  private readonly pending = new Map<string, Pending>();
  private readonly insertCommand;

  constructor(
    db: CloudDb,
    private readonly publish: PublishFn,
    private readonly metrics: CloudMetrics,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.insertCommand = db.prepare(
      `INSERT INTO commands (id, robot_id, name, args_json, issued_at, expires_at, issued_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Sends a command and resolves with the robot's reply; rejects with CommandTimeoutError. */
  async send(
    robotId: string,
    name: CommandName,
    args: Record<string, unknown>,
    timeoutSeconds: number,
    issuedBy: string,
  ): Promise<{ request: CommandRequest; reply: CommandReply }> {
    const issuedAt = this.now();
    const request = CommandRequestSchema.parse({
      id: randomBytes(12).toString('base64url'),
      name,
      args,
      issuedAt,
      expiresAt: issuedAt + timeoutSeconds,
    });
    this.insertCommand.run(
      request.id,
      robotId,
      name,
      JSON.stringify(request.args),
      request.issuedAt,
      request.expiresAt,
      issuedBy,
    );
    const replied = new Promise<CommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        this.metrics.commands.labels(name, 'timeout').inc();
        reject(new CommandTimeoutError(request));
      }, timeoutSeconds * 1000);
      this.pending.set(request.id, { robotId, name, resolve, reject, timer });
    });
    try {
      await this.publish(commandTopic(robotId, name), JSON.stringify(request), { qos: 1, retain: false });
    } catch (err) {
      const p = this.pending.get(request.id);
      if (p) clearTimeout(p.timer);
      this.pending.delete(request.id);
      replied.catch(() => {});
      throw err;
    }
    const reply = await replied;
    return { request, reply };
  }

  /** A reply from the robot; only the robot the command went to can answer it, on the same command name. */
  handleReply(robotId: string, name: string, reply: CommandReply): void {
    const p = this.pending.get(reply.id);
    if (!p || p.robotId !== robotId || p.name !== name) return;
    clearTimeout(p.timer);
    this.pending.delete(reply.id);
    this.metrics.commands.labels(name, reply.ok ? 'ok' : 'refused').inc();
    p.resolve(reply);
  }

  /** Fails every waiting command (service shutdown). */
  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('service shutting down'));
    }
    this.pending.clear();
  }
}
