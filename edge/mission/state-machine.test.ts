import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe as suite, it } from 'node:test';
import {
  describe,
  describeMarkdown,
  describeMermaid,
  INITIAL_MISSION_STATE,
  MISSION_MODES,
  MissionEventSchema,
  transition,
  TRANSITIONS,
  validEvents,
  type MissionEvent,
  type MissionEventType,
  type MissionState,
} from './state-machine.ts';

const EVENT_TYPES: MissionEventType[] = MissionEventSchema.options.map((o) => o.shape.type.value);
const eventOf = (type: MissionEventType): MissionEvent =>
  type === 'fault' ? { type, reason: 'motor overcurrent' } : ({ type } as MissionEvent);

/** Feeds events from idle; every one must be accepted. */
function run(...events: Array<MissionEventType | MissionEvent>): {
  state: MissionState;
  effects: string[][];
} {
  let state = INITIAL_MISSION_STATE;
  const effects: string[][] = [];
  for (const e of events) {
    const event = typeof e === 'string' ? eventOf(e) : e;
    const r = transition(state, event);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    state = r.state;
    effects.push([...r.effects]);
  }
  return { state, effects };
}

suite('mission state machine', () => {
  it('runs a first mission: explore, cover, return, done', () => {
    const { state, effects } = run(
      'start',
      'noMap',
      'explorationComplete',
      'planReady',
      'coverageComplete',
      'arrivedHome',
    );
    assert.deepEqual(state, { mode: 'done' });
    assert.deepEqual(effects, [
      ['loadMap'],
      ['startExploration'],
      ['stopMotors', 'saveMap', 'planCoverage'],
      ['followPlan'],
      ['saveMap', 'goHome'],
      ['stopMotors', 'saveMap'],
    ]);
  });

  it('skips exploration when a map is loaded, and starts again from done', () => {
    const { state, effects } = run(
      'start',
      'mapLoaded',
      'planReady',
      'coverageComplete',
      'arrivedHome',
      'start',
    );
    assert.equal(state.mode, 'starting');
    assert.deepEqual(effects[1], ['planCoverage']);
    assert.deepEqual(effects[5], ['loadMap']);
  });

  it('pauses and resumes each active mode where it left off', () => {
    const explore = run('start', 'noMap', 'pause');
    assert.deepEqual(explore.state, { mode: 'paused', resumeTo: 'exploring' });
    assert.deepEqual(explore.effects[2], ['stopMotors']);
    const resumed = transition(explore.state, { type: 'resume' });
    assert.ok(resumed.ok);
    assert.deepEqual([resumed.state, resumed.effects], [{ mode: 'exploring' }, ['startExploration']]);

    const cover = run('start', 'mapLoaded', 'planReady', 'pause', 'resume');
    assert.deepEqual([cover.state, cover.effects[4]], [{ mode: 'covering' }, ['replan']]);

    const ret = run('start', 'mapLoaded', 'return', 'pause', 'resume');
    assert.deepEqual([ret.state, ret.effects[4]], [{ mode: 'returning' }, ['goHome']]);
  });

  it('replans or picks another frontier when the path is blocked', () => {
    assert.deepEqual(run('start', 'mapLoaded', 'planReady', 'pathBlocked').effects[3], [
      'stopMotors',
      'replan',
    ]);
    assert.deepEqual(run('start', 'noMap', 'pathBlocked').effects[2], ['exploreNextFrontier']);
    assert.deepEqual(run('return', 'pathBlocked').effects[1], ['stopMotors', 'goHome']);
  });

  it('goes to error on a fault from anywhere, remembers the mission, and pauses when cleared', () => {
    const faulted = run('start', 'mapLoaded', 'planReady', {
      type: 'fault',
      reason: 'left wheel overcurrent',
    });
    assert.deepEqual(faulted.state, { mode: 'error', resumeTo: 'covering', fault: 'left wheel overcurrent' });
    assert.deepEqual(faulted.effects[3], ['stopMotors']);
    // a second fault keeps the mission and updates the reason
    const again = transition(faulted.state, { type: 'fault', reason: 'cliff sensor dirty' });
    assert.ok(again.ok);
    assert.deepEqual(again.state, { mode: 'error', resumeTo: 'covering', fault: 'cliff sensor dirty' });
    // cleared: paused, not moving until an operator resumes
    const cleared = transition(again.state, { type: 'faultCleared' });
    assert.ok(cleared.ok);
    assert.deepEqual([cleared.state, cleared.effects], [{ mode: 'paused', resumeTo: 'covering' }, []]);
    const resumed = transition(cleared.state, { type: 'resume' });
    assert.deepEqual(resumed.ok && resumed.state, { mode: 'covering' });
    // a fault while paused keeps what was interrupted
    const pausedFault = transition({ mode: 'paused', resumeTo: 'exploring' }, eventOf('fault'));
    assert.deepEqual(pausedFault.ok && pausedFault.state.resumeTo, 'exploring');
    // without an interrupted mission, clearing returns to idle
    assert.deepEqual(run('fault', 'faultCleared').state, { mode: 'idle' });
  });

  it('aborts to idle from every mode but idle', () => {
    for (const mode of MISSION_MODES) {
      const r = transition({ mode, resumeTo: 'covering' }, { type: 'abort' });
      if (mode === 'idle') {
        assert.equal(r.ok, false);
      } else {
        assert.ok(r.ok, mode);
        assert.deepEqual([r.state, r.effects], [{ mode: 'idle' }, ['stopMotors']]);
      }
    }
  });

  it('applies every row of the table as written', () => {
    for (const row of TRANSITIONS) {
      const resumeTo =
        row.guard === 'was exploring'
          ? 'exploring'
          : row.guard === 'was returning'
            ? 'returning'
            : row.guard === 'no mission'
              ? undefined
              : 'covering';
      const state: MissionState = resumeTo ? { mode: row.from, resumeTo } : { mode: row.from };
      const r = transition(state, eventOf(row.event));
      assert.ok(r.ok, `${row.from} --${row.event}-->`);
      assert.equal(r.state.mode, row.to, `${row.from} --${row.event}-->`);
      assert.deepEqual(r.effects, row.effects);
      assert.equal(r.row, row);
    }
  });

  it('rejects every event a mode does not accept, with a reason and no change', () => {
    let rejected = 0;
    for (const mode of MISSION_MODES) {
      const accepted = new Set(validEvents(mode));
      for (const type of EVENT_TYPES) {
        if (accepted.has(type)) continue;
        const state: MissionState = { mode };
        const r = transition(state, eventOf(type));
        assert.equal(r.ok, false, `${mode} accepted ${type}`);
        if (r.ok) continue;
        assert.equal(r.state, state);
        assert.deepEqual(r.effects, []);
        assert.match(r.reason, new RegExp(`'${type}' is not valid in state '${mode}'`));
        rejected++;
      }
    }
    assert.ok(rejected > 50);
    // specific ones an operator might try
    const pauseIdle = transition(INITIAL_MISSION_STATE, { type: 'pause' });
    assert.deepEqual(
      pauseIdle.ok ? '' : pauseIdle.reason,
      "event 'pause' is not valid in state 'idle' (valid: start, return, fault)",
    );
    assert.equal(transition({ mode: 'error', fault: 'x' }, { type: 'start' }).ok, false);
    assert.equal(transition({ mode: 'paused', resumeTo: 'covering' }, { type: 'pause' }).ok, false);
  });

  it('rejects resume when a paused state has nothing to resume', () => {
    const r = transition({ mode: 'paused' }, { type: 'resume' });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /no transition applies/);
  });

  it('has no unreachable or dead-end modes', () => {
    const reach = (from: string, edges: Array<[string, string]>) => {
      const seen = new Set([from]);
      const stack = [from];
      while (stack.length) {
        const m = stack.pop()!;
        for (const [a, b] of edges) {
          if (a !== m || seen.has(b)) continue;
          stack.push(b);
          seen.add(b);
        }
      }
      return seen;
    };
    const edges = TRANSITIONS.map((r): [string, string] => [r.from, r.to]);
    assert.deepEqual([...reach('idle', edges)].sort(), [...MISSION_MODES].sort());
    for (const mode of MISSION_MODES)
      assert.ok(reach(mode, edges).has('idle'), `${mode} cannot get back to idle`);
  });

  it('validates events at the boundary', () => {
    assert.equal(MissionEventSchema.safeParse({ type: 'fault' }).success, false);
    assert.equal(MissionEventSchema.safeParse({ type: 'launch' }).success, false);
    assert.deepEqual(MissionEventSchema.parse({ type: 'pause' }), { type: 'pause' });
  });

  it('describes itself, and docs/mission.md embeds the generated table and diagram', () => {
    assert.equal(describe().length, TRANSITIONS.length);
    const doc = readFileSync(new URL('../../docs/mission.md', import.meta.url), 'utf8');
    assert.ok(doc.includes(describeMarkdown()), 'docs/mission.md table is out of date: regenerate it');
    assert.ok(doc.includes(describeMermaid()), 'docs/mission.md diagram is out of date: regenerate it');
  });
});
