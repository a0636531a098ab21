/**
 * The costmap the daemon builds: one registration line per layer, in the order they combine (static map
 * first, live obstacles next, inflation last).
 */
import { z } from 'zod';
import type { GridInfo } from '../../../shared/occupancy-grid.ts';
import { CameraObstacleLayer } from './camera-layer.ts';
import { LayeredCostmap } from './costmap.ts';
import { InflationLayer } from './inflation-layer.ts';
import { LidarObstacleLayer } from './obstacle-layer.ts';
import { StaticLayer } from './static-layer.ts';

export const CostmapParamsSchema = z.object({
  robotRadius: z.number().positive().default(0.17).describe('m (Create 2: 0.17)'),
  inflationMargin: z
    .number()
    .nonnegative()
    .default(0.25)
    .describe('m beyond the robot radius that costs > 0'),
  costScaling: z.number().positive().default(3).describe('1/m, decay of the inflated cost'),
  lethalThreshold: z.number().int().min(1).max(100).default(65).describe('map value counted as an obstacle'),
  trackUnknown: z.boolean().default(true).describe('false: unexplored cells cost nothing'),
  obstacleRange: z.number().positive().default(2.5).describe('m, LIDAR hits closer than this are marked'),
  raytraceRange: z.number().positive().default(3).describe('m, LIDAR beams clear up to this'),
  obstacleDecay: z
    .number()
    .positive()
    .default(10)
    .describe('s a LIDAR mark no beam has hit again stays marked (the SLAM map keeps what stays)'),
  cameraDecay: z.number().positive().default(5).describe('s a camera sighting stays marked'),
});
export type CostmapParams = z.output<typeof CostmapParamsSchema>;

export interface RobotCostmap {
  costmap: LayeredCostmap;
  static: StaticLayer;
  lidar: LidarObstacleLayer;
  camera: CameraObstacleLayer;
  inflation: InflationLayer;
}

export function createRobotCostmap(
  info: GridInfo,
  input: z.input<typeof CostmapParamsSchema> = {},
): RobotCostmap {
  const p = CostmapParamsSchema.parse(input);
  const costmap = new LayeredCostmap(info);
  return {
    costmap,
    static: costmap.add(new StaticLayer(p.lethalThreshold, p.trackUnknown)),
    lidar: costmap.add(new LidarObstacleLayer(p.obstacleRange, p.raytraceRange, p.obstacleDecay)),
    camera: costmap.add(new CameraObstacleLayer(info.resolution, p.cameraDecay)),
    inflation: costmap.add(
      new InflationLayer(p.robotRadius, p.robotRadius + p.inflationMargin, p.costScaling),
    ),
  };
}
