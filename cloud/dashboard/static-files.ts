/**
 * The dashboard's files, served by the cloud without a static-file plugin: a fixed table built at start
 * from the files in `public/` and uPlot's two dist files. A request names a table entry or gets 404, so
 * no path from a URL ever reaches the file system (no directory traversal).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** URL path → file, e.g. "/", "/app/app.js", "/vendor/uPlot.esm.js". */
export function loadDashboardFiles(publicDir = PUBLIC_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(publicDir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || type === undefined) continue;
    files.set(`/app/${entry.name}`, { body: readFileSync(join(publicDir, entry.name)), contentType: type });
  }
  const index = files.get('/app/index.html');
  if (index) files.set('/', index);
  const uplotDist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  for (const name of ['uPlot.esm.js', 'uPlot.min.css'])
    files.set(`/vendor/${name}`, {
      body: readFileSync(join(uplotDist, name)),
      contentType: CONTENT_TYPES[extname(name)]!,
    });
  return files;
}
