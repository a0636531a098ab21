/** What the HTTP routes need from the service, and the role check every route declares. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { MqttCredentials } from '../auth/credentials.ts';
import { roleAtLeast, type ApiTokens, type Role, type TokenInfo } from '../auth/tokens.ts';
import type { CommandDispatcher } from '../commands/dispatcher.ts';
import type { LiveHub } from '../dashboard/live-hub.ts';
import type { RobotRegistry } from '../db/robots.ts';
import type { CloudMetrics } from '../metrics/metrics.ts';

export interface ApiContext {
  registry: RobotRegistry;
  tokens: ApiTokens;
  credentials: MqttCredentials;
  dispatcher: CommandDispatcher;
  metrics: CloudMetrics;
  log: Logger;
  /** Where robots connect; returned with new credentials. */
  mqttUrls: () => string[];
  commandTimeoutSeconds: number;
  /** The dashboard's live channel (stream tickets, SSE clients). */
  live: LiveHub;
  /** Called once a robot is registered with its fresh password (e.g. to add it to mosquitto's file). */
  onRobotRegistered?: (id: string, password: string) => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    token?: TokenInfo;
  }
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A preHandler that requires a bearer token of at least `role` (401 without a valid token, 403 below). */
export function requireRole(tokens: ApiTokens, role: Role) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const info = match ? tokens.verify(match[1]!) : null;
    if (!info) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, match ? 'invalid API token' : 'missing bearer token');
    }
    if (!roleAtLeast(info.role, role))
      throw new HttpError(403, `this needs the ${role} role; the token has ${info.role}`);
    request.token = info;
  };
}
