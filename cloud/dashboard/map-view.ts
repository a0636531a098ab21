/**
 * The compact map the dashboard draws: a robot's MapSnapshot decoded once on the server, each cell reduced
 * to one of five classes (unknown, free, uncertain, occupied, swept), run-length encoded, and shrunk to at most MAX_VIEW_SIDE cells a side (a canvas
 * cannot show more), the path decimated to MAX_VIEW_PATH points. Pure.
 */
import type { Pose2D } from '../../shared/geometry.ts';
import { decodeCoveredBits, gridFromSnapshot } from '../../shared/mqtt/map-codec.ts';
import type { MapSnapshot } from '../../shared/mqtt/messages.ts';

/** Cell classes, ordered so that a larger class wins when cells are merged: an obstacle is never hidden. */
export const CELL_UNKNOWN = 0;
export const CELL_FREE = 1;
export const CELL_UNCERTAIN = 2;
export const CELL_OCCUPIED = 3;
/** free floor the tool has swept; it yields to uncertain and occupied cells when cells are merged */
export const CELL_COVERED = 4;
const MERGE_RANK = [0, 1, 3, 4, 2];

/** ROS map_server's thresholds (free below 0.25, occupied from 0.65), in percent. */
const FREE_BELOW = 25;
const OCCUPIED_FROM = 65;
export const MAX_VIEW_SIDE = 1024;
export const MAX_VIEW_PATH = 4000;

export interface MapView {
  robotId: string;
  bootId: string;
  seq: number;
  time: number;
  width: number;
  height: number;
  /** m per view cell (a multiple of the snapshot's when it was shrunk). */
  resolution: number;
  origin: Pose2D;
  /** [class, count, class, count, …] over row-major view cells, row 0 at the bottom (as the grid). */
  runs: number[];
  path: { x: number; y: number }[];
  pose: Pose2D | null;
}

export function cellClass(value: number): number {
  if (value < 0 || value > 100) return CELL_UNKNOWN;
  if (value < FREE_BELOW) return CELL_FREE;
  if (value < OCCUPIED_FROM) return CELL_UNCERTAIN;
  return CELL_OCCUPIED;
}

/** Every k-th point, always keeping the last, so at most `max` points. */
export function decimatePath<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  const step = Math.ceil(points.length / (max - 1));
  const out: T[] = [];
  for (let i = 0; i < points.length - 1; i += step) out.push(points[i]!);
  out.push(points[points.length - 1]!);
  return out;
}

/** Null when the snapshot's cells do not decode (ingest validated the shape, not the cell bytes). */
export function mapViewFromSnapshot(robotId: string, snapshot: MapSnapshot): MapView | null {
  const grid = gridFromSnapshot(snapshot);
  if (!grid) return null;
  const factor = Math.max(1, Math.ceil(Math.max(grid.width, grid.height) / MAX_VIEW_SIDE));
  const width = Math.ceil(grid.width / factor);
  const height = Math.ceil(grid.height / factor);
  const classes = new Uint8Array(width * height);
  const data = grid.data;
  const covered = snapshot.covered ? decodeCoveredBits(snapshot.covered, grid.width * grid.height) : null;
  for (let cy = 0; cy < grid.height; cy++) {
    const row = cy * grid.width;
    const viewRow = Math.floor(cy / factor) * width;
    for (let cx = 0; cx < grid.width; cx++) {
      let c = cellClass(data[row + cx]!);
      if (c === CELL_FREE && covered?.[row + cx]) c = CELL_COVERED;
      const v = viewRow + Math.floor(cx / factor);
      if (MERGE_RANK[c]! > MERGE_RANK[classes[v]!]!) classes[v] = c;
    }
  }
  const runs: number[] = [];
  let i = 0;
  while (i < classes.length) {
    const c = classes[i]!;
    let j = i + 1;
    while (j < classes.length && classes[j] === c) j++;
    runs.push(c, j - i);
    i = j;
  }
  return {
    robotId,
    bootId: snapshot.bootId,
    seq: snapshot.seq,
    time: snapshot.time,
    width,
    height,
    resolution: grid.resolution * factor,
    origin: { ...grid.origin },
    runs,
    path: decimatePath(snapshot.path ?? [], MAX_VIEW_PATH).map((p) => ({ x: p.x, y: p.y })),
    pose: snapshot.pose ? { ...snapshot.pose } : null,
  };
}
