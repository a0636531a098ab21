import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import { emptyCostmap as emptyMappingCostmap, LETHAL } from '../mapping/layers/costmap.ts';
import {
  followPath,
  LETHAL_COST,
  INSCRIBED_COST,
  obstructedAhead,
  PathFollowerParamsSchema,
  preparePath,
  resumeFollower,
  startPath,
  type CostmapView,
  type FollowerStatus,
  type PathFollowerInput,
  type PathPose,
} from './path-follower.ts';

const params = PathFollowerParamsSchema.parse({});
const DT = 0.05;

/** Poses every `step` m along straight lines through the given corners (as a coverage planner emits). */
function polyline(corners: ReadonlyArray<readonly [number, number]>, step = 0.05): PathPose[] {
  const poses: PathPose[] = [];
  for (let k = 0; k + 1 < corners.length; k++) {
    const [ax, ay] = corners[k]!;
    const [bx, by] = corners[k + 1]!;
    const len = Math.hypot(bx - ax, by - ay);
    const theta = Math.atan2(by - ay, bx - ax);
    const n = Math.max(1, Math.round(len / step));
    for (let i = k === 0 ? 0 : 1; i <= n; i++) {
      poses.push({ x: ax + ((bx - ax) * i) / n, y: ay + ((by - ay) * i) / n, theta });
    }
  }
  return poses;
}

function distanceToPolyline(poses: readonly PathPose[], x: number, y: number): number {
  let best = Infinity;
  for (let i = 0; i + 1 < poses.length; i++) {
    const a = poses[i]!;
    const b = poses[i + 1]!;
    const len2 = (b.x - a.x) ** 2 + (b.y - a.y) ** 2;
    const t =
      len2 > 0 ? Math.max(0, Math.min(1, ((x - a.x) * (b.x - a.x) + (y - a.y) * (b.y - a.y)) / len2)) : 0;
    best = Math.min(best, Math.hypot(x - a.x - t * (b.x - a.x), y - a.y - t * (b.y - a.y)));
  }
  return best;
}

interface Trace {
  status: FollowerStatus;
  time: number;
  pose: Pose2D;
  maxCrossTrack: number;
  meanCrossTrack: number;
  statuses: FollowerStatus[];
  commands: Array<{ v: number; omega: number; status: FollowerStatus; pose: Pose2D }>;
}

/**
 * Unicycle simulation: the base reaches the commanded twist after one control period (a one-step lag, as a
 * real base that re-sends commands does), and the pose integrates exactly along arcs.
 */
function simulate(
  path: readonly PathPose[],
  start: Pose2D,
  options: {
    maxTime?: number;
    costmap?: CostmapView;
    stopWhen?: (s: FollowerStatus) => boolean;
    /** pose-estimate noise: standard deviations in m and rad */
    noise?: { rng: Rng; xy: number; theta: number };
  } = {},
): Trace {
  const maxTime = options.maxTime ?? 60;
  const stopWhen = options.stopWhen ?? ((s: FollowerStatus) => s === 'done' || s === 'blocked');
  let state = startPath(path, params);
  let pose = { ...start };
  let v = 0;
  let omega = 0;
  let maxCrossTrack = 0;
  let sumCrossTrack = 0;
  let samples = 0;
  const statuses: FollowerStatus[] = [];
  const commands: Trace['commands'] = [];
  let status: FollowerStatus = 'rotating';
  let t = 0;
  for (; t <= maxTime; t += DT) {
    const noise = options.noise;
    const estimate = noise
      ? {
          x: pose.x + noise.rng.gaussian(0, noise.xy),
          y: pose.y + noise.rng.gaussian(0, noise.xy),
          theta: pose.theta + noise.rng.gaussian(0, noise.theta),
        }
      : pose;
    const input: PathFollowerInput = { time: t, pose: estimate, velocity: { v, omega } };
    if (options.costmap) input.costmap = options.costmap;
    const out = followPath(state, input, params);
    state = out.state;
    status = out.status;
    if (statuses[statuses.length - 1] !== status) statuses.push(status);
    commands.push({ v: out.v, omega: out.omega, status, pose: { ...pose } });
    if (stopWhen(status)) break;
    // integrate with the previous twist (one-step lag), then adopt the new command
    if (Math.abs(omega) < 1e-9) {
      pose = {
        x: pose.x + v * DT * Math.cos(pose.theta),
        y: pose.y + v * DT * Math.sin(pose.theta),
        theta: pose.theta,
      };
    } else {
      const th = pose.theta + omega * DT;
      pose = {
        x: pose.x + (v / omega) * (Math.sin(th) - Math.sin(pose.theta)),
        y: pose.y - (v / omega) * (Math.cos(th) - Math.cos(pose.theta)),
        theta: th,
      };
    }
    v = out.v;
    omega = out.omega;
    const e = distanceToPolyline(path, pose.x, pose.y);
    maxCrossTrack = Math.max(maxCrossTrack, e);
    sumCrossTrack += e;
    samples++;
  }
  return {
    status,
    time: t,
    pose,
    maxCrossTrack,
    meanCrossTrack: sumCrossTrack / Math.max(1, samples),
    statuses,
    commands,
  };
}

const report = (t: Trace): string =>
  `cross-track max ${(t.maxCrossTrack * 100).toFixed(1)} cm, mean ${(t.meanCrossTrack * 100).toFixed(2)} cm, ${t.time.toFixed(1)} s`;

function emptyCostmap(size = 100, resolution = 0.05): CostmapView {
  return {
    width: size,
    height: size,
    resolution,
    origin: { x: -1, y: -2.5, theta: 0 },
    costs: new Uint8Array(size * size),
  };
}

function setCost(map: CostmapView, x: number, y: number, cost: number): void {
  const cx = Math.floor((x - map.origin.x) / map.resolution);
  const cy = Math.floor((y - map.origin.y) / map.resolution);
  map.costs[cy * map.width + cx] = cost;
}

describe('preparePath', () => {
  it('splits legs at sharp corners only, also with duplicated corner poses', () => {
    const l = polyline([
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
    const dup = [...l.slice(0, 21), { ...l[20]! }, ...l.slice(21)];
    const gentle = polyline([
      [0, 0],
      [1, 0],
      [2, 0.5],
    ]);
    assert.deepEqual(Array.from(preparePath(l, params).legEnds), [20, 40]);
    assert.deepEqual(Array.from(preparePath(dup, params).legEnds), [20, 41]);
    assert.deepEqual(Array.from(preparePath(gentle, params).legEnds), [gentle.length - 1]);
    assert.ok(Math.abs(preparePath(l, params).length - 2) < 1e-9);
  });
});

describe('followPath in a kinematic simulation', () => {
  it('follows a straight line within a few cm and reports done at the end', (t) => {
    const path = polyline([
      [0, 0],
      [2, 0],
    ]);
    const trace = simulate(path, { x: 0, y: 0.04, theta: 0.05 });
    assert.equal(trace.status, 'done');
    t.diagnostic(report(trace));
    assert.ok(trace.maxCrossTrack < 0.045, `max cross-track ${trace.maxCrossTrack}`);
    assert.ok(Math.hypot(trace.pose.x - 2, trace.pose.y) <= params.goalTolerance + 0.01);
    // 2 m at ≤ 0.3 m/s plus acceleration and approach: neither crawling nor too fast
    assert.ok(trace.time > 2 / 0.3 && trace.time < 12, `took ${trace.time} s`);
    const peak = Math.max(...trace.commands.map((c) => c.v));
    assert.ok(peak <= params.maxLinearSpeed + 1e-9 && peak > 0.29, `peak ${peak}`);
  });

  it('follows an L-turn by stopping at the corner and rotating in place', (t) => {
    const path = polyline([
      [0, 0],
      [1.2, 0],
      [1.2, 1.2],
    ]);
    const trace = simulate(path, { x: 0, y: 0, theta: 0 });
    assert.equal(trace.status, 'done');
    t.diagnostic(report(trace));
    assert.ok(trace.maxCrossTrack < 0.03, `max cross-track ${trace.maxCrossTrack}`);
    assert.ok(trace.meanCrossTrack < 0.01, `mean cross-track ${trace.meanCrossTrack}`);
    // aligned at the start, so the only rotation is at the corner
    assert.deepEqual(trace.statuses, ['following', 'rotating', 'following', 'done']);
    const turning = trace.commands.filter((c) => c.status === 'rotating' && Math.abs(c.omega) > 0.3);
    assert.ok(turning.length > 0 && turning.every((c) => Math.abs(c.pose.x - 1.2) < 0.03 && c.v < 0.05));
  });

  it('follows a lawn-mower path with U-turns within a few cm', (t) => {
    const path = polyline([
      [0, 0],
      [1.5, 0],
      [1.5, 0.3],
      [0, 0.3],
      [0, 0.6],
      [1.5, 0.6],
    ]);
    const trace = simulate(path, { x: 0, y: 0, theta: 0 });
    assert.equal(trace.status, 'done');
    t.diagnostic(report(trace));
    assert.ok(trace.maxCrossTrack < 0.03, `max cross-track ${trace.maxCrossTrack}`);
    assert.ok(trace.meanCrossTrack < 0.01, `mean cross-track ${trace.meanCrossTrack}`);
    assert.ok(Math.hypot(trace.pose.x - 1.5, trace.pose.y - 0.6) <= params.goalTolerance + 0.01);
    // one rotation in place per corner
    assert.equal(trace.statuses.filter((s) => s === 'rotating').length, 4);
  });

  it('follows the lawn-mower path with a noisy pose estimate', (t) => {
    const path = polyline([
      [0, 0],
      [1.5, 0],
      [1.5, 0.3],
      [0, 0.3],
      [0, 0.6],
      [1.5, 0.6],
    ]);
    const trace = simulate(
      path,
      { x: 0, y: 0, theta: 0 },
      { noise: { rng: new Rng(42), xy: 0.005, theta: 0.01 } },
    );
    assert.equal(trace.status, 'done');
    t.diagnostic(report(trace));
    assert.ok(trace.maxCrossTrack < 0.04, `max cross-track ${trace.maxCrossTrack}`);
    assert.ok(trace.meanCrossTrack < 0.015, `mean cross-track ${trace.meanCrossTrack}`);
  });

  it('tracks a smooth curve with pure pursuit and slows in the tight part', (t) => {
    const path: PathPose[] = [];
    for (let i = 0; i <= 60; i++) {
      const a = (i / 60) * Math.PI; // half circle of radius 0.4
      path.push({ x: 0.4 * Math.sin(a), y: 0.4 - 0.4 * Math.cos(a), theta: a });
    }
    const trace = simulate(path, { x: 0, y: 0, theta: 0 });
    assert.equal(trace.status, 'done');
    t.diagnostic(report(trace));
    assert.ok(trace.maxCrossTrack < 0.04, `max cross-track ${trace.maxCrossTrack}`);
    const cruising = trace.commands.filter((c) => c.status === 'following' && c.pose.x > 0.2);
    const peak = Math.max(...cruising.map((c) => c.v));
    // radius 0.4 < regulatedMinRadius 0.6 → about 0.4/0.6 of full speed
    assert.ok(peak < 0.25 && peak > 0.1, `peak ${peak}`);
  });

  it('rotates in place first when facing backwards', () => {
    const path = polyline([
      [0, 0],
      [1, 0],
    ]);
    const trace = simulate(path, { x: 0, y: 0, theta: Math.PI - 0.05 });
    assert.equal(trace.status, 'done');
    const firstMove = trace.commands.findIndex((c) => c.v > 1e-6);
    assert.ok(firstMove > 10, 'it turns before it drives');
    const before = trace.commands.slice(0, firstMove);
    assert.ok(before.every((c) => c.status === 'rotating'));
    assert.ok(before.some((c) => Math.abs(c.omega) >= params.maxAngularSpeed - 1e-9));
    // the first translation starts roughly aligned
    assert.ok(Math.abs(trace.commands[firstMove]!.pose.theta % (2 * Math.PI)) < 0.15);
    assert.ok(Math.max(...trace.commands.map((c) => Math.abs(c.omega))) <= params.maxAngularSpeed + 1e-9);
  });

  it('respects the acceleration limits', () => {
    const path = polyline([
      [0, 0],
      [2, 0],
    ]);
    const trace = simulate(path, { x: 0, y: 0, theta: 0 });
    for (let i = 1; i < trace.commands.length; i++) {
      const dv = trace.commands[i]!.v - trace.commands[i - 1]!.v;
      assert.ok(
        dv <= params.maxLinearAccel * DT + 1e-9 && dv >= -params.maxLinearDecel * DT - 1e-9,
        `step ${i}: ${trace.commands[i - 1]!.v} → ${trace.commands[i]!.v}`,
      );
    }
  });

  it('slows near obstacles (cost-regulated speed)', () => {
    const path = polyline([
      [0, 0],
      [3, 0],
    ]);
    const open = simulate(path, { x: 0, y: 0, theta: 0 }, { costmap: emptyCostmap() });
    const narrow = emptyCostmap();
    // cells centred 0.175 m to the left between x = 1 and x = 2: 5 mm off the rim, well inside the regulation
    for (let x = 1; x < 2; x += 0.05) setCost(narrow, x + 0.025, 0.175, LETHAL_COST);
    const slowed = simulate(path, { x: 0, y: 0, theta: 0 }, { costmap: narrow });
    assert.equal(open.status, 'done');
    assert.equal(slowed.status, 'done');
    const speedAt = (t: Trace, x: number) => t.commands.find((c) => c.pose.x >= x)!.v;
    assert.ok(speedAt(open, 1.5) > 0.29);
    const beside = speedAt(slowed, 1.5);
    const expected = (params.maxLinearSpeed * 0.175) / params.costScalingDistance;
    assert.ok(
      beside < expected + 0.01 && beside >= params.minRegulatedSpeed,
      `speed beside the wall ${beside}`,
    );
    assert.ok(speedAt(slowed, 2.6) > 0.25, 'speeds up again after the wall');
    assert.ok(slowed.time > open.time + 0.5);
  });

  it('reads the mapping costmap as it is, where unknown space neither slows nor stops', () => {
    const map = emptyMappingCostmap({
      width: 100,
      height: 100,
      resolution: 0.05,
      origin: { x: -1, y: -2.5, theta: 0 },
    });
    const path = polyline([
      [0, 0],
      [3, 0],
    ]);
    const unknown = simulate(path, { x: 0, y: 0, theta: 0 }, { costmap: map });
    assert.equal(unknown.status, 'done');
    for (let x = 1; x < 2; x += 0.05) {
      const cx = Math.floor((x + 0.025 - map.origin.x) / map.resolution);
      const cy = Math.floor((0.175 - map.origin.y) / map.resolution);
      map.costs[cy * map.width + cx] = LETHAL;
    }
    const slowed = simulate(path, { x: 0, y: 0, theta: 0 }, { costmap: map });
    assert.ok(slowed.time > unknown.time + 0.5);
  });

  it('stops for an obstruction on the path and reports blocked after the timeout', () => {
    const path = polyline([
      [0, 0],
      [2, 0],
    ]);
    const map = emptyCostmap();
    setCost(map, 1.0, 0.01, INSCRIBED_COST);
    const trace = simulate(path, { x: 0, y: 0, theta: 0 }, { costmap: map, maxTime: 30 });
    assert.equal(trace.status, 'blocked');
    const obstructed = trace.commands.findIndex((c) => c.status === 'obstructed');
    assert.ok(obstructed > 0);
    assert.ok(trace.pose.x < 1.0 - 0.1, `stopped at ${trace.pose.x}`);
    const stoppedAt = trace.commands.findIndex((c, i) => i > obstructed && c.v === 0);
    const blockedAt = trace.commands.length - 1;
    const waited = (blockedAt - stoppedAt) * DT;
    assert.ok(waited >= params.blockedTimeout - 0.5 && waited <= params.blockedTimeout + 0.5, `${waited}`);
  });

  it('waits out someone walking past: obstructedAhead sees the way clear again, resumeFollower goes on', () => {
    const path = polyline([
      [0, 0],
      [2, 0],
    ]);
    const map = emptyCostmap();
    setCost(map, 1.0, 0.01, INSCRIBED_COST);
    let state = startPath(path, params);
    let pose: Pose2D = { x: 0, y: 0, theta: 0 };
    let t = 0;
    let out = followPath(state, { time: t, pose, velocity: { v: 0, omega: 0 }, costmap: map }, params);
    for (; out.status !== 'obstructed' && t < 10; t += DT) {
      state = out.state;
      pose = { x: pose.x + out.v * DT, y: 0, theta: 0 };
      out = followPath(state, { time: t, pose, velocity: { v: out.v, omega: 0 }, costmap: map }, params);
    }
    assert.equal(out.status, 'obstructed');
    state = out.state;
    assert.ok(obstructedAhead(state, map, params));
    // The person walks on; the robot stood still longer than the blocked timeout.
    const clear = emptyCostmap();
    assert.ok(!obstructedAhead(state, clear, params));
    // Inflated cost short of inscribed does not obstruct.
    setCost(clear, 1.0, 0.01, 200);
    assert.ok(!obstructedAhead(state, clear, params));
    t += params.blockedTimeout + 2;
    const still = { time: t, pose, velocity: { v: 0, omega: 0 }, costmap: clear };
    assert.equal(
      followPath(state, still, params).status,
      'blocked',
      'without resumeFollower the wait is no progress',
    );
    let resumed = followPath(resumeFollower(state, t), still, params);
    assert.equal(resumed.status, 'following');
    for (; resumed.status !== 'done' && t < 60; t += DT) {
      pose = { x: pose.x + resumed.v * DT, y: 0, theta: 0 };
      resumed = followPath(
        resumed.state,
        { time: t + DT, pose, velocity: { v: resumed.v, omega: 0 }, costmap: clear },
        params,
      );
    }
    assert.equal(resumed.status, 'done');
    assert.ok(Math.abs(pose.x - 2) < 0.1, `ended at ${pose.x}`);
  });

  it('reports blocked when the robot does not move, and stays blocked', () => {
    const path = polyline([
      [0, 0],
      [2, 0],
    ]);
    let state = startPath(path, params);
    let out;
    for (let t = 0; t < 6; t += DT) {
      // the robot never moves: wheels stuck
      out = followPath(
        state,
        { time: t, pose: { x: 0, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 } },
        params,
      );
      state = out.state;
      if (t < params.blockedTimeout - 0.1) assert.notEqual(out.status, 'blocked');
    }
    assert.equal(out!.status, 'blocked');
    assert.equal(out!.v, 0);
    const again = followPath(
      state,
      { time: 7, pose: { x: 0.5, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 } },
      params,
    );
    assert.equal(again.status, 'blocked');
  });

  it('never lets the projection jump to an adjacent row', () => {
    // rows 0.3 m apart; the robot is drifted 0.14 m towards the next row
    const path = polyline([
      [0, 0],
      [1.5, 0],
      [1.5, 0.3],
      [0, 0.3],
    ]);
    let state = startPath(path, params);
    state = followPath(
      state,
      { time: 0, pose: { x: 0.5, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 } },
      params,
    ).state;
    const out = followPath(
      state,
      { time: 0.05, pose: { x: 0.6, y: 0.16, theta: 0 }, velocity: { v: 0, omega: 0 } },
      params,
    );
    assert.ok(out.index < 30, `index ${out.index}`);
    assert.ok(Math.abs(out.crossTrack - 0.16) < 1e-9);
  });

  it('drives to a single-pose path and can align to its heading', () => {
    const p = PathFollowerParamsSchema.parse({ alignFinalHeading: true });
    let state = startPath([{ x: 0.5, y: 0.5, theta: Math.PI }], p);
    let pose = { x: 0, y: 0, theta: 0 };
    let status: FollowerStatus = 'rotating';
    const seen = new Set<FollowerStatus>();
    let velocity = { v: 0, omega: 0 };
    for (let t = 0; t < 20 && status !== 'done'; t += DT) {
      const out = followPath(state, { time: t, pose, velocity }, p);
      state = out.state;
      status = out.status;
      seen.add(status);
      velocity = { v: out.v, omega: out.omega };
      pose = {
        x: pose.x + out.v * DT * Math.cos(pose.theta),
        y: pose.y + out.v * DT * Math.sin(pose.theta),
        theta: pose.theta + out.omega * DT,
      };
    }
    assert.equal(status, 'done');
    assert.ok(seen.has('aligning'));
    assert.ok(Math.hypot(pose.x - 0.5, pose.y - 0.5) < 0.05);
    assert.ok(Math.abs(Math.cos(pose.theta) + 1) < 0.01);
  });

  it('ramps up from standstill after the safety gate held the robot', () => {
    const path = polyline([
      [0, 0],
      [3, 0],
    ]);
    let state = startPath(path, params);
    let out;
    let v = 0;
    let x = 0;
    for (let t = 0; t < 2; t += DT) {
      out = followPath(state, { time: t, pose: { x, y: 0, theta: 0 }, velocity: { v, omega: 0 } }, params);
      state = out.state;
      x += v * DT;
      v = out.v;
    }
    assert.ok(out!.v > 0.29);
    // the gate stopped the base: odometry reports standstill while the follower still commands 0.3 m/s
    out = followPath(state, { time: 2, pose: { x, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 } }, params);
    assert.ok(out.v <= params.velocityTolerance + params.maxLinearAccel * DT + 1e-9, `v ${out.v}`);
  });

  it('counts a leg end the safety gate holds it a few centimetres short of as reached', () => {
    // A row ending at a wall, then the connector to the next row; the gate stops the robot short of the end.
    const row = polyline([
      [1.5, 0],
      [2, 0],
      [2, 0.3],
    ]);
    const line = polyline([
      [1.5, 0],
      [2, 0],
    ]);
    /** The follower's status with the robot driven along the row to x, the last step held or not. */
    const at = (path: PathPose[], x: number, heldAhead: boolean) => {
      let state = startPath(path, params);
      let t = 0;
      for (let px = 1.5; px < x - 1e-9; px += 0.05, t += DT)
        state = followPath(
          state,
          { time: t, pose: { x: px, y: 0, theta: 0 }, velocity: { v: 0.2, omega: 0 } },
          params,
        ).state;
      return followPath(
        state,
        { time: t, pose: { x, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 }, heldAhead },
        params,
      ).status;
    };
    assert.equal(at(row, 1.95, false), 'following', 'not held: it drives on to the corner');
    assert.equal(at(row, 1.95, true), 'rotating', 'held: the corner counts as reached, it turns');
    assert.equal(at(row, 1.8, true), 'following', 'held 20 cm short: not a leg end it is kept from');
    assert.equal(at(line, 1.95, false), 'following');
    assert.equal(at(line, 1.95, true), 'done', 'held 5 cm short of the goal: done');
  });

  it('keeps turning the same way when the heading error wraps across ±π', () => {
    const path = polyline([
      [0, 0],
      [1, 0],
    ]);
    let state = startPath(path, params);
    // facing backwards; the estimate jitters by ±0.03 rad, so the error keeps flipping across the wrap
    let theta = Math.PI - 0.01;
    let omega = 0;
    const signs = new Set<number>();
    let t = 0;
    for (let k = 0; k < 200; k++, t += DT) {
      const estimate = theta + (k % 2 === 0 ? 0.03 : -0.03);
      const out = followPath(
        state,
        { time: t, pose: { x: 0, y: 0, theta: estimate }, velocity: { v: 0, omega } },
        params,
      );
      state = out.state;
      // the first step has no elapsed time to accelerate in
      if (k > 0 && out.status === 'rotating') signs.add(Math.sign(out.omega));
      theta += omega * DT;
      omega = out.omega;
      if (out.status !== 'rotating') break;
    }
    assert.deepEqual([...signs], [signs.has(1) ? 1 : -1], 'never stalls or reverses');
    // half a turn at ≤ 1.5 rad/s with the ramps: under 3 s
    assert.ok(t < 3, `aligned after ${t} s`);
  });

  it('is done at once on an empty path', () => {
    const out = followPath(
      startPath([], params),
      { time: 0, pose: { x: 0, y: 0, theta: 0 }, velocity: { v: 0, omega: 0 } },
      params,
    );
    assert.equal(out.status, 'done');
    assert.equal(out.v, 0);
  });
});
