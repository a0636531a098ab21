/**
 * Where a mission's time goes: each control tick is put in one activity, and the clock time until the next
 * tick is counted to it. A mission that takes too long shows here whether the robot drove slowly, turned on
 * the spot, stood behind its safety gate, waited for someone to pass or backed out of tight spots — the
 * figures that say which part of the stack to make faster.
 *
 * Pure: the classification is a function of the tick's state; the tally is a value.
 */
import type { FollowerStatus } from '../control/path-follower.ts';
import type { SafetyAction } from '../control/safety-gate.ts';

export const ACTIVITIES = [
  'driving',
  'slowed',
  'turning',
  'stopped',
  'waiting',
  'recovering',
  'idle',
] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** What each activity means, for reports and docs. */
export const ACTIVITY_MEANINGS: Record<Activity, string> = {
  driving: 'following a path at the speed the follower chose',
  slowed: 'following a path, slowed by the safety gate for something near',
  turning: 'rotating in place onto a path',
  stopped: 'the safety gate stopping a motion the follower asked for',
  waiting: 'standing for someone to pass (a hold, or a wait before replanning)',
  recovering: 'backing off, moving to open floor or out of a pocket',
  idle: 'no motion asked for: planning, between paths, or the path just ended or blocked',
};

export interface ActivityInput {
  /** the daemon's task kind */
  task: string;
  /** the follower's status this tick; undefined without a path */
  follower: FollowerStatus | undefined;
  /** a hold for someone passing is in force */
  holding: boolean;
  /** what the safety gate did with this tick's command */
  gate: SafetyAction;
  /** the command asked for motion */
  moving: boolean;
}

const RECOVERY_TASKS = new Set(['recover', 'escape', 'clear']);

export function classifyActivity(input: ActivityInput): Activity {
  if (RECOVERY_TASKS.has(input.task)) return 'recovering';
  if (input.task === 'wait' || input.holding) return 'waiting';
  if (input.gate === 'stop' && input.moving) return 'stopped';
  if (!input.moving || input.follower === undefined) return 'idle';
  if (input.follower === 'rotating' || input.follower === 'aligning') return 'turning';
  if (input.follower !== 'following') return 'idle';
  return input.gate === 'slow' ? 'slowed' : 'driving';
}

export type ActivityTime = Record<Activity, number>;

export function emptyActivityTime(): ActivityTime {
  return Object.fromEntries(ACTIVITIES.map((a) => [a, 0])) as ActivityTime;
}

/** The tally with `dt` seconds more of `activity`. */
export function addActivityTime(tally: ActivityTime, activity: Activity, dt: number): ActivityTime {
  if (!(dt > 0)) return tally;
  return { ...tally, [activity]: tally[activity] + dt };
}

/** "driving 612 s (48 %), turning 301 s (23 %), …", largest first. */
export function formatActivityTime(time: ActivityTime): string {
  const total = ACTIVITIES.reduce((sum, a) => sum + time[a], 0);
  return [...ACTIVITIES]
    .sort((a, b) => time[b] - time[a])
    .map((a) => `${a} ${time[a].toFixed(0)} s (${total > 0 ? Math.round((100 * time[a]) / total) : 0} %)`)
    .join(', ');
}
