import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LaserScan } from '../../shared/sensors.ts';
import {
  closestApproach,
  hazardStop,
  INITIAL_SAFETY_GATE_STATE,
  safetyGate,
  SafetyGateParamsSchema,
  scanToBasePoints,
  sweptDistance,
  type ContactState,
  type SafetyGateInput,
  type SafetyGateState,
} from './safety-gate.ts';

const params = SafetyGateParamsSchema.parse({});

const NO_CONTACT: ContactState = {
  bumpLeft: false,
  bumpRight: false,
  wheelDropLeft: false,
  wheelDropRight: false,
  cliffLeft: false,
  cliffFrontLeft: false,
  cliffFrontRight: false,
  cliffRight: false,
};

function input(v: number, omega: number, points: number[] = [], overrides: Partial<SafetyGateInput> = {}) {
  const time = overrides.time ?? 10;
  return {
    time,
    command: { v, omega },
    scan: { stamp: time - 0.1, points: Float32Array.from(points) },
    odometry: { stamp: time - 0.02, x: 0, y: 0 },
    contacts: NO_CONTACT,
    ...overrides,
  } satisfies SafetyGateInput;
}

const gate = (i: SafetyGateInput, state: SafetyGateState = INITIAL_SAFETY_GATE_STATE) =>
  safetyGate(state, i, params);

describe('sweptDistance', () => {
  it('matches a dense sampling of the arc', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (v, omega, horizon, px, py) => {
          let best = Infinity;
          let x = 0;
          let y = 0;
          let th = 0;
          const steps = 4000;
          const dt = horizon / steps;
          for (let i = 0; i <= steps; i++) {
            best = Math.min(best, Math.hypot(px - x, py - y));
            x += v * dt * Math.cos(th + (omega * dt) / 2);
            y += v * dt * Math.sin(th + (omega * dt) / 2);
            th += omega * dt;
          }
          const exact = sweptDistance(v, omega, horizon, px, py);
          assert.ok(Math.abs(exact - best) < 2e-3, `exact ${exact} sampled ${best}`);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('safetyGate: LIDAR', () => {
  it('passes a command with nothing around', () => {
    const out = gate(input(0.3, 0.2, [2, 0, -1, 1]));
    assert.deepEqual([out.v, out.omega, out.action, out.reason], [0.3, 0.2, 'pass', 'clear']);
  });

  it('stops forward motion for a point ahead within the projected footprint plus margin', () => {
    const out = gate(input(0.3, 0, [0.32, 0.05]));
    assert.deepEqual([out.v, out.omega, out.action, out.reason], [0, 0, 'stop', 'obstacle-ahead']);
    assert.deepEqual(out.point, { x: Math.fround(0.32), y: Math.fround(0.05) });
  });

  it('does not stop forward motion for a point behind the robot, but stops reversing into it', () => {
    const behind = [-0.19, 0];
    assert.equal(gate(input(0.3, 0, behind)).action, 'pass');
    assert.equal(gate(input(-0.1, 0, behind)).action, 'stop');
  });

  it('does not stop for a point beside the robot that the motion moves away from', () => {
    assert.equal(gate(input(0.3, 0, [0, 0.19])).action, 'pass');
  });

  it('keeps its margin ahead of the motion: a wall alongside stops it only when the footprint would touch', () => {
    // A wall 1 cm beyond the footprint on the left, the robot turning gently towards it.
    const wall = [0.1, 0.2, 0.2, 0.3, 0.4].flatMap((x) => [x, 0.18]);
    assert.notEqual(gate(input(0.3, 0.05, wall)).action, 'stop');
    // Turning harder, the footprint itself would reach the wall within stopTime.
    assert.equal(gate(input(0.3, 0.5, wall)).reason, 'obstacle-ahead');
    // The same 1 cm straight ahead is inside the margin.
    assert.equal(gate(input(0.3, 0, [0.3, 0])).reason, 'obstacle-ahead');
  });

  it('checks the swept arc, not a straight line', () => {
    const point = [0.3, 0.15];
    // straight ahead the point stays outside the stop zone, only slows
    assert.equal(gate(input(0.3, 0, point)).action, 'slow');
    assert.equal(gate(input(0.3, 1.0, point)).reason, 'obstacle-ahead');
    assert.notEqual(gate(input(0.3, -1.0, point)).action, 'stop');
  });

  it('slows in the slow-down zone, keeping the arc', () => {
    const out = gate(input(0.3, 0.4, [0.55, 0.02]));
    assert.equal(out.action, 'slow');
    assert.equal(out.reason, 'obstacle-near');
    assert.ok(Math.abs(out.v - 0.3 * params.slowFactor) < 1e-12);
    assert.ok(Math.abs(out.omega - 0.4 * params.slowFactor) < 1e-12);
  });

  it('allows rotation in place next to an obstacle, but not with a point inside the footprint', () => {
    assert.equal(gate(input(0, 1.0, [0.18, 0])).action, 'pass');
    const inside = gate(input(0, 1.0, [0.1, 0]));
    assert.deepEqual([inside.omega, inside.reason], [0, 'footprint-intrusion']);
    // moving away from the intruding point is allowed
    assert.equal(gate(input(-0.05, 0, [0.1, 0])).action, 'pass');
  });

  it('clamps to the speed limits keeping the curvature', () => {
    const out = gate(input(1.0, 1.0, []));
    assert.equal(out.reason, 'speed-limit');
    assert.ok(Math.abs(out.v - params.maxLinearSpeed) < 1e-12);
    assert.ok(Math.abs(out.v / out.omega - 1) < 1e-12);
  });

  it('stops on a command that is not a number', () => {
    assert.equal(gate(input(Number.NaN, 0)).reason, 'invalid-command');
  });
});

describe('safetyGate: movers', () => {
  const moving = (v: number, omega: number, points: number[], velocities: number[]) =>
    input(v, omega, points, {
      scan: { stamp: 9.9, points: Float32Array.from(points), velocities: Float32Array.from(velocities) },
    });

  it('closestApproach matches the static sweep for a still point and follows a moving one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (v, omega, px, py) => {
          const still = closestApproach(v, omega, 0.5, px, py, 0, 0);
          // The sampled track is no closer than the exact sweep, and no more than a step's travel further.
          const exact = sweptDistance(v, omega, 0.5, px, py);
          assert.ok(still >= exact - 1e-9 && still <= exact + Math.abs(v) * 0.05 + 1e-9);
        },
      ),
    );
    // Standing still, a point walking straight at the centre from 1 m at 1 m/s gets within 0.5 m in 0.5 s.
    assert.ok(Math.abs(closestApproach(0, 0, 0.5, 1, 0, -1, 0) - 0.5) < 1e-9);
  });

  it('stops for someone walking into the robot’s way from the side, which a still return would not stop', () => {
    // Front-right, 0.55 m from the centre (0.38 m from the body), closing at 0.7 m/s; the robot drives at 0.3.
    const point = [0.35, -0.42];
    const towards = [-0.45, 0.54];
    assert.equal(safetyGate(INITIAL_SAFETY_GATE_STATE, input(0.3, 0, point), params).action, 'pass');
    const out = safetyGate(INITIAL_SAFETY_GATE_STATE, moving(0.3, 0, point, towards), params);
    assert.equal(out.action, 'stop');
    assert.equal(out.reason, 'obstacle-approaching');
    // Further off (they would meet in 1 s), the same walker slows the robot first.
    const far = safetyGate(INITIAL_SAFETY_GATE_STATE, moving(0.3, 0, [0.75, -0.54], towards), params);
    assert.equal(far.action, 'slow');
  });

  it('lets the robot go on when the mover walks away, passes behind it, or falls behind it', () => {
    const away = safetyGate(INITIAL_SAFETY_GATE_STATE, moving(0.3, 0, [0.35, -0.42], [0.45, -0.54]), params);
    assert.equal(away.action, 'pass');
    const behind = safetyGate(INITIAL_SAFETY_GATE_STATE, moving(0.3, 0, [-0.5, -0.5], [0, 0.8]), params);
    assert.equal(behind.action, 'pass');
    // Following the robot more slowly than it drives.
    const follower = safetyGate(INITIAL_SAFETY_GATE_STATE, moving(0.3, 0, [-0.3, 0], [0.2, 0]), params);
    assert.equal(follower.action, 'pass');
  });
});

describe('safetyGate: stale data', () => {
  it('stops within 0.5 s of the last scan and resumes when scans return', () => {
    let state = INITIAL_SAFETY_GATE_STATE;
    let lastScan = 0;
    let stoppedAt = Number.NaN;
    let resumedAt = Number.NaN;
    for (let t = 0; t < 3; t += 0.05) {
      const time = Math.round(t * 100) / 100;
      // scans every 0.1 s, except between 1.0 and 2.0 s
      if (Math.abs(time * 10 - Math.round(time * 10)) < 1e-9 && (time < 1.0 || time >= 2.0)) lastScan = time;
      const out = safetyGate(
        state,
        input(0.2, 0, [], { time, scan: { stamp: lastScan, points: new Float32Array() } }),
        params,
      );
      state = out.state;
      if (out.reason === 'scan-stale' && Number.isNaN(stoppedAt)) stoppedAt = time;
      if (!Number.isNaN(stoppedAt) && Number.isNaN(resumedAt) && out.action === 'pass') resumedAt = time;
    }
    // last scan at 0.9 s → stopped no later than 1.4 s
    assert.ok(stoppedAt > 0.9 && stoppedAt <= 1.4 + 1e-9, `stopped at ${stoppedAt}`);
    assert.equal(resumedAt, 2.0);
  });

  it('stops without any scan or odometry, and on stale odometry', () => {
    assert.equal(gate({ time: 1, command: { v: 0.1, omega: 0 } }).reason, 'odometry-stale');
    assert.equal(gate(input(0.1, 0, [], { scan: undefined })).reason, 'scan-stale');
    const stale = gate(input(0.1, 0, [], { time: 10, odometry: { stamp: 9.5, x: 0, y: 0 } }));
    assert.equal(stale.reason, 'odometry-stale');
    const fresh = gate(input(0.1, 0, [], { time: 10, odometry: { stamp: 9.6, x: 0, y: 0 } }));
    assert.equal(fresh.action, 'pass');
  });
});

describe('safetyGate: contacts', () => {
  it('after a bump allows only slow backing away until released and backed off', () => {
    const bumped = { ...NO_CONTACT, bumpLeft: true };
    let out = gate(input(0.2, 0, [], { time: 1, contacts: bumped }));
    assert.deepEqual([out.v, out.reason], [0, 'bumper']);
    out = gate(input(0, 1, [], { time: 1.05, contacts: bumped }), out.state);
    assert.deepEqual(
      [out.v, out.omega, out.reason],
      [0, params.backoffOmega, 'bumper'],
      'a slow turn on the spot',
    );
    out = gate(input(0.05, 0.5, [], { time: 1.07, contacts: bumped }), out.state);
    assert.deepEqual([out.v, out.omega, out.action], [0, 0, 'stop'], 'no forward arc');
    out = gate(input(-0.3, 0.2, [], { time: 1.1, contacts: bumped }), out.state);
    assert.deepEqual([out.v, out.omega, out.reason], [-params.backoffSpeed, 0.2, 'bumper']);
    // released, 1 cm back: still latched
    out = gate(input(0.2, 0, [], { time: 1.2, odometry: { stamp: 1.2, x: -0.01, y: 0 } }), out.state);
    assert.deepEqual([out.v, out.reason], [0, 'bumper']);
    // backed off far enough
    out = gate(input(0.2, 0, [], { time: 1.3, odometry: { stamp: 1.3, x: -0.04, y: 0 } }), out.state);
    assert.deepEqual([out.v, out.action], [0.2, 'pass']);
  });

  it('releases the bump latch after bumpHoldTime even without backing', () => {
    let out = gate(input(0.2, 0, [], { time: 1, contacts: { ...NO_CONTACT, bumpRight: true } }));
    out = gate(input(0.2, 0, [], { time: 1.5 }), out.state);
    assert.equal(out.reason, 'bumper');
    out = gate(input(0.2, 0, [], { time: 1.5 + params.bumpHoldTime }), out.state);
    assert.equal(out.action, 'pass');
  });

  for (const [kind, contacts] of [
    ['cliff', { ...NO_CONTACT, cliffFrontRight: true }],
    ['wheel-drop', { ...NO_CONTACT, wheelDropLeft: true }],
  ] as const) {
    it(`after a ${kind} allows nothing but a short straight back-off`, () => {
      const odo = (time: number, x: number) => ({ time, odometry: { stamp: time, x, y: 0 }, contacts });
      let out = gate(input(0.2, 0, [], odo(1, 0)));
      assert.deepEqual([out.v, out.reason], [0, kind]);
      out = gate(input(0, 1, [], odo(1.05, 0)), out.state);
      assert.deepEqual([out.omega, out.reason], [0, kind]);
      out = gate(input(-0.3, 0.5, [], odo(1.1, 0)), out.state);
      assert.deepEqual([out.v, out.omega, out.reason], [-params.backoffSpeed, 0, kind]);
      out = gate(input(-0.1, 0, [], odo(2, -0.1)), out.state);
      assert.equal(out.v, -0.1);
      out = gate(input(-0.1, 0, [], odo(2.5, -params.hazardBackoffDistance)), out.state);
      assert.deepEqual([out.v, out.reason], [0, kind], 'no further than hazardBackoffDistance');
      // sensors clear: still held for hazardClearTime, then driving resumes
      const clear = (time: number) => ({
        time,
        odometry: { stamp: time, x: -0.15, y: 0 },
        contacts: NO_CONTACT,
      });
      out = gate(input(0.2, 0, [], clear(3)), out.state);
      assert.equal(out.reason, kind);
      out = gate(input(0.2, 0, [], clear(3 + params.hazardClearTime)), out.state);
      assert.equal(out.action, 'pass');
    });
  }

  it('stops reversing for a return touching-close beside the robot, not for one ahead that it backs away from', () => {
    // 1 cm from the footprint at 87° to the left: backing straight moves away from it, but a back-off
    // pressed against something behind slides sideways.
    const a = (87 * Math.PI) / 180;
    const beside = [0.18 * Math.cos(a), 0.18 * Math.sin(a)];
    assert.equal(gate(input(-0.05, 0, beside)).action, 'stop');
    assert.equal(gate(input(0.1, 0, beside)).action, 'pass');
    // The same distance straight ahead, or 3 cm beside: the back-off goes on.
    assert.equal(gate(input(-0.05, 0, [0.18, 0])).action, 'pass');
    assert.equal(gate(input(-0.05, 0, [0.2 * Math.cos(a), 0.2 * Math.sin(a)])).action, 'pass');
  });

  it('calls for a back-off only when a command pressed into the bump, cliff or wheel drop', () => {
    const bumped = { contacts: { ...NO_CONTACT, bumpLeft: true } };
    const forward = { v: 0.1, omega: 0 };
    assert.equal(hazardStop(forward, gate(input(0.1, 0, [], bumped))), 'bump');
    const cliff = { contacts: { ...NO_CONTACT, cliffFrontLeft: true } };
    assert.equal(hazardStop(forward, gate(input(0.1, 0, [], cliff))), 'cliff');
    // Standing still with the bumper held, or a stop for an obstacle ahead: no back-off.
    assert.equal(hazardStop({ v: 0, omega: 0 }, gate(input(0, 0, [], bumped))), undefined);
    assert.equal(hazardStop(forward, gate(input(0.1, 0, [0.22, 0]))), undefined);
    // The back-off itself passes.
    assert.equal(hazardStop({ v: -0.05, omega: 0 }, gate(input(-0.05, 0, [], bumped))), undefined);
  });

  it('still checks the LIDAR while backing off a bump', () => {
    const out = gate(input(-0.1, 0, [-0.22, 0], { contacts: { ...NO_CONTACT, bumpLeft: true } }));
    assert.equal(out.reason, 'obstacle-ahead');
  });
});

describe('scanToBasePoints', () => {
  it('applies the mount and drops invalid ranges', () => {
    const scan: LaserScan = {
      stamp: 5,
      duration: 0.1,
      angles: Float32Array.from([0, Math.PI / 2, 1, 2]),
      ranges: Float32Array.from([1, 2, 0, 20]),
      qualities: new Uint8Array(4),
      seq: 1,
    };
    const out = scanToBasePoints(scan, { x: 0.1, y: 0, yaw: Math.PI }, 0.15, 12);
    assert.equal(out.stamp, 5.1);
    assert.equal(out.points.length, 4);
    assert.ok(Math.abs(out.points[0]! - -0.9) < 1e-6 && Math.abs(out.points[1]!) < 1e-6);
    assert.ok(Math.abs(out.points[2]! - 0.1) < 1e-6 && Math.abs(out.points[3]! + 2) < 1e-6);
  });
});
