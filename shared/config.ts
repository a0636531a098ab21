/**
 * The robot config file (YAML): what hardware this robot has and how it is mounted. Every length is in
 * metres, every angle in radians, every speed in m/s or rad/s; poses are REP-103 poses in base_link.
 */
import { z } from 'zod';
import { Pose2DSchema } from './geometry.ts';
import { ROBOT_ID_PATTERN } from './mqtt/topics.ts';
import { loadYamlFile } from './validate.ts';

const positive = (unit: string) => z.number().positive().describe(unit);

export const LIDAR_MODELS = ['A1M8', 'A2M8', 'A2M7', 'A2M12', 'A3', 'S1', 'S2', 'S3', 'C1'] as const;
export const LidarModelSchema = z.enum(LIDAR_MODELS);
export type LidarModel = z.infer<typeof LidarModelSchema>;

export const SerialPortConfigSchema = z.strictObject({
  path: z.string().min(1).describe('device path, e.g. /dev/rplidar'),
  baudRate: z.number().int().positive().optional().describe('omit to use the model default or probe'),
});

/** A sensor's mounting pose in base_link; `height` is its default height above the floor. */
export const mountSchema = (height: number) =>
  z.strictObject({
    x: z.number().default(0).describe('m, forward of base_link'),
    y: z.number().default(0).describe('m, left of base_link'),
    z: z.number().min(0).default(height).describe('m, above the floor'),
    yaw: z.number().default(0).describe('rad, counter-clockwise; π when the LIDAR cable faces forward'),
  });

export const LidarConfigSchema = z.strictObject({
  model: LidarModelSchema.default('A1M8').describe(
    'RPLIDAR model: sets baud rate, motor control, sample rate',
  ),
  serial: SerialPortConfigSchema,
  mount: mountSchema(0.1).default({ x: 0, y: 0, z: 0.1, yaw: 0 }),
  scanMode: z
    .enum(['standard', 'express', 'dense'])
    .default('express')
    .describe('standard nodes (0x81), legacy express capsules (0x82) or dense capsules (0x85)'),
  motorPwm: z.number().int().min(0).max(1023).default(660).describe('A2/A3 motor PWM (0–1023)'),
  minRange: z.number().nonnegative().default(0.15).describe('m'),
  maxRange: positive('m').default(12),
});

export const CameraConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('false on robots without a camera'),
  command: z.string().default('rpicam-vid').describe('capture program, spawned without a shell'),
  width: z
    .number()
    .int()
    .positive()
    .multipleOf(64, 'width must be a multiple of 64 (row stride)')
    .default(640),
  height: z.number().int().positive().default(480).describe('px'),
  framerate: z.number().positive().default(10).describe('frames/s'),
  sensorMode: z.string().optional().describe('rpicam-vid --mode, pins the field of view'),
  intrinsics: z
    .strictObject({ fx: positive('px'), fy: positive('px'), cx: z.number(), cy: z.number() })
    .default({ fx: 530, fy: 530, cx: 320, cy: 240 }),
  mount: mountSchema(0.2)
    .extend({ pitch: z.number().default(0.17).describe('rad, downward') })
    .default({
      x: 0.12,
      y: 0,
      z: 0.2,
      yaw: 0,
      pitch: 0.17,
    }),
});

export const BaseConfigSchema = z.strictObject({
  type: z.enum(['create2', 'diy']).describe('iRobot Create 2 Open Interface, or the DIY line protocol'),
  serial: SerialPortConfigSchema,
  wheelBase: positive('m, distance between the wheels').default(0.235),
  wheelDiameter: positive('m').default(0.072),
  countsPerRevolution: positive('encoder counts per wheel revolution').default(508.8),
});

export const LimitsSchema = z.strictObject({
  maxLinearSpeed: positive('m/s').max(0.5).default(0.3),
  maxAngularSpeed: positive('rad/s').default(1.5),
  maxLinearAccel: positive('m/s²').default(0.5),
});

export const FleetLinkConfigSchema = z.strictObject({
  url: z
    .string()
    .regex(/^mqtts?:\/\/[^\s]+$/, 'an mqtt:// or mqtts:// URL')
    .describe('the cloud’s MQTT broker'),
  passwordFile: z.string().min(1).describe('file holding the robot’s MQTT password (from POST /api/robots)'),
  caFile: z.string().optional().describe('CA certificate for mqtts://'),
  certFile: z.string().optional().describe('client certificate for mqtts:// (CN = robot id)'),
  keyFile: z.string().optional().describe('client key for mqtts://'),
  telemetryPeriod: z.number().positive().default(1).describe('s between state telemetry messages'),
  mapPeriod: z.number().positive().default(5).describe('s between map snapshots'),
  outboxMaxBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024)
    .describe('bytes of unsent telemetry and events kept on disk'),
});

/** Ids of stored maps: they name a directory. */
export const MAP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const RobotConfigSchema = z.strictObject({
  robotId: z
    .string()
    .regex(
      ROBOT_ID_PATTERN,
      'robot id: 1–23 lowercase letters, digits, _ or -, starting with a letter or digit',
    )
    .default('robot-1')
    .describe('fleet id: MQTT client id and username'),
  lidar: LidarConfigSchema,
  camera: CameraConfigSchema.default(CameraConfigSchema.parse({})),
  base: BaseConfigSchema,
  robotRadius: positive('m, radius of the circle enclosing the body').default(0.17),
  toolWidth: positive('m, width of the cleaning tool, centred on the robot').default(0.3),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  dataDir: z.string().default('/var/lib/swath').describe('maps, outbox and logs'),
  mapId: z
    .string()
    .regex(MAP_ID_PATTERN, 'map id: 1–64 letters, digits, _ or -, starting with a letter or digit')
    .default('home')
    .describe(
      'the site’s stored map, in dataDir/maps/<mapId>: loaded and relocalized on, or explored and saved',
    ),
  initialPose: Pose2DSchema.optional().describe('pose in the saved map at start-up, if known'),
  fleet: FleetLinkConfigSchema.optional().describe('connect to a Swath cloud service; omit to run alone'),
});

export type RobotConfig = z.infer<typeof RobotConfigSchema>;
export type LidarConfig = z.infer<typeof LidarConfigSchema>;
export type CameraConfig = z.infer<typeof CameraConfigSchema>;
export type BaseConfig = z.infer<typeof BaseConfigSchema>;
export type FleetLinkConfig = z.infer<typeof FleetLinkConfigSchema>;

/** Reads and validates a robot config file; throws a UserInputError naming the file and the field. */
export function loadRobotConfig(file: string): RobotConfig {
  return loadYamlFile(RobotConfigSchema, file);
}
