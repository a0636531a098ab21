/**
 * Control speed on the Pi's budget (a 20 Hz loop): one path-follower step on a 30 m lawn-mower path with a
 * 20 × 20 m costmap at 0.05 m, and one safety-gate pass over a 1,600-point scan, both in microseconds.
 */
import type { Benchmark } from '../../test/bench/registry.ts';
import {
  followPath,
  PathFollowerParamsSchema,
  startPath,
  type CostmapView,
  type PathPose,
} from './path-follower.ts';
import { INITIAL_SAFETY_GATE_STATE, safetyGate, SafetyGateParamsSchema } from './safety-gate.ts';

const round = (x: number): number => Math.round(x * 100) / 100;

function lawnMower(rows: number, length: number, spacing: number, step: number): PathPose[] {
  const poses: PathPose[] = [];
  for (let r = 0; r < rows; r++) {
    const y = r * spacing;
    const forward = r % 2 === 0;
    for (let s = 0; s <= length / step; s++) {
      const x = forward ? s * step : length - s * step;
      poses.push({ x, y, theta: forward ? 0 : Math.PI });
    }
  }
  return poses;
}

const bench: Benchmark = {
  name: 'control',
  async run() {
    const followerParams = PathFollowerParamsSchema.parse({});
    const path = lawnMower(10, 3, 0.3, 0.05);
    const costmap: CostmapView = {
      width: 400,
      height: 400,
      resolution: 0.05,
      origin: { x: -10, y: -10, theta: 0 },
      costs: new Uint8Array(400 * 400),
    };
    // a wall of lethal cells beside the first row, so the clearance search finds something
    for (let i = 0; i < 60; i++) costmap.costs[(200 - 6) * 400 + 200 + i] = 254;
    let state = startPath(path, followerParams);
    let pose = { x: 0, y: 0, theta: 0 };
    let v = 0;
    let omega = 0;
    const dt = 0.05;
    let steps = 0;
    let followUs = 0;
    let finalStatus = '';
    for (let t = 0; t < 400; t += dt) {
      const t0 = performance.now();
      const out = followPath(state, { time: t, pose, velocity: { v, omega }, costmap }, followerParams);
      followUs += (performance.now() - t0) * 1000;
      steps++;
      state = out.state;
      finalStatus = out.status;
      if (out.status === 'done' || out.status === 'blocked') break;
      pose = {
        x: pose.x + v * dt * Math.cos(pose.theta),
        y: pose.y + v * dt * Math.sin(pose.theta),
        theta: pose.theta + omega * dt,
      };
      v = out.v;
      omega = out.omega;
    }

    const gateParams = SafetyGateParamsSchema.parse({});
    const beams = 1600;
    const points = new Float32Array(2 * beams);
    for (let i = 0; i < beams; i++) {
      const a = (2 * Math.PI * i) / beams;
      const r = 0.4 + 0.3 * Math.abs(Math.sin(3 * a));
      points[2 * i] = r * Math.cos(a);
      points[2 * i + 1] = r * Math.sin(a);
    }
    const passes = 2000;
    const g0 = performance.now();
    let gateState = INITIAL_SAFETY_GATE_STATE;
    for (let k = 0; k < passes; k++) {
      const time = k * 0.05;
      gateState = safetyGate(
        gateState,
        {
          time,
          command: { v: 0.3, omega: 0.5 * Math.sin(k) },
          scan: { stamp: time, points },
          odometry: { stamp: time, x: 0, y: 0 },
        },
        gateParams,
      ).state;
    }
    const gateUs = ((performance.now() - g0) * 1000) / passes;
    return {
      followerUsPerStep: round(followUs / steps),
      followerSteps: steps,
      followerFinalStatus: finalStatus,
      followerPathPoses: path.length,
      gateUsPerPass: round(gateUs),
      gateScanPoints: beams,
    };
  },
};

export default bench;
