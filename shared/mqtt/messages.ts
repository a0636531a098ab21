/**
 * Every MQTT payload between a robot and the cloud (JSON, UTF-8), as zod schemas: the robot validates what
 * it sends, the cloud validates what it receives, the HTTP API and docs/mqtt.md are generated from the same
 * objects. Times are seconds since the Unix epoch (robot wall clock, fractional); lengths m, angles rad.
 *
 * Every robot → cloud record carries `bootId` (random per daemon start) and `seq` (per stream, from 0 at
 * each boot, +1 per record): (robot, stream, bootId, seq) is its idempotency key, so at-least-once delivery
 * from the robot's durable outbox becomes exactly-once storage in the cloud.
 */
import { z } from 'zod';
import { Pose2DSchema } from '../geometry.ts';
import { NAME_PATTERN } from './topics.ts';

export const BootIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{4,64}$/)
  .describe('random id chosen at each daemon start (e.g. a UUID); scopes seq');
export const SeqSchema = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .describe('per-stream sequence number: 0 at boot, +1 per record');
export const TimeSchema = z.number().nonnegative().describe('s since the Unix epoch (robot wall clock)');
export const StreamNameSchema = z.string().regex(NAME_PATTERN).describe('telemetry stream name');
export const MissionStateSchema = z
  .string()
  .regex(/^[a-z][a-z_]{0,31}$/)
  .describe('mission state machine state, e.g. idle, exploring, covering, paused, returning, docked, error');

/** The fields that make a robot → cloud record idempotent. */
const recordFields = {
  bootId: BootIdSchema,
  seq: SeqSchema,
  time: TimeSchema,
};

// ---------------------------------------------------------------------------------------------------------
// status: retained; the birth says online, the will (set at CONNECT with the same bootId) says offline.

export const StatusMessageSchema = z
  .strictObject({
    ...recordFields,
    state: z.enum(['online', 'offline']),
    firmware: z.string().min(1).max(64).describe('base firmware / hardware, e.g. "create2-3.8"'),
    version: z.string().min(1).max(64).describe('swath software version on the robot'),
    reason: z.string().max(200).optional().describe('why offline: "will", "shutdown", …'),
  })
  .meta({ id: 'StatusMessage' });
export type StatusMessage = z.infer<typeof StatusMessageSchema>;

// ---------------------------------------------------------------------------------------------------------
// telemetry/<stream>

/** Extra numeric values by name, for streams beyond the standard "state" stream. */
export const NumericMapSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.number());

/** The standard stream, name "state", published a few times per second while running. */
export const StateTelemetrySchema = z
  .strictObject({
    stream: z.literal('state'),
    ...recordFields,
    pose: Pose2DSchema.describe('map frame'),
    missionState: MissionStateSchema,
    coverage: z.number().min(0).max(1).describe('covered fraction of the area to clean'),
    batteryPercent: z.number().min(0).max(100),
    batteryVoltage: z.number().min(0).max(100).describe('V'),
    linearSpeed: z.number().describe('m/s, forward positive'),
    angularSpeed: z.number().describe('rad/s, counter-clockwise positive'),
    cpuTemp: z.number().optional().describe('°C'),
    values: NumericMapSchema.optional(),
  })
  .meta({ id: 'StateTelemetry' });
export type StateTelemetry = z.infer<typeof StateTelemetrySchema>;

/** Any other stream: named numeric values only. */
export const GenericTelemetrySchema = z
  .strictObject({
    stream: StreamNameSchema.refine((s) => s !== 'state', 'the "state" stream has its own schema'),
    ...recordFields,
    values: NumericMapSchema,
  })
  .meta({ id: 'GenericTelemetry' });
export type GenericTelemetry = z.infer<typeof GenericTelemetrySchema>;

export const TelemetryMessageSchema = z
  .union([StateTelemetrySchema, GenericTelemetrySchema])
  .meta({ id: 'TelemetryMessage' });
export type TelemetryMessage = z.infer<typeof TelemetryMessageSchema>;

/** The schema for one stream: validating against it (not the union) names the failing field precisely. */
export function telemetrySchemaFor(
  stream: string,
): typeof StateTelemetrySchema | typeof GenericTelemetrySchema {
  return stream === 'state' ? StateTelemetrySchema : GenericTelemetrySchema;
}

// ---------------------------------------------------------------------------------------------------------
// events

export const EventLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type EventLevel = z.infer<typeof EventLevelSchema>;

export const EventMessageSchema = z
  .strictObject({
    ...recordFields,
    level: EventLevelSchema,
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,63}$/)
      .describe('machine-readable kind, e.g. "mission.started", "bumper.stuck"'),
    message: z.string().max(2000).describe('human-readable'),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'EventMessage' });
export type EventMessage = z.infer<typeof EventMessageSchema>;

// ---------------------------------------------------------------------------------------------------------
// map: an occupancy grid snapshot (values as shared/occupancy-grid.ts: row 0 at the bottom, 0 free … 100
// occupied, -1 unknown), published on change and at most every few seconds.

export const MAX_MAP_CELLS = 4096 * 4096;

export const MapSnapshotSchema = z
  .strictObject({
    ...recordFields,
    resolution: z.number().positive().describe('m per cell'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    origin: Pose2DSchema.describe('map-frame pose of cell (0,0) lower-left corner'),
    encoding: z
      .enum(['rle', 'deflate'])
      .describe(
        'rle: cells is [value, count, value, count, …]; deflate: cells is base64 of zlib(Int8 cells)',
      ),
    cells: z.union([z.array(z.number().int()), z.string().max(64 * 1024 * 1024)]),
    path: z
      .array(z.strictObject({ x: z.number(), y: z.number() }))
      .max(100_000)
      .optional()
      .describe('planned or driven path, map frame'),
    pose: Pose2DSchema.optional().describe('robot pose at snapshot time, map frame'),
    covered: z
      .string()
      .max(16 * 1024 * 1024)
      .optional()
      .describe(
        'cells the tool has swept: base64 of zlib(bitmask), bit i (LSB first) for cell i of the grid',
      ),
  })
  .refine((m) => m.width * m.height <= MAX_MAP_CELLS, { message: 'map too large', path: ['width'] })
  .refine((m) => (m.encoding === 'rle') === Array.isArray(m.cells), {
    message: 'rle cells are a number array, deflate cells a base64 string',
    path: ['cells'],
  })
  .meta({ id: 'MapSnapshot' });
export type MapSnapshot = z.infer<typeof MapSnapshotSchema>;

// ---------------------------------------------------------------------------------------------------------
// commands: cmd/<name> (cloud → robot) and cmd/<name>/res (robot → cloud). MQTT 3.1.1 has no response
// topic or correlation data, so both travel in the payload.

export const COMMAND_NAMES = ['start', 'pause', 'resume', 'return', 'stop', 'ping'] as const;
export const CommandNameSchema = z.enum(COMMAND_NAMES);
export type CommandName = z.infer<typeof CommandNameSchema>;

export const CorrelationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/)
  .describe('chosen by the cloud, echoed in the reply');

export const CommandArgsSchema = z.record(z.string(), z.unknown());

export const CommandRequestSchema = z
  .strictObject({
    id: CorrelationIdSchema,
    name: CommandNameSchema,
    args: CommandArgsSchema.default({}),
    issuedAt: TimeSchema.describe('s since the Unix epoch (cloud clock)'),
    expiresAt: TimeSchema.describe('the robot ignores the command after this time (cloud clock)'),
  })
  .meta({ id: 'CommandRequest' });
export type CommandRequest = z.infer<typeof CommandRequestSchema>;

export const CommandReplySchema = z
  .strictObject({
    ...recordFields,
    id: CorrelationIdSchema,
    ok: z.boolean(),
    error: z.string().max(500).optional().describe('why the command was refused or failed'),
    state: MissionStateSchema.optional().describe('mission state after handling the command'),
  })
  .meta({ id: 'CommandReply' });
export type CommandReply = z.infer<typeof CommandReplySchema>;

/** The payload kinds the cloud ingests, by topic kind; names label metrics. */
export const ROBOT_MESSAGE_SCHEMAS = {
  status: StatusMessageSchema,
  telemetry: TelemetryMessageSchema,
  events: EventMessageSchema,
  map: MapSnapshotSchema,
  commandReply: CommandReplySchema,
} as const;
export type RobotMessageKind = keyof typeof ROBOT_MESSAGE_SCHEMAS;
