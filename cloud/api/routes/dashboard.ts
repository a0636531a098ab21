/** The dashboard's static files (cloud/dashboard/public and uPlot), from a fixed table: no file paths from URLs. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { loadDashboardFiles } from '../../dashboard/static-files.ts';
import { HttpError, type ApiContext } from '../context.ts';

// Scripts, styles and data only from this origin; the page is never framed.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function dashboardRoutes(app: FastifyInstance, _ctx: ApiContext): void {
  const files = loadDashboardFiles();
  const serve = (path: string) => async (_req: unknown, reply: FastifyReply) => {
    const file = files.get(path);
    if (!file) throw new HttpError(404, `no route GET ${path}`);
    return reply
      .header('content-type', file.contentType)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CSP)
      .send(file.body);
  };
  for (const path of files.keys()) app.get(path, { schema: { hide: true } }, serve(path));
}
