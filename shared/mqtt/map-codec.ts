/**
 * Encoding an occupancy grid into a MapSnapshot's `cells` and back. RLE suits the mostly-unknown or
 * mostly-free maps of a fresh run and stays readable in JSON; deflate (zlib, base64) is smaller for
 * detailed maps. Pure and deterministic (zlib at a fixed level). Decoders return null on bad input.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { Pose2D } from '../geometry.ts';
import type { OccupancyGrid } from '../occupancy-grid.ts';
import type { MapSnapshot } from './messages.ts';

/** [value, count, value, count, …] over the row-major cells. */
export function encodeRle(cells: Int8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < cells.length) {
    const v = cells[i]!;
    let j = i + 1;
    while (j < cells.length && cells[j] === v) j++;
    out.push(v, j - i);
    i = j;
  }
  return out;
}

/** Null unless the runs are well-formed, values fit Int8 and the counts add up to exactly `length`. */
export function decodeRle(runs: readonly number[], length: number): Int8Array | null {
  if (runs.length % 2 !== 0) return null;
  const cells = new Int8Array(length);
  let at = 0;
  for (let k = 0; k < runs.length; k += 2) {
    const v = runs[k]!;
    const n = runs[k + 1]!;
    if (!Number.isInteger(v) || v < -128 || v > 127 || !Number.isInteger(n) || n <= 0) return null;
    if (at + n > length) return null;
    cells.fill(v, at, at + n);
    at += n;
  }
  return at === length ? cells : null;
}

export function encodeDeflate(cells: Int8Array): string {
  return deflateSync(Buffer.from(cells.buffer, cells.byteOffset, cells.byteLength), { level: 6 }).toString(
    'base64',
  );
}

export function decodeDeflate(base64: string, length: number): Int8Array | null {
  try {
    const raw = inflateSync(Buffer.from(base64, 'base64'), { maxOutputLength: length + 1 });
    if (raw.length !== length) return null;
    return new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  } catch {
    return null;
  }
}

/** A 0/1 mask (one byte per cell) as base64 of zlib(bitmask), bit i LSB-first for cell i. */
export function encodeCoveredBits(mask: Uint8Array): string {
  const bits = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) bits[i >> 3]! |= 1 << (i & 7);
  return deflateSync(bits, { level: 6 }).toString('base64');
}

/** The mask back (one byte per cell), or null when it does not decode to `length` cells. */
export function decodeCoveredBits(base64: string, length: number): Uint8Array | null {
  const bytes = Math.ceil(length / 8);
  try {
    const bits = inflateSync(Buffer.from(base64, 'base64'), { maxOutputLength: bytes + 1 });
    if (bits.length !== bytes) return null;
    const mask = new Uint8Array(length);
    for (let i = 0; i < length; i++) mask[i] = (bits[i >> 3]! >> (i & 7)) & 1;
    return mask;
  } catch {
    return null;
  }
}

export interface SnapshotRecord {
  bootId: string;
  seq: number;
  time: number;
  path?: { x: number; y: number }[];
  pose?: Pose2D;
}

export function snapshotFromGrid(
  grid: OccupancyGrid,
  record: SnapshotRecord,
  encoding: 'rle' | 'deflate' = 'deflate',
): MapSnapshot {
  return {
    bootId: record.bootId,
    seq: record.seq,
    time: record.time,
    resolution: grid.resolution,
    width: grid.width,
    height: grid.height,
    origin: { ...grid.origin },
    encoding,
    cells: encoding === 'rle' ? encodeRle(grid.data) : encodeDeflate(grid.data),
    ...(record.path ? { path: record.path } : {}),
    ...(record.pose ? { pose: record.pose } : {}),
  };
}

/** The grid a snapshot describes, or null when its cells do not decode to width × height values. */
export function gridFromSnapshot(snapshot: MapSnapshot): OccupancyGrid | null {
  const length = snapshot.width * snapshot.height;
  const data =
    snapshot.encoding === 'rle'
      ? Array.isArray(snapshot.cells)
        ? decodeRle(snapshot.cells, length)
        : null
      : typeof snapshot.cells === 'string'
        ? decodeDeflate(snapshot.cells, length)
        : null;
  if (!data) return null;
  return {
    width: snapshot.width,
    height: snapshot.height,
    resolution: snapshot.resolution,
    origin: { ...snapshot.origin },
    data,
  };
}
