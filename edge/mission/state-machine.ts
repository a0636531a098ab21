/**
 * The mission state machine: what the robot is doing at the top level, driven by events from the shell
 * (operator commands, and the results of the work it asked for) and answering with effects — commands the
 * shell carries out. Every legal move is one row of TRANSITIONS; anything else is rejected with a reason,
 * never thrown. The docs table and diagram are generated from the same rows (see describe()).
 *
 * Pure: transition(state, event) → { state, effects }.
 */
import { z } from 'zod';

export const MISSION_MODES = [
  'idle',
  'starting',
  'exploring',
  'covering',
  'paused',
  'returning',
  'done',
  'error',
] as const;
export type MissionMode = (typeof MISSION_MODES)[number];

/** The modes in which the robot moves on its own; pause and fault remember which one to go back to. */
export type ActiveMode = 'exploring' | 'covering' | 'returning';
const ACTIVE: ReadonlySet<MissionMode> = new Set<MissionMode>(['exploring', 'covering', 'returning']);

export const MissionEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start') }),
  z.strictObject({ type: z.literal('mapLoaded') }),
  z.strictObject({ type: z.literal('noMap') }),
  z.strictObject({ type: z.literal('explorationComplete') }),
  z.strictObject({ type: z.literal('planReady') }),
  z.strictObject({ type: z.literal('pathBlocked') }),
  z.strictObject({ type: z.literal('coverageComplete') }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('return') }),
  z.strictObject({ type: z.literal('arrivedHome') }),
  z.strictObject({ type: z.literal('fault'), reason: z.string().min(1) }),
  z.strictObject({ type: z.literal('faultCleared') }),
  z.strictObject({ type: z.literal('abort') }),
]);
export type MissionEvent = z.infer<typeof MissionEventSchema>;
export type MissionEventType = MissionEvent['type'];

/** Commands for the shell, carried out in the order given. */
export const MISSION_EFFECTS = {
  loadMap: 'load the saved map of this site; answer mapLoaded or noMap',
  startExploration: 'explore frontiers from the current pose; answer explorationComplete when none is left',
  exploreNextFrontier: 'give up the current frontier goal (blacklist it) and head for the next',
  saveMap: 'write the current map to disk',
  planCoverage: 'plan a coverage path over the map; answer planReady',
  followPlan: 'follow the coverage path; answer coverageComplete at its end, pathBlocked if stuck',
  replan: 'plan the remaining coverage from the current pose; answer planReady',
  goHome: 'plan and follow a path to the home pose; answer arrivedHome',
  stopMotors: 'stop following any path and command zero velocity',
} as const;
export type MissionEffect = keyof typeof MISSION_EFFECTS;

export interface MissionState {
  readonly mode: MissionMode;
  /** the active mode a pause or fault interrupted; resume (after faultCleared) goes back to it */
  readonly resumeTo?: ActiveMode;
  /** the reason of the last fault, while in error */
  readonly fault?: string;
}

export const INITIAL_MISSION_STATE: MissionState = Object.freeze({ mode: 'idle' });

/** Conditions on the remembered mode, for the rows that depend on it. */
const GUARDS = {
  'was exploring': (s: MissionState) => s.resumeTo === 'exploring',
  'was covering': (s: MissionState) => s.resumeTo === 'covering',
  'was returning': (s: MissionState) => s.resumeTo === 'returning',
  'mission interrupted': (s: MissionState) => s.resumeTo !== undefined,
  'no mission': (s: MissionState) => s.resumeTo === undefined,
} as const;
export type GuardName = keyof typeof GUARDS;

export interface TransitionRow {
  from: MissionMode;
  event: MissionEventType;
  guard?: GuardName;
  to: MissionMode;
  effects: readonly MissionEffect[];
}

const row = (
  from: MissionMode,
  event: MissionEventType,
  to: MissionMode,
  effects: MissionEffect[],
  guard?: GuardName,
): TransitionRow => (guard ? { from, event, guard, to, effects } : { from, event, to, effects });

/** Every legal transition. Order matters only among rows with the same (from, event): first guard wins. */
export const TRANSITIONS: readonly TransitionRow[] = [
  row('idle', 'start', 'starting', ['loadMap']),
  row('idle', 'return', 'returning', ['goHome']),
  row('starting', 'mapLoaded', 'covering', ['planCoverage']),
  row('starting', 'noMap', 'exploring', ['startExploration']),
  row('exploring', 'explorationComplete', 'covering', ['stopMotors', 'saveMap', 'planCoverage']),
  row('exploring', 'pathBlocked', 'exploring', ['exploreNextFrontier']),
  row('exploring', 'pause', 'paused', ['stopMotors']),
  row('exploring', 'return', 'returning', ['stopMotors', 'saveMap', 'goHome']),
  row('covering', 'planReady', 'covering', ['followPlan']),
  row('covering', 'pathBlocked', 'covering', ['stopMotors', 'replan']),
  row('covering', 'coverageComplete', 'returning', ['saveMap', 'goHome']),
  row('covering', 'pause', 'paused', ['stopMotors']),
  row('covering', 'return', 'returning', ['stopMotors', 'goHome']),
  row('returning', 'arrivedHome', 'done', ['stopMotors', 'saveMap']),
  row('returning', 'pathBlocked', 'returning', ['stopMotors', 'goHome']),
  row('returning', 'pause', 'paused', ['stopMotors']),
  row('paused', 'resume', 'exploring', ['startExploration'], 'was exploring'),
  row('paused', 'resume', 'covering', ['replan'], 'was covering'),
  row('paused', 'resume', 'returning', ['goHome'], 'was returning'),
  row('paused', 'return', 'returning', ['goHome']),
  row('done', 'start', 'starting', ['loadMap']),
  row('error', 'faultCleared', 'paused', [], 'mission interrupted'),
  row('error', 'faultCleared', 'idle', [], 'no mission'),
  // A fault is accepted everywhere (the hardware does not wait for a convenient moment).
  ...MISSION_MODES.map((m) => row(m, 'fault', 'error', ['stopMotors'])),
  // Abort ends any mission and returns to idle.
  ...MISSION_MODES.filter((m) => m !== 'idle').map((m) => row(m, 'abort', 'idle', ['stopMotors'])),
];

export type TransitionResult =
  | { ok: true; state: MissionState; effects: readonly MissionEffect[]; row: TransitionRow }
  | { ok: false; state: MissionState; effects: readonly []; reason: string };

/** Applies an event. Invalid events leave the state unchanged and say why. */
export function transition(state: MissionState, event: MissionEvent): TransitionResult {
  const candidates = TRANSITIONS.filter((r) => r.from === state.mode && r.event === event.type);
  const match = candidates.find((r) => r.guard === undefined || GUARDS[r.guard](state));
  if (!match) {
    const reason =
      candidates.length > 0
        ? `event '${event.type}' in state '${state.mode}': no transition applies (${candidates.map((r) => r.guard).join(', ')} all false)`
        : `event '${event.type}' is not valid in state '${state.mode}' (valid: ${validEvents(state.mode).join(', ')})`;
    return { ok: false, state, effects: [], reason };
  }
  const to = match.to;
  let resumeTo: ActiveMode | undefined;
  if (to === 'paused' || to === 'error') {
    resumeTo = ACTIVE.has(state.mode) ? (state.mode as ActiveMode) : state.resumeTo;
  }
  const next: { mode: MissionMode; resumeTo?: ActiveMode; fault?: string } = { mode: to };
  if (resumeTo) next.resumeTo = resumeTo;
  if (to === 'error') next.fault = event.type === 'fault' ? event.reason : state.fault;
  return { ok: true, state: next, effects: match.effects, row: match };
}

/** The events a mode accepts (under some guard). */
export function validEvents(mode: MissionMode): MissionEventType[] {
  return [...new Set(TRANSITIONS.filter((r) => r.from === mode).map((r) => r.event))];
}

export interface TransitionDescription {
  from: MissionMode;
  event: MissionEventType;
  guard: string;
  to: MissionMode;
  effects: string;
}

/** The transition table as text, for the docs and for status pages. */
export function describe(): TransitionDescription[] {
  return TRANSITIONS.map((r) => ({
    from: r.from,
    event: r.event,
    guard: r.guard ?? '',
    to: r.to,
    effects: r.effects.join(', '),
  }));
}

/** The transition table as a Markdown table (docs/mission.md embeds it verbatim). */
export function describeMarkdown(): string {
  const lines = ['| from | event | when | to | effects |', '|---|---|---|---|---|'];
  for (const d of describe()) {
    const effects = d.effects === '' ? '—' : d.effects;
    lines.push(`| ${d.from} | ${d.event} | ${d.guard || '—'} | ${d.to} | ${effects} |`);
  }
  return lines.join('\n');
}

/**
 * The state diagram in Mermaid (docs/mission.md embeds it verbatim). Fault and abort, legal from every
 * mode, are drawn once each from a note rather than as sixteen arrows.
 */
export function describeMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> idle'];
  for (const r of TRANSITIONS) {
    if (r.event === 'fault' || r.event === 'abort') continue;
    const label = r.guard ? `${r.event} (${r.guard})` : r.event;
    lines.push(`  ${r.from} --> ${r.to}: ${label}`);
  }
  lines.push(
    '  note right of error : fault (from any state) → error, abort (from any state but idle) → idle',
  );
  return lines.join('\n');
}
