/** Commands (operator): published over MQTT; the response is the robot's reply, or 504 without one. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CommandTimeoutError } from '../../commands/dispatcher.ts';
import { HttpError, requireRole, type ApiContext } from '../context.ts';
import { CommandResultSchema, ErrorSchema, RobotParamsSchema, SendCommandBodySchema } from '../schemas.ts';

export function commandRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/robots/:id/commands',
    {
      schema: {
        tags: ['commands'],
        summary: 'Send start / pause / resume / return / stop / ping and wait for the robot’s reply',
        security: [{ bearer: [] }],
        params: RobotParamsSchema,
        body: SendCommandBodySchema,
        response: {
          200: CommandResultSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          404: ErrorSchema,
          504: ErrorSchema,
        },
      },
      preHandler: requireRole(ctx.tokens, 'operator'),
    },
    async (req) => {
      const { id } = req.params;
      if (!ctx.registry.isKnown(id)) throw new HttpError(404, `no robot "${id}"`);
      const timeout = req.body.timeoutSeconds ?? ctx.commandTimeoutSeconds;
      try {
        return await ctx.dispatcher.send(
          id,
          req.body.name,
          req.body.args,
          timeout,
          req.token?.id ?? 'unknown',
        );
      } catch (err) {
        if (err instanceof CommandTimeoutError)
          throw new HttpError(504, `robot "${id}" did not answer "${req.body.name}" within ${timeout} s`);
        throw err;
      }
    },
  );
}
