/**
 * Maps that persist between daemon runs: one directory per map under a root, holding map.yaml + map.pgm
 * (ROS map_server format, readable by any ROS tool) and meta.json (validated on load). Writes go to a
 * temporary directory first and are renamed into place, so a crash never leaves a half-written map.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MAP_ID_PATTERN } from '../../shared/config.ts';
import { UserInputError } from '../../shared/errors.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { parseOrThrow } from '../../shared/validate.ts';
import { readRosMap, writeRosMap } from './map-file.ts';

export { MAP_ID_PATTERN };

export const StoredMapMetaSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(MAP_ID_PATTERN),
  name: z.string().max(200).default(''),
  /** clock times in seconds */
  createdAt: z.number(),
  updatedAt: z.number(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  resolution: z.number().positive(),
  /** scans integrated into the map so far */
  scans: z.number().int().nonnegative().default(0),
  /** where the robot starts its missions (its dock), in the map frame: where relocalization looks first */
  home: z.object({ x: z.number(), y: z.number(), theta: z.number() }).optional(),
});
export type StoredMapMeta = z.infer<typeof StoredMapMetaSchema>;

function checkId(id: string): void {
  if (!MAP_ID_PATTERN.test(id))
    throw new UserInputError(
      `map id "${id}": use 1–64 letters, digits, "_" or "-", starting with a letter or digit`,
    );
}

/** Saves (or replaces) a map; returns the metadata written. */
export function saveStoredMap(
  root: string,
  id: string,
  grid: OccupancyGrid,
  info: { now: number; name?: string; scans?: number; home?: { x: number; y: number; theta: number } },
): StoredMapMeta {
  checkId(id);
  const dir = join(root, id);
  const previous = existsSync(join(dir, 'meta.json')) ? loadStoredMap(root, id).meta : null;
  const meta: StoredMapMeta = {
    version: 1,
    id,
    name: info.name ?? previous?.name ?? '',
    createdAt: previous?.createdAt ?? info.now,
    updatedAt: info.now,
    width: grid.width,
    height: grid.height,
    resolution: grid.resolution,
    scans: info.scans ?? previous?.scans ?? 0,
  };
  const home = info.home ?? previous?.home;
  if (home) meta.home = { x: home.x, y: home.y, theta: home.theta };
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.${id}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeRosMap(grid, join(tmp, 'map'));
  writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  const old = join(root, `.${id}.old`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  return meta;
}

/** Loads a stored map; UserInputError naming the file when anything is missing or invalid. */
export function loadStoredMap(root: string, id: string): { grid: OccupancyGrid; meta: StoredMapMeta } {
  checkId(id);
  const dir = join(root, id);
  const metaPath = join(dir, 'meta.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (err) {
    throw new UserInputError(`${metaPath}: ${(err as Error).message}`, { cause: err });
  }
  const meta = parseOrThrow(StoredMapMetaSchema, raw, metaPath);
  if (meta.id !== id)
    throw new UserInputError(`${metaPath}: id "${meta.id}" does not match its directory "${id}"`);
  const grid = readRosMap(join(dir, 'map.yaml'));
  if (grid.width !== meta.width || grid.height !== meta.height)
    throw new UserInputError(
      `${metaPath}: says ${meta.width}×${meta.height} but map.yaml's image is ${grid.width}×${grid.height}`,
    );
  return { grid, meta };
}

/** The metadata of every valid map under `root` (invalid ones are reported in `errors`). */
export function listStoredMaps(root: string): { maps: StoredMapMeta[]; errors: string[] } {
  const maps: StoredMapMeta[] = [];
  const errors: string[] = [];
  if (!existsSync(root)) return { maps, errors };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !MAP_ID_PATTERN.test(entry.name)) continue;
    try {
      const metaPath = join(root, entry.name, 'meta.json');
      maps.push(parseOrThrow(StoredMapMetaSchema, JSON.parse(readFileSync(metaPath, 'utf8')), metaPath));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  maps.sort((a, b) => a.id.localeCompare(b.id));
  return { maps, errors };
}
