/**
 * The MQTT topic layout spoken by robots and the cloud (version 1). One robot id R is at once the MQTT
 * client id, the MQTT username and the certificate CN, and owns the subtree `swath/v1/robots/R/`.
 *
 *   swath/v1/robots/R/status                 robot → cloud, retained, QoS 1; the will says "offline"
 *   swath/v1/robots/R/telemetry/<stream>     robot → cloud, QoS 1
 *   swath/v1/robots/R/events                 robot → cloud, QoS 1
 *   swath/v1/robots/R/map                    robot → cloud, QoS 1, on change and at most one per few seconds
 *   swath/v1/robots/R/cmd/<name>             cloud → robot, QoS 1
 *   swath/v1/robots/R/cmd/<name>/res         robot → cloud, QoS 1
 *   swath/v1/broadcast/...                   cloud → every robot, read-only for robots
 *
 * Pure: builders throw on an invalid id or name (a programming error); parseTopic never throws.
 */

export const TOPIC_ROOT = 'swath/v1';
export const ROBOTS_PREFIX = `${TOPIC_ROOT}/robots/`;
export const BROADCAST_PREFIX = `${TOPIC_ROOT}/broadcast/`;
/** Every robot's every topic: what the cloud's ingest subscribes to. */
export const ALL_ROBOTS_FILTER = `${TOPIC_ROOT}/robots/+/#`;
export const BROADCAST_FILTER = `${TOPIC_ROOT}/broadcast/#`;

/**
 * Robot ids: 1–23 characters (MQTT 3.1.1 guarantees client ids up to 23 bytes), lowercase letters, digits,
 * '-' and '_', starting with a letter or digit. No '/', '+', '#' or '$', so an id is always one topic level.
 */
export const ROBOT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,22}$/;
/** Telemetry stream and command names: one topic level, 1–32 characters. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function isValidRobotId(id: string): boolean {
  return ROBOT_ID_PATTERN.test(id);
}

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

function checkId(id: string): string {
  if (!ROBOT_ID_PATTERN.test(id)) throw new RangeError(`invalid robot id "${id}"`);
  return id;
}

function checkName(kind: string, name: string): string {
  if (!NAME_PATTERN.test(name)) throw new RangeError(`invalid ${kind} name "${name}"`);
  return name;
}

export const robotPrefix = (id: string): string => `${ROBOTS_PREFIX}${checkId(id)}/`;
/** The filter covering one robot's whole subtree. */
export const robotFilter = (id: string): string => `${robotPrefix(id)}#`;
export const statusTopic = (id: string): string => `${robotPrefix(id)}status`;
export const telemetryTopic = (id: string, stream: string): string =>
  `${robotPrefix(id)}telemetry/${checkName('stream', stream)}`;
export const eventsTopic = (id: string): string => `${robotPrefix(id)}events`;
export const mapTopic = (id: string): string => `${robotPrefix(id)}map`;
export const commandTopic = (id: string, name: string): string =>
  `${robotPrefix(id)}cmd/${checkName('command', name)}`;
export const commandReplyTopic = (id: string, name: string): string => `${commandTopic(id, name)}/res`;
/** The filter a robot subscribes to for its commands. */
export const commandFilter = (id: string): string => `${robotPrefix(id)}cmd/+`;

/** A broadcast topic; `path` is one or more plain levels, e.g. "announce" or "fleet/pause". */
export function broadcastTopic(path: string): string {
  const levels = path.split('/');
  for (const level of levels) checkName('broadcast level', level);
  return `${BROADCAST_PREFIX}${path}`;
}

export type ParsedTopic =
  | { kind: 'status'; robotId: string }
  | { kind: 'telemetry'; robotId: string; stream: string }
  | { kind: 'events'; robotId: string }
  | { kind: 'map'; robotId: string }
  | { kind: 'command'; robotId: string; name: string }
  | { kind: 'commandReply'; robotId: string; name: string }
  /** Inside a robot's subtree but not one of the topics above (e.g. OTA job topics owned elsewhere). */
  | { kind: 'other'; robotId: string; rest: string[] }
  | { kind: 'broadcast'; path: string[] };

/** Classifies a concrete topic (no wildcards); null when it is outside `swath/v1/` or malformed. */
export function parseTopic(topic: string): ParsedTopic | null {
  if (topic.startsWith(BROADCAST_PREFIX)) {
    const path = topic.slice(BROADCAST_PREFIX.length).split('/');
    if (path.some((level) => level === '' || level.includes('+') || level.includes('#'))) return null;
    return { kind: 'broadcast', path };
  }
  if (!topic.startsWith(ROBOTS_PREFIX)) return null;
  const levels = topic.slice(ROBOTS_PREFIX.length).split('/');
  const robotId = levels[0]!;
  if (!ROBOT_ID_PATTERN.test(robotId) || levels.length < 2) return null;
  const rest = levels.slice(1);
  if (rest.some((level) => level === '' || level.includes('+') || level.includes('#'))) return null;
  const [a, b, c] = rest;
  if (rest.length === 1) {
    if (a === 'status') return { kind: 'status', robotId };
    if (a === 'events') return { kind: 'events', robotId };
    if (a === 'map') return { kind: 'map', robotId };
  } else if (rest.length === 2) {
    if (a === 'telemetry' && NAME_PATTERN.test(b!)) return { kind: 'telemetry', robotId, stream: b! };
    if (a === 'cmd' && NAME_PATTERN.test(b!)) return { kind: 'command', robotId, name: b! };
  } else if (rest.length === 3 && a === 'cmd' && c === 'res' && NAME_PATTERN.test(b!)) {
    return { kind: 'commandReply', robotId, name: b! };
  }
  return { kind: 'other', robotId, rest };
}
