/** Every HTTP route group, one registration line each. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { commandRoutes } from './commands.ts';
import { dashboardRoutes } from './dashboard.ts';
import { liveRoutes } from './live.ts';
import { robotRoutes } from './robots.ts';
import { tokenRoutes } from './tokens.ts';

export const routes: ReadonlyArray<(app: FastifyInstance, ctx: ApiContext) => void> = [
  robotRoutes,
  commandRoutes,
  tokenRoutes,
  liveRoutes,
  dashboardRoutes,
];
