/** API tokens (admin): create a token with a role; its secret is shown once. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireRole, type ApiContext } from '../context.ts';
import { CreateTokenBodySchema, CreatedTokenSchema, ErrorSchema } from '../schemas.ts';

export function tokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (viewer, operator or admin)',
        security: [{ bearer: [] }],
        body: CreateTokenBodySchema,
        response: { 201: CreatedTokenSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
      preHandler: requireRole(ctx.tokens, 'admin'),
    },
    async (req, reply) => {
      const created = ctx.tokens.create(req.body.role, req.body.label);
      ctx.log.info({ tokenId: created.id, role: created.role, by: req.token?.id }, 'API token created');
      return reply.code(201).send(created);
    },
  );
}
