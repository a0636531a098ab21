/**
 * Who may publish and subscribe where (pure). A robot lives inside `swath/v1/robots/<its id>/` and may also
 * read `swath/v1/broadcast/…`; a wildcard can never stand in the robot-id position or above a robot's own
 * subtree, and `$SYS` is off-limits. A service principal (the cloud itself, other cloud processes) may use
 * everything under `swath/v1/`. Mosquitto equivalent: `pattern readwrite swath/v1/robots/%c/#`.
 */
import { BROADCAST_PREFIX, ROBOTS_PREFIX, TOPIC_ROOT, isValidRobotId } from '../../shared/mqtt/topics.ts';

export type PrincipalKind = 'robot' | 'service';
export interface Principal {
  id: string;
  kind: PrincipalKind;
}

/** MQTT filter syntax: '+' fills a whole level, '#' only as the whole last level. */
export function isWellFormedFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false;
    if (level.includes('+') && level !== '+') return false;
  }
  return true;
}

function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}

/** True when `filter` stays under `prefix` (which ends in '/') with at least one level after it. */
function isUnder(filter: string, prefix: string): boolean {
  return filter.startsWith(prefix) && filter.length > prefix.length;
}

export function canPublish(principal: Principal, topic: string): boolean {
  if (topic.startsWith('$') || hasWildcard(topic) || topic.length === 0) return false;
  if (principal.kind === 'service') return isUnder(topic, `${TOPIC_ROOT}/`);
  if (!isValidRobotId(principal.id)) return false;
  return isUnder(topic, `${ROBOTS_PREFIX}${principal.id}/`) && !topic.includes('//') && !topic.endsWith('/');
}

export function canSubscribe(principal: Principal, filter: string): boolean {
  if (filter.startsWith('$') || !isWellFormedFilter(filter)) return false;
  if (principal.kind === 'service') return isUnder(filter, `${TOPIC_ROOT}/`);
  if (!isValidRobotId(principal.id)) return false;
  return isUnder(filter, `${ROBOTS_PREFIX}${principal.id}/`) || isUnder(filter, BROADCAST_PREFIX);
}
