/**
 * ROS map_server maps: a YAML file naming an image (PGM or PNG) plus its metadata. The codecs are pure
 * (`parseMapYaml`, `parsePgm`, `decodeMapImage`, `encodeMapImage`, `renderMapPng`); only `readRosMap` and
 * `writeRosMap` touch the disk. Semantics follow nav2_map_server's map_io: brightness = mean of the colour
 * channels, occupancy p = 1 − brightness (brightness when negated), image row y → grid row height − 1 − y.
 */
import { walkGridLine } from '../../shared/grid-line.ts';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { PNG } from 'pngjs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserInputError } from '../../shared/errors.ts';
import type { Point2D, Pose2D } from '../../shared/geometry.ts';
import { OCCUPIED, FREE, UNKNOWN, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { parseOrThrow } from '../../shared/validate.ts';

export type MapMode = 'trinary' | 'scale' | 'raw';

/** How grid values and image pixels correspond (everything in the YAML except the image path). */
export interface MapMeta {
  resolution: number;
  /** pose of the lower-left pixel's lower-left corner */
  origin: Pose2D;
  occupiedThresh: number;
  freeThresh: number;
  negate: boolean;
  mode: MapMode;
}

export interface MapYaml extends MapMeta {
  /** image path exactly as written in the YAML (relative to the YAML's folder unless absolute) */
  image: string;
}

/**
 * Defaults for saving. free_thresh is the 0.196 that ROS 1's map_saver writes into its YAML (and the Nav2 maps
 * carry): with map_saver's classification threshold 0.25 in the YAML, its "unknown" grey 205 (p = 0.196) would
 * read back as free.
 */
export const DEFAULT_MAP_META: Readonly<Omit<MapMeta, 'resolution' | 'origin'>> = Object.freeze({
  occupiedThresh: 0.65,
  freeThresh: 0.196,
  negate: false,
  mode: 'trinary',
});

const probability = z.number().min(0).max(1);

export const MapYamlFileSchema = z
  .object({
    image: z.string().min(1),
    resolution: z.number().positive(),
    origin: z.tuple([z.number(), z.number(), z.number()]),
    occupied_thresh: probability,
    free_thresh: probability,
    negate: z
      .union([z.literal(0), z.literal(1), z.boolean()])
      .default(0)
      .transform((v) => v === 1 || v === true),
    mode: z.enum(['trinary', 'scale', 'raw']).default('trinary'),
  })
  .refine((m) => m.free_thresh < m.occupied_thresh, {
    message: 'free_thresh must be below occupied_thresh',
    path: ['free_thresh'],
  });

/** Parses and validates a map YAML; errors are UserInputErrors naming `source` and the field. */
export function parseMapYaml(text: string, source: string): MapYaml {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new UserInputError(`${source}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const m = parseOrThrow(MapYamlFileSchema, value ?? {}, source);
  return {
    image: m.image,
    resolution: m.resolution,
    origin: { x: m.origin[0], y: m.origin[1], theta: m.origin[2] },
    occupiedThresh: m.occupied_thresh,
    freeThresh: m.free_thresh,
    negate: m.negate,
    mode: m.mode,
  };
}

/** Serializes the YAML map_saver would write (numbers in their shortest exact form, so they round-trip). */
export function formatMapYaml(meta: MapYaml): string {
  const o = meta.origin;
  return (
    `image: ${meta.image}\n` +
    `mode: ${meta.mode}\n` +
    `resolution: ${meta.resolution}\n` +
    `origin: [${o.x}, ${o.y}, ${o.theta}]\n` +
    `negate: ${meta.negate ? 1 : 0}\n` +
    `occupied_thresh: ${meta.occupiedThresh}\n` +
    `free_thresh: ${meta.freeThresh}\n`
  );
}

/**
 * A decoded raster, top row first. `channels`: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; samples run 0…maxval.
 */
export interface MapImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  maxval: number;
  data: Uint8Array | Uint16Array;
}

function pnmError(message: string): UserInputError {
  return new UserInputError(`not a valid PGM/PPM image: ${message}`);
}

/** Parses binary (P5/P6) and ASCII (P2/P3) PGM/PPM, with comments, maxval up to 65535. */
export function parsePgm(bytes: Uint8Array): MapImage {
  let pos = 0;
  const isSpace = (c: number): boolean =>
    c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  // Header tokens are separated by whitespace; '#' starts a comment running to the end of the line.
  const token = (): string => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos]!)) pos++;
      if (pos < bytes.length && bytes[pos] === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < bytes.length && !isSpace(bytes[pos]!) && bytes[pos] !== 0x23) pos++;
    if (start === pos) throw pnmError('unexpected end of header');
    return String.fromCharCode(...bytes.subarray(start, pos));
  };
  const positiveInt = (what: string, max: number): number => {
    const t = token();
    if (!/^\d+$/.test(t)) throw pnmError(`${what} "${t}" is not a whole number`);
    const n = Number(t);
    if (n < 1 || n > max) throw pnmError(`${what} ${n} out of range 1…${max}`);
    return n;
  };
  if (bytes.length < 2 || bytes[0] !== 0x50) throw pnmError('missing P2/P3/P5/P6 magic number');
  const magic = String.fromCharCode(bytes[1]!);
  if (!'2356'.includes(magic)) throw pnmError(`unsupported magic number P${magic}`);
  pos = 2;
  const width = positiveInt('width', 1 << 20);
  const height = positiveInt('height', 1 << 20);
  const maxval = positiveInt('maxval', 65535);
  const channels: 1 | 3 = magic === '2' || magic === '5' ? 1 : 3;
  const count = width * height * channels;
  const data = maxval > 255 ? new Uint16Array(count) : new Uint8Array(count);
  if (magic === '5' || magic === '6') {
    // Exactly one whitespace byte separates the header from the raster.
    if (pos >= bytes.length || !isSpace(bytes[pos]!)) throw pnmError('no whitespace after maxval');
    pos++;
    const bytesPerSample = maxval > 255 ? 2 : 1;
    if (bytes.length - pos < count * bytesPerSample)
      throw pnmError(`raster truncated: need ${count * bytesPerSample} bytes, have ${bytes.length - pos}`);
    for (let i = 0; i < count; i++) {
      const v = bytesPerSample === 2 ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!;
      if (v > maxval) throw pnmError(`sample ${v} above maxval ${maxval}`);
      data[i] = v;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const t = token();
      if (!/^\d+$/.test(t)) throw pnmError(`sample "${t}" is not a whole number`);
      const v = Number(t);
      if (v > maxval) throw pnmError(`sample ${v} above maxval ${maxval}`);
      data[i] = v;
    }
  }
  return { width, height, channels, maxval, data };
}

/** Binary PGM (P5, or P6 for colour) of an image without alpha. */
export function encodePgm(image: MapImage): Buffer {
  if (image.channels === 2 || image.channels === 4) throw new Error('PGM/PPM cannot hold an alpha channel');
  const header = Buffer.from(
    `P${image.channels === 1 ? 5 : 6}\n${image.width} ${image.height}\n${image.maxval}\n`,
    'latin1',
  );
  const wide = image.maxval > 255;
  const body = Buffer.alloc(image.data.length * (wide ? 2 : 1));
  for (let i = 0; i < image.data.length; i++) {
    if (wide) body.writeUInt16BE(image.data[i]!, 2 * i);
    else body[i] = image.data[i]!;
  }
  return Buffer.concat([header, body]);
}

/** Decodes a PNG (any colour type; pngjs delivers 8-bit RGBA). */
export function parsePng(bytes: Uint8Array): MapImage {
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new UserInputError(`not a valid PNG image: ${(err as Error).message}`, { cause: err });
  }
  return { width: png.width, height: png.height, channels: 4, maxval: 255, data: new Uint8Array(png.data) };
}

/** PNG of a MapImage (8-bit; grey or grey+alpha stay grey). */
export function encodePng(image: MapImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  const n = image.width * image.height;
  const scale = 255 / image.maxval;
  for (let i = 0; i < n; i++) {
    const c = image.channels;
    const s = (k: number): number => Math.round(image.data[i * c + k]! * scale);
    const grey = c <= 2;
    png.data[4 * i] = s(0);
    png.data[4 * i + 1] = grey ? s(0) : s(1);
    png.data[4 * i + 2] = grey ? s(0) : s(2);
    png.data[4 * i + 3] = c === 2 ? s(1) : c === 4 ? s(3) : 255;
  }
  const colorType = image.channels === 1 ? 0 : image.channels === 2 ? 4 : image.channels === 3 ? 2 : 6;
  return PNG.sync.write(png, { colorType });
}

/** Parses an image by its magic bytes (PNG or PGM/PPM). */
export function parseMapImageBytes(bytes: Uint8Array): MapImage {
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return parsePng(bytes);
  return parsePgm(bytes);
}

/** The grid value one pixel decodes to (brightness 0…1, opaque or not), per map_io. */
function decodePixel(brightness: number, opaque: boolean, meta: MapMeta): number {
  if (meta.mode === 'raw') {
    const v = Math.round(brightness * 255);
    return v >= FREE && v <= OCCUPIED ? v : UNKNOWN;
  }
  const p = meta.negate ? brightness : 1 - brightness;
  if (meta.mode === 'scale' && !opaque) return UNKNOWN;
  if (p > meta.occupiedThresh) return OCCUPIED;
  if (p < meta.freeThresh) return FREE;
  if (meta.mode === 'trinary') return UNKNOWN;
  return Math.round(((p - meta.freeThresh) / (meta.occupiedThresh - meta.freeThresh)) * 100);
}

/** Image → OccupancyGrid (row 0 of the grid is the bottom row of the image). */
export function decodeMapImage(image: MapImage, meta: MapMeta): OccupancyGrid {
  const { width, height, channels, maxval, data: px } = image;
  const colour = channels === 1 || channels === 2 ? 1 : 3;
  const hasAlpha = channels === 2 || channels === 4;
  const out = new Int8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * width;
    for (let x = 0; x < width; x++) {
      const base = (y * width + x) * channels;
      let sum = 0;
      for (let k = 0; k < colour; k++) sum += px[base + k]!;
      const opaque = !hasAlpha || px[base + channels - 1] === maxval;
      out[row + x] = decodePixel(sum / colour / maxval, opaque, meta);
    }
  }
  return { width, height, resolution: meta.resolution, origin: { ...meta.origin }, data: out };
}

/**
 * For each grid value −1…100, the 8-bit grey level to write. Starts from map_saver's choice (trinary: 254 free,
 * 0 occupied, 205 unknown; scale: linear; raw: the value itself, 255 unknown) and, when that level would not
 * decode back to the same value under `meta` (negation, unusual thresholds), takes the nearest level that does.
 */
function encodeTable(meta: MapMeta): Int16Array {
  const decoded = new Int16Array(256);
  for (let g = 0; g < 256; g++) decoded[g] = decodePixel(g / 255, true, meta);
  const table = new Int16Array(102);
  const occInt = Math.round(meta.occupiedThresh * 100);
  const freeInt = Math.round(meta.freeThresh * 100);
  for (let v = -1; v <= 100; v++) {
    let g: number;
    if (meta.mode === 'raw') g = v < 0 ? 255 : v;
    else if (meta.mode === 'trinary') g = v < 0 ? 205 : v <= freeInt ? 254 : v >= occInt ? 0 : 205;
    else {
      const p =
        v < 0
          ? (meta.freeThresh + meta.occupiedThresh) / 2
          : meta.freeThresh + (v / 100) * (meta.occupiedThresh - meta.freeThresh);
      g = Math.round((1 - p) * 255);
    }
    if (meta.negate && meta.mode !== 'raw') g = 255 - g;
    // Trinary output is lossy by design (map_saver): the target is the class, not the value.
    const target =
      meta.mode !== 'trinary' ? v : v < 0 ? UNKNOWN : v <= freeInt ? FREE : v >= occInt ? OCCUPIED : UNKNOWN;
    if (decoded[g] !== target) g = nearestLevel(decoded, g, target);
    table[v + 1] = g;
  }
  return table;
}

function nearestLevel(decoded: Int16Array, start: number, value: number): number {
  for (let d = 0; d < 256; d++) {
    if (start - d >= 0 && decoded[start - d] === value) return start - d;
    if (start + d < 256 && decoded[start + d] === value) return start + d;
  }
  return start;
}

/**
 * OccupancyGrid → image as map_saver writes it (top row first, 8-bit grey). In scale mode unknown cells need
 * transparency, so the image gains an alpha channel when any cell is unknown (PNG only).
 */
export function encodeMapImage(grid: OccupancyGrid, meta: MapMeta): MapImage {
  const { width, height, data } = grid;
  const table = encodeTable(meta);
  const alpha = meta.mode === 'scale' && data.some((v) => v < 0 || v > 100);
  const channels = alpha ? 2 : 1;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * width;
    for (let x = 0; x < width; x++) {
      const raw = data[row + x]!;
      const v = raw < 0 || raw > 100 ? UNKNOWN : raw;
      const i = (y * width + x) * channels;
      out[i] = table[v + 1]!;
      if (alpha) out[i + 1] = v === UNKNOWN ? 0 : 255;
    }
  }
  return { width, height, channels, maxval: 255, data: out };
}

/** Reads a ROS map (YAML + PGM/PNG). Problems become UserInputErrors naming the file and what is wrong. */
export function readRosMap(yamlPath: string): OccupancyGrid {
  let text: string;
  try {
    text = readFileSync(yamlPath, 'utf8');
  } catch (err) {
    throw new UserInputError(`${yamlPath}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  const meta = parseMapYaml(text, yamlPath);
  const imagePath = isAbsolute(meta.image) ? meta.image : join(dirname(yamlPath), meta.image);
  let bytes: Buffer;
  try {
    bytes = readFileSync(imagePath);
  } catch (err) {
    throw new UserInputError(`${yamlPath}: cannot read image ${imagePath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return decodeMapImage(parseMapImageBytes(bytes), meta);
  } catch (err) {
    if (err instanceof UserInputError)
      throw new UserInputError(`${imagePath}: ${err.message}`, { cause: err });
    throw err;
  }
}

export interface WriteMapOptions {
  mode?: MapMode;
  occupiedThresh?: number;
  freeThresh?: number;
  negate?: boolean;
}

/**
 * Writes PREFIX.yaml and PREFIX.pgm (PREFIX.png instead when scale mode must mark unknown cells transparent).
 * Returns the paths written.
 */
export function writeRosMap(
  grid: OccupancyGrid,
  prefix: string,
  opts: WriteMapOptions = {},
): { yamlPath: string; imagePath: string } {
  const meta: MapMeta = {
    resolution: grid.resolution,
    origin: { ...grid.origin },
    occupiedThresh: opts.occupiedThresh ?? DEFAULT_MAP_META.occupiedThresh,
    freeThresh: opts.freeThresh ?? DEFAULT_MAP_META.freeThresh,
    negate: opts.negate ?? DEFAULT_MAP_META.negate,
    mode: opts.mode ?? DEFAULT_MAP_META.mode,
  };
  const image = encodeMapImage(grid, meta);
  const png = image.channels === 2;
  const imagePath = `${prefix}.${png ? 'png' : 'pgm'}`;
  const yamlPath = `${prefix}.yaml`;
  mkdirSync(dirname(yamlPath), { recursive: true });
  writeFileSync(imagePath, png ? encodePng(image) : encodePgm(image));
  writeFileSync(yamlPath, formatMapYaml({ ...meta, image: basename(imagePath) }));
  return { yamlPath, imagePath };
}

export type Rgb = readonly [number, number, number];

export interface MapOverlays {
  /** polylines in map metres */
  polylines?: ReadonlyArray<{ points: ReadonlyArray<Point2D>; color: Rgb }>;
  /** points in map metres, drawn as filled squares `size` pixels wide (default 3) */
  points?: ReadonlyArray<{ x: number; y: number; color: Rgb; size?: number }>;
}

/** A picture of the grid: free white, occupied black, unknown grey (in between shaded), overlays in colour. */
export function renderMapPng(grid: OccupancyGrid, overlays: MapOverlays = {}): Buffer {
  const { width, height, data } = grid;
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * width;
    for (let x = 0; x < width; x++) {
      const v = data[row + x]!;
      const g = v < 0 || v > 100 ? 128 : Math.round(255 - (v * 255) / 100);
      const i = 4 * (y * width + x);
      png.data[i] = g;
      png.data[i + 1] = g;
      png.data[i + 2] = g;
      png.data[i + 3] = 255;
    }
  }
  const put = (px: number, py: number, c: Rgb): void => {
    if (px < 0 || py < 0 || px >= width || py >= height) return;
    const i = 4 * (py * width + px);
    png.data[i] = c[0];
    png.data[i + 1] = c[1];
    png.data[i + 2] = c[2];
  };
  const toPixel = (p: Point2D): [number, number] => [
    Math.floor((p.x - grid.origin.x) / grid.resolution),
    height - 1 - Math.floor((p.y - grid.origin.y) / grid.resolution),
  ];
  for (const line of overlays.polylines ?? []) {
    for (let k = 1; k < line.points.length; k++) {
      const [x0, y0] = toPixel(line.points[k - 1]!);
      const [x1, y1] = toPixel(line.points[k]!);
      walkGridLine(x0, y0, x1, y1, (x, y) => put(x, y, line.color));
    }
    if (line.points.length === 1) put(...toPixel(line.points[0]!), line.color);
  }
  for (const p of overlays.points ?? []) {
    const [cx, cy] = toPixel(p);
    const size = p.size ?? 3;
    const lo = -Math.floor((size - 1) / 2);
    for (let dy = lo; dy < lo + size; dy++)
      for (let dx = lo; dx < lo + size; dx++) put(cx + dx, cy + dy, p.color);
  }
  return PNG.sync.write(png);
}
