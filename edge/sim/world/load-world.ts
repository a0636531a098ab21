/**
 * Finding a world by name or path: a built-in preset (`studio`, `apartment`, `office`), a world file
 * (YAML/JSON, see schema.ts), or any ROS map_server map (YAML + PGM/PNG) whose occupied and unknown cells
 * become solid blocks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { UserInputError } from '../../../shared/errors.ts';
import type { Pose2D } from '../../../shared/geometry.ts';
import type { OccupancyGrid } from '../../../shared/occupancy-grid.ts';
import { readRosMap } from '../../mapping/map-file.ts';
import { officeWorld } from './presets/office.ts';
import { loadWorldFile, parseWorld, type WorldPoint, type WorldSpec } from './schema.ts';
import { SimWorld, type SimWorldOptions } from './sim-world.ts';

export const PRESET_NAMES = ['studio', 'apartment', 'office'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const presetFile = (name: string): string =>
  fileURLToPath(new URL(`./presets/${name}.yaml`, import.meta.url));

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** The validated world spec of a built-in preset. */
export function presetWorld(name: PresetName): WorldSpec {
  if (name === 'office') return parseWorld(officeWorld(), 'preset office');
  return loadWorldFile(presetFile(name));
}

export interface GridWorldOptions {
  /** Height of the blocks occupied and unknown cells become, m. */
  obstacleHeight?: number;
  /** Cells at or above this value are solid (unknown cells, −1, always are). */
  occupiedThreshold?: number;
  /** Keeps this much free space around the start pose, m. */
  startClearance?: number;
  name?: string;
}

/**
 * A world made from an occupancy grid: occupied and unknown cells become solid blocks (rows of equal cells
 * merged into rectangles, identical rows stacked), the floor is plain wood, the start is the free cell with
 * `startClearance` of room around it nearest the map origin.
 */
export function worldSpecFromGrid(grid: OccupancyGrid, options: GridWorldOptions = {}): WorldSpec {
  const height = options.obstacleHeight ?? 0.5;
  const threshold = options.occupiedThreshold ?? 50;
  const { width, resolution: res, origin } = grid;
  const solid = (i: number): boolean => {
    const v = grid.data[i]!;
    return v < 0 || v >= threshold;
  };
  // Runs of solid cells per row, merged upwards while the run repeats exactly.
  const open = new Map<string, { c0: number; c1: number; r0: number; r1: number }>();
  const rects: { c0: number; c1: number; r0: number; r1: number }[] = [];
  for (let r = 0; r < grid.height; r++) {
    const seen = new Set<string>();
    let c = 0;
    while (c < width) {
      if (!solid(r * width + c)) {
        c++;
        continue;
      }
      const c0 = c;
      while (c < width && solid(r * width + c)) c++;
      const key = `${c0}:${c}`;
      seen.add(key);
      const rect = open.get(key);
      if (rect && rect.r1 === r) rect.r1 = r + 1;
      else {
        const fresh = { c0, c1: c, r0: r, r1: r + 1 };
        open.set(key, fresh);
        rects.push(fresh);
      }
    }
    for (const key of [...open.keys()]) if (!seen.has(key)) open.delete(key);
  }
  const walls = rects.map((q, n) => {
    const x0 = origin.x + q.c0 * res;
    const x1 = origin.x + q.c1 * res;
    const y0 = origin.y + q.r0 * res;
    const y1 = origin.y + q.r1 * res;
    const w = x1 - x0;
    const h = y1 - y0;
    // A thick segment with square caps covers exactly the rectangle.
    const points: WorldPoint[] =
      w >= h
        ? [
            [x0 + h / 2, (y0 + y1) / 2],
            [x1 - h / 2, (y0 + y1) / 2],
          ]
        : [
            [(x0 + x1) / 2, y0 + w / 2],
            [(x0 + x1) / 2, y1 - w / 2],
          ];
    return { id: `map-${n + 1}`, points, thickness: Math.min(w, h), height };
  });
  return parseWorld(
    { name: options.name ?? 'map', walls, start: gridStart(grid, solid, options.startClearance ?? 0.25) },
    options.name ?? 'map',
  );
}

function gridStart(grid: OccupancyGrid, solid: (i: number) => boolean, clearance: number): Pose2D {
  const { width, height, resolution: res, origin } = grid;
  const k = Math.ceil(clearance / res);
  let best: Pose2D | undefined;
  let bestD = Infinity;
  for (let r = k; r < height - k; r++)
    for (let c = k; c < width - k; c++) {
      const x = origin.x + (c + 0.5) * res;
      const y = origin.y + (r + 0.5) * res;
      const d = x * x + y * y;
      if (d >= bestD || solid(r * width + c)) continue;
      let clear = true;
      for (let dr = -k; dr <= k && clear; dr++)
        for (let dc = -k; dc <= k; dc++)
          if (dr * dr + dc * dc <= k * k && solid((r + dr) * width + c + dc)) {
            clear = false;
            break;
          }
      if (clear) {
        best = { x, y, theta: 0 };
        bestD = d;
      }
    }
  if (!best)
    throw new UserInputError(`map has no free cell with ${clearance} m of room for the robot to start in`);
  return best;
}

/** A map_server YAML names an image; a world file never does. */
function isMapServerYaml(file: string): boolean {
  if (!/\.ya?ml$/i.test(file)) return false;
  try {
    const value: unknown = parseYaml(readFileSync(file, 'utf8'));
    return value !== null && typeof value === 'object' && 'image' in value;
  } catch {
    return false; // loadWorldFile reports the problem with the file name
  }
}

/** The world spec for a preset name, a world file, or a map_server map YAML. */
export function loadWorldSpec(nameOrPath: string, gridOptions: GridWorldOptions = {}): WorldSpec {
  if (isPresetName(nameOrPath)) return presetWorld(nameOrPath);
  if (!existsSync(nameOrPath))
    throw new UserInputError(`world "${nameOrPath}": no such preset (${PRESET_NAMES.join(', ')}) or file`);
  if (isMapServerYaml(nameOrPath))
    return worldSpecFromGrid(readRosMap(nameOrPath), { name: nameOrPath, ...gridOptions });
  return loadWorldFile(nameOrPath);
}

/** A ready-to-query world for a preset name, a world file, or a map_server map YAML. */
export function loadWorld(nameOrPath: string, options: SimWorldOptions & GridWorldOptions = {}): SimWorld {
  return new SimWorld(loadWorldSpec(nameOrPath, options), options);
}
