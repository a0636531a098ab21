/**
 * Renders docs/mqtt.md from the topic builders and the zod payload schemas, so the document cannot drift
 * from the contract (a test compares the file with this output). Pure.
 */
import { z } from 'zod';
import {
  CommandReplySchema,
  CommandRequestSchema,
  COMMAND_NAMES,
  EventMessageSchema,
  GenericTelemetrySchema,
  MapSnapshotSchema,
  StateTelemetrySchema,
  StatusMessageSchema,
} from './messages.ts';
import {
  ALL_ROBOTS_FILTER,
  BROADCAST_FILTER,
  commandReplyTopic,
  commandTopic,
  eventsTopic,
  mapTopic,
  statusTopic,
  telemetryTopic,
} from './topics.ts';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
};

const SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && !s.properties) {
    const value = typeof s.additionalProperties === 'object' ? typeOf(s.additionalProperties) : 'any';
    return `map of ${value === '' ? 'any JSON' : value}`;
  }
  if (s.type === undefined) return 'any JSON';
  return Array.isArray(s.type) ? s.type.join(' or ') : s.type;
}

function constraints(s: JsonSchema): string {
  const out: string[] = [];
  if (s.pattern) out.push(`pattern \`${s.pattern}\``);
  if (s.propertyNames?.pattern) out.push(`keys \`${s.propertyNames.pattern}\``);
  const lo = s.minimum ?? s.exclusiveMinimum;
  const loOk = lo !== undefined && Math.abs(lo) !== SAFE;
  const hiOk = s.maximum !== undefined && Math.abs(s.maximum) !== SAFE;
  if (loOk && hiOk) out.push(`${lo} … ${s.maximum}`);
  else if (loOk) out.push(`${s.exclusiveMinimum !== undefined ? '>' : '≥'} ${lo}`);
  else if (hiOk) out.push(`≤ ${s.maximum}`);
  if (s.maxLength !== undefined) out.push(`≤ ${s.maxLength} chars`);
  if (s.maxItems !== undefined) out.push(`≤ ${s.maxItems} items`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join('; ');
}

function rows(s: JsonSchema, prefix: string, required: boolean, out: string[]): void {
  const props = s.properties ?? {};
  for (const [name, prop] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    const req = required && (s.required ?? []).includes(name);
    const cells = [
      `\`${path}\``,
      typeOf(prop),
      req ? 'yes' : 'no',
      [prop.description, constraints(prop)].filter(Boolean).join('. ').replaceAll('|', '\\|'),
    ];
    out.push(`| ${cells.join(' | ')} |`);
    if (prop.type === 'object' && prop.properties) rows(prop, `${path}.`, req, out);
  }
}

function table(schema: z.ZodType): string {
  const doc = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & {
    $ref?: string;
    $defs?: Record<string, JsonSchema>;
  };
  // A schema registered with an id comes back as a $ref to its own definition.
  const json = doc.$ref && doc.$defs ? (doc.$defs[doc.$ref.replace('#/$defs/', '')] ?? doc) : doc;
  const out = ['| field | type | required | notes |', '| --- | --- | --- | --- |'];
  rows(json, '', true, out);
  return out.join('\n');
}

function example(value: unknown): string {
  return ['```json', JSON.stringify(value, null, 2), '```'].join('\n');
}

const R = 'R';
const record = { bootId: '3f2c9a1e-boot', seq: 42, time: 1_767_225_600.25 };

/** Example payloads, each checked against its schema by the doc test. */
export const MQTT_EXAMPLES = {
  status: {
    ...record,
    seq: 1,
    state: 'online',
    firmware: 'create2-3.8.3',
    version: '0.1.0',
  },
  will: { ...record, seq: 0, state: 'offline', firmware: 'create2-3.8.3', version: '0.1.0', reason: 'will' },
  state: {
    stream: 'state',
    ...record,
    pose: { x: 1.25, y: -0.4, theta: 1.5708 },
    missionState: 'covering',
    coverage: 0.37,
    batteryPercent: 81,
    batteryVoltage: 14.7,
    linearSpeed: 0.25,
    angularSpeed: 0,
    cpuTemp: 52.5,
  },
  generic: { stream: 'power', ...record, values: { motorCurrentLeft: 0.41, motorCurrentRight: 0.39 } },
  event: {
    ...record,
    level: 'warn',
    type: 'bumper.stuck',
    message: 'left bumper pressed for 5 s',
    data: { side: 'left' },
  },
  map: {
    ...record,
    resolution: 0.05,
    width: 4,
    height: 3,
    origin: { x: -0.1, y: -0.1, theta: 0 },
    encoding: 'rle',
    cells: [-1, 4, 0, 6, 100, 2],
    pose: { x: 0, y: 0, theta: 0 },
  },
  command: {
    id: 'Vx3k9QmT2aLp',
    name: 'start',
    args: {},
    issuedAt: 1_767_225_600,
    expiresAt: 1_767_225_610,
  },
  reply: { ...record, seq: 7, id: 'Vx3k9QmT2aLp', ok: true, state: 'covering' },
} as const;

export function renderMqttDoc(): string {
  // Built with valid sentinel names, then shown with placeholders, so the table follows the builders.
  const t = (topic: string) =>
    `\`${topic.replace('/robots/rid/', `/robots/${R}/`).replace(/\/zstream$|\/zname(?=$|\/)/, (m) => (m === '/zstream' ? '/<stream>' : '/<name>'))}\``;
  return `<!-- Generated from shared/mqtt/topics.ts and shared/mqtt/messages.ts by
\`npx swath cloud mqtt-doc > docs/mqtt.md && npx prettier --write docs/mqtt.md\`.
Do not edit by hand: change the schemas and regenerate (a test checks this file). -->

# Swath MQTT contract (v1)

Robots and the cloud speak **MQTT 3.1.1** (MQTT.js \`protocolVersion: 4\`; the embedded aedes broker has no
MQTT 5). Every payload is one JSON object in UTF-8. Times are seconds since the Unix epoch (fractional),
lengths metres, angles radians (REP-103: x forward, y left, counter-clockwise), speeds m/s and rad/s.

## Identity

One robot id \`${R}\` is at once the MQTT **client id**, the MQTT **username** and, with TLS client
certificates, the certificate **CN**. Ids match \`^[a-z0-9][a-z0-9_-]{0,22}$\` (≤ 23 characters, as MQTT
3.1.1 guarantees; never \`/\`, \`+\`, \`#\` or \`$\`). Stream and command names match
\`^[a-z0-9][a-z0-9_-]{0,31}$\`.

## Topics

| topic | direction | QoS | retained | payload |
| --- | --- | --- | --- | --- |
| ${t(statusTopic('rid'))} | robot → cloud | 1 | **yes** | StatusMessage; the will is the offline status |
| ${t(telemetryTopic('rid', 'state'))} | robot → cloud | 1 | no | StateTelemetry, a few per second |
| ${t(telemetryTopic('rid', 'zstream'))} | robot → cloud | 1 | no | GenericTelemetry (any other stream) |
| ${t(eventsTopic('rid'))} | robot → cloud | 1 | no | EventMessage |
| ${t(mapTopic('rid'))} | robot → cloud | 1 | no | MapSnapshot, on change and at most one per 5 s |
| ${t(commandTopic('rid', 'zname'))} | cloud → robot | 1 | no | CommandRequest |
| ${t(commandReplyTopic('rid', 'zname'))} | robot → cloud | 1 | no | CommandReply |
| \`swath/v1/broadcast/…\` | cloud → robots | 1 | as needed | read-only for robots |

Other topics under \`swath/v1/robots/${R}/\` (e.g. OTA jobs) belong to their own contracts; the ingest ignores them.
The cloud subscribes to ${t(ALL_ROBOTS_FILTER)}; a robot subscribes to \`swath/v1/robots/${R}/cmd/+\` and may
subscribe to ${t(BROADCAST_FILTER)}.

**ACL.** A robot may publish and subscribe only inside \`swath/v1/robots/${R}/\` and read
\`swath/v1/broadcast/#\`. A subscription outside that (another robot, \`+\` or \`#\` in the robot-id position or
above, \`$SYS/#\`) is answered with SUBACK 0x80 and the connection stays; a PUBLISH outside it closes the
connection (MQTT 3.1.1 cannot refuse one PUBLISH). A connection whose client id differs from its username
(or certificate CN) is refused with CONNACK 2, so no client can take over another robot's session.

## Delivery: sequence numbers, boot ids, acknowledgements

- Every robot → cloud record carries \`bootId\` (random, chosen at each daemon start) and \`seq\` (per stream —
  each telemetry stream, \`events\`, \`map\`, \`status\` and the command replies count separately — 0 at boot,
  +1 per record). The cloud stores a record once per (robot, stream, bootId, seq): resending is always safe.
- Publish at QoS 1 and delete a record from the robot's durable outbox only after its PUBACK. The embedded
  broker sends the PUBACK **after** the record is committed to the cloud database.
- An invalid payload is counted, logged and dropped by the cloud, but still acknowledged: fix the sender,
  do not expect a retry to help.
- Turn off MQTT.js \`queueQoSZero\`; use \`clean: false\` with the stable client id to receive commands queued
  while offline (the command's \`expiresAt\` makes a late one harmless).

## Status, birth and will

On CONNECT the robot sets a **will** on ${t(statusTopic('rid'))} (QoS 1, retained) saying \`offline\` with
\`reason: "will"\`; after each CONNACK it publishes a retained **birth** saying \`online\`. In the status
stream the will takes seq 0 of the boot and the births count the connections (1, 2, …): MQTT.js reuses
the will of the first CONNECT when it reconnects, so a will may repeat. The cloud therefore takes the status
it received **last** as the robot's state (a broker publishes a dropped connection's will before it accepts
the next connection with that client id, so arrival order is the real order) and keeps the first copy of
each (bootId, seq) in its history. Before a clean shutdown the robot publishes an offline status itself
(\`reason: "shutdown"\`) and disconnects, which discards the will.

${example(MQTT_EXAMPLES.status)}

### StatusMessage

${table(StatusMessageSchema)}

## Telemetry

### StateTelemetry (\`telemetry/state\`)

${table(StateTelemetrySchema)}

${example(MQTT_EXAMPLES.state)}

### GenericTelemetry (\`telemetry/<stream>\`, any stream but \`state\`)

${table(GenericTelemetrySchema)}

${example(MQTT_EXAMPLES.generic)}

The \`stream\` field must equal the topic's \`<stream>\` level.

## Events

### EventMessage

${table(EventMessageSchema)}

${example(MQTT_EXAMPLES.event)}

## Map snapshots

An occupancy grid as \`shared/occupancy-grid.ts\` defines it (row 0 at the bottom, 0 free … 100 occupied,
-1 unknown). \`encoding: "rle"\`: \`cells\` is \`[value, count, value, count, …]\` over the row-major cells;
\`encoding: "deflate"\`: \`cells\` is the base64 of the zlib-deflated Int8 cells. \`shared/mqtt/map-codec.ts\`
has \`snapshotFromGrid\` and \`gridFromSnapshot\`. Publish on change, at most one every few seconds; keep a
snapshot well under 1 MiB (the broker has no packet size limit and buffers whole messages).

### MapSnapshot

${table(MapSnapshotSchema)}

${example(MQTT_EXAMPLES.map)}

## Commands

The cloud publishes a CommandRequest on \`cmd/<name>\` (names: ${COMMAND_NAMES.map((n) => `\`${n}\``).join(', ')})
and waits for the CommandReply on \`cmd/<name>/res\` carrying the same \`id\`. The robot ignores a request
after \`expiresAt\` (cloud clock) and answers every request it handles, \`ok: false\` with an \`error\` when it
refuses. A reply is a robot → cloud record: it has its own stream's \`bootId\` and \`seq\`.

### CommandRequest

${table(CommandRequestSchema)}

${example(MQTT_EXAMPLES.command)}

### CommandReply

${table(CommandReplySchema)}

${example(MQTT_EXAMPLES.reply)}
`;
}
