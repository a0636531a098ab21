/**
 * The world file: the static geometry of a home or office the simulator drives in, its floors and the people
 * and pets walking through it. Every length in metres, every angle in radians, REP-103 map frame (x east,
 * y north, counter-clockwise angles). The LIDAR height is not here: the robot config owns it.
 */
import { z } from 'zod';
import { Pose2DSchema } from '../../../shared/geometry.ts';
import { loadYamlFile, parseOrThrow } from '../../../shared/validate.ts';

const finite = z.number().finite();
const positive = (unit: string) => z.number().positive().finite().describe(unit);

/** A point written as [x, y]. */
export const PointSchema = z.tuple([finite, finite]);
export type WorldPoint = z.infer<typeof PointSchema>;

const polygon = z.array(PointSchema).min(3, 'a polygon needs at least 3 points');

/** Tallest low obstacle: it must stay under a LIDAR plane of about 0.1 m. */
export const LOW_OBSTACLE_MAX_HEIGHT = 0.09;

export const WallSchema = z.strictObject({
  id: z.string().min(1).optional(),
  /** The wall's centre line; consecutive points are joined. */
  points: z.array(PointSchema).min(2, 'a wall needs at least 2 points'),
  /** Joins the last point back to the first (a room outline). */
  closed: z.boolean().default(false),
  thickness: positive('m').default(0.1),
  height: positive('m').default(2.5),
});

export const FURNITURE_KINDS = ['solid', 'table', 'chair', 'sofa', 'bed', 'cabinet'] as const;

const furnitureCommon = {
  id: z.string().min(1).optional(),
  /**
   * solid / cabinet: a block from the floor up. table / chair: a top (or seat) on legs at the corners, so a
   * LIDAR below the top sees only the legs. sofa / bed: a body on short legs with `clearance` under it.
   */
  kind: z.enum(FURNITURE_KINDS).default('solid'),
  x: finite.describe('m, centre'),
  y: finite.describe('m, centre'),
  height: positive('m, top above the floor'),
  /** table/chair: thickness of the top; ignored otherwise. */
  topThickness: positive('m').default(0.04),
  /** sofa/bed: the gap between the floor and the body; table/chair: ignored. */
  clearance: z.number().min(0).finite().optional().describe('m'),
  /** Side of the square legs (table, chair, sofa, bed). */
  legSize: positive('m').default(0.05),
};

export const RectFurnitureSchema = z.strictObject({
  ...furnitureCommon,
  shape: z.literal('rect'),
  width: positive('m, along the rotated x axis'),
  depth: positive('m, along the rotated y axis'),
  rotation: finite.default(0).describe('rad, counter-clockwise'),
});

export const CircleFurnitureSchema = z.strictObject({
  ...furnitureCommon,
  shape: z.literal('circle'),
  radius: positive('m'),
});

/** `shape` defaults to rect; a discriminated union so errors name the field inside the chosen shape. */
const defaultShapeRect = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !('shape' in v) ? { ...v, shape: 'rect' } : v;

export const FurnitureSchema = z
  .preprocess(defaultShapeRect, z.discriminatedUnion('shape', [CircleFurnitureSchema, RectFurnitureSchema]))
  .refine((f) => (f.kind !== 'table' && f.kind !== 'chair') || f.topThickness < f.height, {
    message: 'topThickness must be less than height',
    path: ['topThickness'],
  })
  .refine((f) => f.clearance === undefined || f.clearance < f.height, {
    message: 'clearance must be less than height',
    path: ['clearance'],
  });

export const LOW_OBSTACLE_KINDS = ['shoe', 'toy', 'cable', 'sock', 'box'] as const;

const lowHeight = z
  .number()
  .positive()
  .max(LOW_OBSTACLE_MAX_HEIGHT, `a low obstacle must be at most ${LOW_OBSTACLE_MAX_HEIGHT} m high`);

export const LowObstacleSchema = z.preprocess(
  defaultShapeRect,
  z.discriminatedUnion('shape', [
    z.strictObject({
      id: z.string().min(1).optional(),
      kind: z.enum(LOW_OBSTACLE_KINDS),
      shape: z.literal('rect'),
      x: finite,
      y: finite,
      width: positive('m'),
      depth: positive('m'),
      rotation: finite.default(0),
      height: lowHeight,
    }),
    z.strictObject({
      id: z.string().min(1).optional(),
      kind: z.enum(LOW_OBSTACLE_KINDS),
      shape: z.literal('circle'),
      x: finite,
      y: finite,
      radius: positive('m'),
      height: lowHeight,
    }),
    z.strictObject({
      id: z.string().min(1).optional(),
      kind: z.enum(LOW_OBSTACLE_KINDS),
      /** A cable lying on the floor along a polyline. */
      shape: z.literal('polyline'),
      points: z.array(PointSchema).min(2),
      width: positive('m').default(0.01),
      height: lowHeight.default(0.01),
    }),
  ]),
);

export const FLOOR_TYPES = ['wood', 'tile', 'carpet', 'rug', 'concrete', 'laminate'] as const;
export const FloorTypeSchema = z.enum(FLOOR_TYPES);
export type FloorType = z.infer<typeof FloorTypeSchema>;

export const FloorSchema = z.strictObject({
  type: FloorTypeSchema,
  /** Later floors lie on top of earlier ones (a rug on a wooden floor). */
  polygon,
});

export const MOVING_KINDS = ['person', 'pet'] as const;

export const MovingObstacleSchema = z.strictObject({
  id: z.string().min(1).optional(),
  kind: z.enum(MOVING_KINDS),
  radius: positive('m'),
  height: positive('m'),
  /** Waypoints walked in order at `speed`. */
  path: z.array(PointSchema).min(2, 'a path needs at least 2 waypoints'),
  speed: positive('m/s'),
  /** loop: back to the first waypoint and again; pingpong: back along the path. */
  mode: z.enum(['loop', 'pingpong']).default('pingpong'),
  /** Stands at the first waypoint until this clock time. */
  startDelay: z.number().min(0).default(0).describe('s'),
});

export const CliffSchema = z.strictObject({
  id: z.string().min(1).optional(),
  polygon,
});

export const WorldSchema = z.strictObject({
  name: z.string().min(1).default('world'),
  description: z.string().optional(),
  start: Pose2DSchema.default({ x: 0, y: 0, theta: 0 }),
  defaultFloor: FloorTypeSchema.default('wood'),
  walls: z.array(WallSchema).default([]),
  furniture: z.array(FurnitureSchema).default([]),
  lowObstacles: z.array(LowObstacleSchema).default([]),
  floors: z.array(FloorSchema).default([]),
  movingObstacles: z.array(MovingObstacleSchema).default([]),
  cliffs: z.array(CliffSchema).default([]),
});

export type WorldSpec = z.infer<typeof WorldSchema>;
export type WallSpec = z.infer<typeof WallSchema>;
export type FurnitureSpec = z.infer<typeof FurnitureSchema>;
export type LowObstacleSpec = z.infer<typeof LowObstacleSchema>;
export type MovingObstacleSpec = z.infer<typeof MovingObstacleSchema>;
export type FurnitureKind = (typeof FURNITURE_KINDS)[number];
export type LowObstacleKind = (typeof LOW_OBSTACLE_KINDS)[number];
export type MovingKind = (typeof MOVING_KINDS)[number];

/** Validates an in-memory world (a preset, a test fixture); errors name `source` and the field. */
export function parseWorld(value: unknown, source: string): WorldSpec {
  return parseOrThrow(WorldSchema, value, source);
}

/** Reads and validates a world file (YAML or JSON). */
export function loadWorldFile(file: string): WorldSpec {
  return loadYamlFile(WorldSchema, file);
}
