/**
 * The occupancy grid as ROS's nav_msgs/OccupancyGrid defines it: `data` is row-major from the BOTTOM row
 * (index = y·width + x), values 0 (free) … 100 (occupied) and −1 (unknown). `origin` is the map-frame pose
 * of cell (0, 0)'s lower-left corner. Mapping produces it, planning reads it, the cloud draws it.
 */
import { z } from 'zod';
import { Pose2DSchema, type Pose2D } from './geometry.ts';

export const OCCUPIED = 100;
export const FREE = 0;
export const UNKNOWN = -1;

export interface GridInfo {
  width: number;
  height: number;
  /** metres per cell */
  resolution: number;
  origin: Pose2D;
}

export interface OccupancyGrid extends GridInfo {
  data: Int8Array;
}

export const GridInfoSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  resolution: z.number().positive(),
  origin: Pose2DSchema,
});

export function createGrid(info: GridInfo, fill = UNKNOWN): OccupancyGrid {
  return { ...info, origin: { ...info.origin }, data: new Int8Array(info.width * info.height).fill(fill) };
}

/** Cell containing a map-frame point (origin yaw is assumed 0, as map_server does). */
export function worldToCell(info: GridInfo, x: number, y: number): { cx: number; cy: number } {
  return {
    cx: Math.floor((x - info.origin.x) / info.resolution),
    cy: Math.floor((y - info.origin.y) / info.resolution),
  };
}

/** Map-frame centre of a cell. */
export function cellToWorld(info: GridInfo, cx: number, cy: number): { x: number; y: number } {
  return {
    x: info.origin.x + (cx + 0.5) * info.resolution,
    y: info.origin.y + (cy + 0.5) * info.resolution,
  };
}

export function inGrid(info: GridInfo, cx: number, cy: number): boolean {
  return cx >= 0 && cy >= 0 && cx < info.width && cy < info.height;
}
