/**
 * A map as the dashboard receives it: the OccupancyGrid's geometry plus its cells run-length encoded as a
 * flat [value, count, value, count, …] array (rows from the bottom, like the grid). A 400 × 400 map of
 * corridors is a few kilobytes of JSON instead of 160 000 numbers. The robot encodes it, the cloud validates it.
 */
import { z } from 'zod';
import { Pose2DSchema } from './geometry.ts';

export const MAP_SNAPSHOT_ENCODING = 'rle-v1';

export const MapSnapshotSchema = z
  .object({
    encoding: z.literal(MAP_SNAPSHOT_ENCODING),
    width: z.number().int().positive().max(100_000),
    height: z.number().int().positive().max(100_000),
    resolution: z.number().positive().describe('m per cell'),
    origin: Pose2DSchema.describe("map-frame pose of cell (0, 0)'s lower-left corner"),
    runs: z
      .array(z.number().int())
      .refine((r) => r.length % 2 === 0, 'runs must hold [value, count] pairs')
      .describe('[value, count, …]: value −1 (unknown) or 0…100, count ≥ 1'),
    /** clock time the map was taken (s) */
    stamp: z.number().optional(),
    mapId: z.string().max(64).optional(),
  })
  .superRefine((s, ctx) => {
    let total = 0;
    for (let i = 0; i < s.runs.length; i += 2) {
      const value = s.runs[i]!;
      const count = s.runs[i + 1]!;
      if (value < -1 || value > 100) {
        ctx.addIssue({ code: 'custom', path: ['runs', i], message: `cell value ${value} outside −1…100` });
        return;
      }
      if (count < 1) {
        ctx.addIssue({ code: 'custom', path: ['runs', i + 1], message: `run length ${count} must be ≥ 1` });
        return;
      }
      total += count;
    }
    if (total !== s.width * s.height)
      ctx.addIssue({
        code: 'custom',
        path: ['runs'],
        message: `runs cover ${total} cells, the grid has ${s.width * s.height}`,
      });
  });
export type MapSnapshot = z.infer<typeof MapSnapshotSchema>;
