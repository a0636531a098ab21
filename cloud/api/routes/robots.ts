/** Robots: register (admin), list and inspect (viewer): status, telemetry, events, latest map. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, requireRole, type ApiContext } from '../context.ts';
import {
  ErrorSchema,
  EventsQuerySchema,
  MapResponseSchema,
  RegisterRobotBodySchema,
  RobotCredentialsSchema,
  RobotParamsSchema,
  RobotSummarySchema,
  StoredEventSchema,
  TelemetryQuerySchema,
  TelemetrySampleSchema,
} from '../schemas.ts';

const DAY_S = 86_400;

function timeRange(q: { from?: number | undefined; to?: number | undefined }): { from: number; to: number } {
  const to = q.to ?? Date.now() / 1000;
  const from = q.from ?? to - DAY_S;
  if (from > to) throw new HttpError(400, '"from" is after "to"');
  return { from, to };
}

export function robotRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const viewer = requireRole(ctx.tokens, 'viewer');
  const admin = requireRole(ctx.tokens, 'admin');
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
  const known = (id: string) => {
    if (!ctx.registry.isKnown(id)) throw new HttpError(404, `no robot "${id}"`);
  };

  r.post(
    '/api/robots',
    {
      schema: {
        tags: ['robots'],
        summary: 'Register a robot; the response holds its MQTT password, shown only once',
        security: [{ bearer: [] }],
        body: RegisterRobotBodySchema,
        response: { 201: RobotCredentialsSchema, 409: ErrorSchema, ...errors },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const { id } = req.body;
      if (ctx.registry.isKnown(id) || ctx.credentials.has(id))
        throw new HttpError(409, `robot id "${id}" is already registered`);
      const password = await ctx.credentials.setPassword(id, 'robot');
      ctx.registry.add(id, req.body.name ?? id, Date.now() / 1000);
      ctx.onRobotRegistered?.(id, password);
      ctx.log.info({ robotId: id, by: req.token?.id }, 'robot registered');
      return reply.code(201).send({
        robot: ctx.registry.get(id)!,
        mqtt: { urls: ctx.mqttUrls(), clientId: id, username: id, password },
      });
    },
  );

  r.get(
    '/api/robots',
    {
      schema: {
        tags: ['robots'],
        summary: 'Every robot with its online state, last message time and latest status',
        security: [{ bearer: [] }],
        response: { 200: z.object({ robots: z.array(RobotSummarySchema) }), ...errors },
      },
      preHandler: viewer,
    },
    async () => ({ robots: ctx.registry.list() }),
  );

  r.get(
    '/api/robots/:id',
    {
      schema: {
        tags: ['robots'],
        security: [{ bearer: [] }],
        params: RobotParamsSchema,
        response: { 200: RobotSummarySchema, ...errors },
      },
      preHandler: viewer,
    },
    async (req) => {
      const robot = ctx.registry.get(req.params.id);
      if (!robot) throw new HttpError(404, `no robot "${req.params.id}"`);
      return robot;
    },
  );

  r.get(
    '/api/robots/:id/telemetry',
    {
      schema: {
        tags: ['robots'],
        summary: 'Telemetry in a time range: raw records, and 1-minute averages where raw ones have aged out',
        security: [{ bearer: [] }],
        params: RobotParamsSchema,
        querystring: TelemetryQuerySchema,
        response: { 200: z.object({ samples: z.array(TelemetrySampleSchema) }), ...errors },
      },
      preHandler: viewer,
    },
    async (req) => {
      known(req.params.id);
      const range = timeRange(req.query);
      const samples = ctx.registry.telemetry(req.params.id, {
        ...range,
        limit: req.query.limit,
        ...(req.query.stream !== undefined ? { stream: req.query.stream } : {}),
      });
      return { samples };
    },
  );

  r.get(
    '/api/robots/:id/events',
    {
      schema: {
        tags: ['robots'],
        security: [{ bearer: [] }],
        params: RobotParamsSchema,
        querystring: EventsQuerySchema,
        response: { 200: z.object({ events: z.array(StoredEventSchema) }), ...errors },
      },
      preHandler: viewer,
    },
    async (req) => {
      known(req.params.id);
      return {
        events: ctx.registry.events(req.params.id, { ...timeRange(req.query), limit: req.query.limit }),
      };
    },
  );

  r.get(
    '/api/robots/:id/map',
    {
      schema: {
        tags: ['robots'],
        summary: 'The latest map snapshot the robot published',
        security: [{ bearer: [] }],
        params: RobotParamsSchema,
        response: { 200: MapResponseSchema, ...errors },
      },
      preHandler: viewer,
    },
    async (req) => {
      known(req.params.id);
      const map = ctx.registry.latestMapSnapshot(req.params.id);
      if (!map) throw new HttpError(404, `robot "${req.params.id}" has not published a map`);
      return map;
    },
  );
}
