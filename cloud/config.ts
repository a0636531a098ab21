/**
 * The cloud service's config file (YAML or JSON). Ports 0 pick a free port (tests); everything binds to
 * loopback unless told otherwise.
 */
import { z } from 'zod';
import { loadYamlFile } from '../shared/validate.ts';

const port = z.number().int().min(0).max(65535);

export const TlsConfigSchema = z.strictObject({
  key: z.string().min(1).describe('PEM private key file of the broker'),
  cert: z.string().min(1).describe('PEM certificate file of the broker'),
  ca: z.string().min(1).describe('PEM file of the private CA that signs robot certificates'),
  requestCert: z
    .boolean()
    .default(true)
    .describe('ask robots for a client certificate; its CN must equal the robot id'),
  requireClientCert: z
    .boolean()
    .default(false)
    .describe('refuse TLS connections without a CA-signed client certificate'),
});
export type TlsConfig = z.infer<typeof TlsConfigSchema>;

export const ExternalBrokerConfigSchema = z.strictObject({
  url: z.string().regex(/^mqtts?:\/\//, 'mqtt:// or mqtts:// URL'),
  username: z.string().min(1).default('swath-cloud'),
  password: z.string().optional().describe('the service principal password'),
  clientId: z.string().min(1).max(23).default('swath-cloud'),
  ca: z.string().optional().describe('PEM file to trust for mqtts://'),
  passwordFile: z
    .string()
    .optional()
    .describe('mosquitto password_file: a registered robot is appended to it (then send mosquitto SIGHUP)'),
});
export type ExternalBrokerConfig = z.infer<typeof ExternalBrokerConfigSchema>;

export const RetentionConfigSchema = z.strictObject({
  rawHours: z.number().positive().default(48).describe('keep raw telemetry this long'),
  downsampledDays: z.number().positive().default(90).describe('keep 1-minute averages this long'),
  eventsDays: z.number().positive().default(90),
  mapsPerRobot: z.number().int().positive().default(20).describe('map snapshots kept per robot'),
  intervalSeconds: z.number().positive().default(300).describe('how often the retention job runs'),
});
export type RetentionConfig = z.infer<typeof RetentionConfigSchema>;

export const CloudConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1').describe('bind address of every listener'),
  httpPort: port.default(8080),
  mqttPort: port.default(1883).describe('plain MQTT (embedded broker); omit tls to serve only this'),
  mqttTlsPort: port.default(8883),
  tls: TlsConfigSchema.optional().describe('serve MQTT over TLS too (embedded broker)'),
  externalBroker: ExternalBrokerConfigSchema.optional().describe(
    'use this broker instead of the embedded one; robot auth and ACL are then that broker’s job',
  ),
  dbPath: z.string().default('swath-cloud.db').describe('SQLite file; ":memory:" for tests'),
  ingest: z
    .strictObject({
      flushMs: z.number().positive().default(5).describe('commit a batch at least this often'),
      maxBatch: z.number().int().positive().default(2000).describe('or when this many rows wait'),
    })
    .default({ flushMs: 5, maxBatch: 2000 }),
  retention: RetentionConfigSchema.default({
    rawHours: 48,
    downsampledDays: 90,
    eventsDays: 90,
    mapsPerRobot: 20,
    intervalSeconds: 300,
  }),
  commandTimeoutSeconds: z.number().positive().default(10).describe('wait this long for a robot’s reply'),
  drainTimeoutMs: z.number().int().positive().default(10_000).describe('drop a subscriber that stalls'),
  bootstrapAdminToken: z
    .string()
    .min(24)
    .optional()
    .describe('admin API token installed at first start; if absent one is generated and printed once'),
  servicePassword: z
    .string()
    .min(16)
    .optional()
    .describe('password of the "swath-cloud" MQTT service principal on the embedded broker'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type CloudConfig = z.infer<typeof CloudConfigSchema>;
export type CloudConfigInput = z.input<typeof CloudConfigSchema>;

export function loadCloudConfig(file: string | undefined): CloudConfig {
  if (file === undefined) return CloudConfigSchema.parse({});
  return loadYamlFile(CloudConfigSchema, file);
}
