/**
 * The control chain closed around a kinematic robot: path follower → safety gate → base, with LIDAR points
 * from a wall the map does not know about, then the back-off once the follower reports blocked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { followPath, PathFollowerParamsSchema, startPath, type PathPose } from './path-follower.ts';
import { RecoveryParamsSchema, startRecovery, stepRecovery } from './recovery.ts';
import {
  INITIAL_SAFETY_GATE_STATE,
  safetyGate,
  SafetyGateParamsSchema,
  type SafetyReason,
} from './safety-gate.ts';

const follower = PathFollowerParamsSchema.parse({});
const gateParams = SafetyGateParamsSchema.parse({});
const recoveryParams = RecoveryParamsSchema.parse({});
const DT = 0.05;
const WALL_X = 1.0;

/** LIDAR returns (base_link) from the wall x = WALL_X, |y| ≤ 1, sampled every 1 cm. */
function wallPoints(pose: { x: number; y: number; theta: number }): Float32Array {
  const out: number[] = [];
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  for (let y = -1; y <= 1; y += 0.01) {
    const dx = WALL_X - pose.x;
    const dy = y - pose.y;
    out.push(c * dx + s * dy, -s * dx + c * dy);
  }
  return Float32Array.from(out);
}

describe('control loop', () => {
  it('stops short of an unmapped wall, reports blocked, and backs off', () => {
    const path: PathPose[] = [];
    for (let i = 0; i <= 40; i++) path.push({ x: i * 0.05, y: 0, theta: 0 });
    let fstate = startPath(path, follower);
    let gstate = INITIAL_SAFETY_GATE_STATE;
    let pose = { x: 0, y: 0, theta: 0 };
    let v = 0;
    let omega = 0;
    let closest = Infinity;
    const reasons = new Set<SafetyReason>();
    let t = 0;
    let status = '';
    for (; t < 20; t += DT) {
      const f = followPath(fstate, { time: t, pose, velocity: { v, omega } }, follower);
      fstate = f.state;
      status = f.status;
      if (status === 'blocked') break;
      const g = safetyGate(
        gstate,
        {
          time: t,
          command: { v: f.v, omega: f.omega },
          scan: { stamp: t, points: wallPoints(pose) },
          odometry: { stamp: t, x: pose.x, y: pose.y },
        },
        gateParams,
      );
      gstate = g.state;
      reasons.add(g.reason);
      pose = {
        x: pose.x + v * DT * Math.cos(pose.theta),
        y: pose.y + v * DT * Math.sin(pose.theta),
        theta: pose.theta,
      };
      v = g.v;
      omega = g.omega;
      closest = Math.min(closest, WALL_X - pose.x);
    }
    assert.equal(status, 'blocked');
    assert.ok(reasons.has('obstacle-near') && reasons.has('obstacle-ahead'), [...reasons].join());
    assert.ok(closest > gateParams.robotRadius, `came within ${closest} m of the wall`);
    assert.ok(closest < gateParams.robotRadius + gateParams.stopMargin + 0.1, `stopped ${closest} m away`);

    // back off through the gate
    let rstate = startRecovery({ time: t, odometry: pose, cause: 'blocked' }, recoveryParams);
    const startX = pose.x;
    let rstatus = 'backing';
    for (let k = 0; k < 100 && rstatus === 'backing'; k++, t += DT) {
      const r = stepRecovery(rstate, { time: t, odometry: pose }, recoveryParams);
      rstate = r.state;
      rstatus = r.status;
      const g = safetyGate(
        gstate,
        {
          time: t,
          command: { v: r.v, omega: r.omega },
          scan: { stamp: t, points: wallPoints(pose) },
          odometry: { stamp: t, x: pose.x, y: pose.y },
        },
        gateParams,
      );
      gstate = g.state;
      pose = { ...pose, x: pose.x + g.v * DT };
    }
    assert.equal(rstatus, 'done');
    assert.ok(startX - pose.x >= recoveryParams.backoffDistance - 1e-9);
  });
});
