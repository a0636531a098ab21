/**
 * The dashboard's session and live channel: who a token is (`/api/me`), single-use stream tickets, and
 * the Server-Sent Events stream (`/api/stream?ticket=…&robot=…`) fed by ingest's commits.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RoleSchema } from '../../auth/tokens.ts';
import { TICKET_TTL_S, TooManyStreamsError } from '../../dashboard/live-hub.ts';
import { HttpError, requireRole, type ApiContext } from '../context.ts';
import { ErrorSchema, RobotIdSchema } from '../schemas.ts';

const StreamQuerySchema = z.strictObject({
  ticket: z.string().min(16).max(100).describe('from POST /api/stream/tickets; single use'),
  robot: RobotIdSchema.optional().describe(
    'follow one robot; without it, the whole fleet’s status and state',
  ),
});

export function liveRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const viewer = requireRole(ctx.tokens, 'viewer');
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

  r.get(
    '/api/me',
    {
      schema: {
        tags: ['live'],
        summary: 'The calling token’s id, role and label',
        security: [{ bearer: [] }],
        response: { 200: z.object({ id: z.string(), role: RoleSchema, label: z.string() }), ...errors },
      },
      preHandler: viewer,
    },
    async (req) => req.token!,
  );

  r.post(
    '/api/stream/tickets',
    {
      schema: {
        tags: ['live'],
        summary: `A ticket to open one live stream within ${TICKET_TTL_S} s (EventSource cannot send a bearer header)`,
        security: [{ bearer: [] }],
        response: { 201: z.object({ ticket: z.string(), expiresAt: z.number() }), ...errors },
      },
      preHandler: viewer,
    },
    async (req, reply) => reply.code(201).send(ctx.live.issueTicket(req.token!)),
  );

  r.get(
    '/api/stream',
    {
      schema: {
        tags: ['live'],
        summary: 'Server-Sent Events: hello, status, state, event, map, gap',
        querystring: StreamQuerySchema,
        response: { 429: ErrorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const token = ctx.live.redeemTicket(req.query.ticket);
      if (!token) throw new HttpError(401, 'invalid or expired stream ticket');
      const robotId = req.query.robot ?? null;
      if (robotId !== null && !ctx.registry.isKnown(robotId))
        throw new HttpError(404, `no robot "${robotId}"`);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      try {
        ctx.live.attach(res, token, robotId);
      } catch (err) {
        // The status line is out; tell the page in the stream, then end it.
        if (!(err instanceof TooManyStreamsError)) throw err;
        res.end(`event: refused\ndata: ${JSON.stringify({ message: err.message })}\n\n`);
      }
    },
  );
}
