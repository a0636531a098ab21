/** HTTP request and response shapes, built from the shared MQTT schemas so both describe the same data. */
import { z } from 'zod';
import { Pose2DSchema } from '../../shared/geometry.ts';
import {
  CommandArgsSchema,
  CommandNameSchema,
  CommandReplySchema,
  CommandRequestSchema,
  EventMessageSchema,
  MapSnapshotSchema,
  StatusMessageSchema,
} from '../../shared/mqtt/messages.ts';
import { ROBOT_ID_PATTERN } from '../../shared/mqtt/topics.ts';
import { RoleSchema } from '../auth/tokens.ts';

export const ErrorSchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

export const RobotIdSchema = z
  .string()
  .regex(ROBOT_ID_PATTERN, '1–23 of a-z 0-9 - _, starting with a letter or digit')
  .describe('robot id = MQTT client id = username');
export const RobotParamsSchema = z.object({ id: RobotIdSchema });

export const RobotSummarySchema = z
  .object({
    id: RobotIdSchema,
    name: z.string(),
    createdAt: z.number(),
    online: z.boolean(),
    lastSeen: z.number().nullable().describe('s since the epoch, cloud clock, of the last message'),
    status: StatusMessageSchema.nullable().describe('the latest status message'),
  })
  .meta({ id: 'RobotSummary' });

export const RegisterRobotBodySchema = z.strictObject({
  id: RobotIdSchema,
  name: z.string().min(1).max(100).optional(),
});

export const RobotCredentialsSchema = z
  .object({
    robot: RobotSummarySchema,
    mqtt: z.object({
      urls: z.array(z.string()),
      clientId: z.string(),
      username: z.string(),
      password: z.string().describe('shown only in this response; the cloud keeps a scrypt hash'),
    }),
  })
  .meta({ id: 'RobotCredentials' });

const timeQuery = {
  from: z.coerce.number().nonnegative().optional().describe('s since the epoch (default: 24 h ago)'),
  to: z.coerce.number().nonnegative().optional().describe('s since the epoch (default: now)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
};

export const TelemetryQuerySchema = z.strictObject({
  ...timeQuery,
  stream: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/)
    .optional(),
});

export const EventsQuerySchema = z.strictObject(timeQuery);

export const TelemetrySampleSchema = z
  .object({
    stream: z.string(),
    time: z.number().describe('robot time; the minute start for averaged rows'),
    receivedAt: z.number().nullable(),
    samples: z.number().int().describe('1 for a raw record, else the records averaged into this minute'),
    bootId: z.string().nullable(),
    seq: z.number().int().nullable(),
    pose: Pose2DSchema.nullable(),
    missionState: z.string().nullable(),
    coverage: z.number().nullable(),
    batteryPercent: z.number().nullable(),
    batteryVoltage: z.number().nullable(),
    linearSpeed: z.number().nullable(),
    angularSpeed: z.number().nullable(),
    cpuTemp: z.number().nullable(),
    values: z.record(z.string(), z.number()).nullable(),
  })
  .meta({ id: 'TelemetrySample' });

export const StoredEventSchema = EventMessageSchema.extend({ receivedAt: z.number() }).meta({
  id: 'StoredEvent',
});

export const MapResponseSchema = MapSnapshotSchema;

export const SendCommandBodySchema = z.strictObject({
  name: CommandNameSchema,
  args: CommandArgsSchema.default({}),
  timeoutSeconds: z.number().positive().max(300).optional().describe('wait this long for the reply'),
});

export const CommandResultSchema = z
  .object({ request: CommandRequestSchema, reply: CommandReplySchema })
  .meta({ id: 'CommandResult' });

export const CreateTokenBodySchema = z.strictObject({
  role: RoleSchema,
  label: z.string().min(1).max(100),
});

export const CreatedTokenSchema = z
  .object({
    id: z.string(),
    role: RoleSchema,
    label: z.string(),
    token: z.string().describe('shown only in this response; the cloud keeps its SHA-256'),
  })
  .meta({ id: 'CreatedToken' });
