import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pose2D } from '../../shared/geometry.ts';
import {
  obstacleInBaseLink,
  RecoveryParamsSchema,
  startRecovery,
  stepRecovery,
  type RecoveryOutput,
} from './recovery.ts';
import type { ContactState } from './safety-gate.ts';

const params = RecoveryParamsSchema.parse({});

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

/** Runs the back-off on a robot that moves as commanded, at 20 Hz, until it finishes. */
function run(startPose: Pose2D, blockedAfter = Infinity) {
  let state = startRecovery(
    {
      time: 100,
      odometry: startPose,
      mapPose: { x: 2, y: 1, theta: Math.PI / 2 },
      cause: 'bump',
      contacts: { ...NO_CONTACT, bumpLeft: true },
    },
    params,
  );
  let pose = { ...startPose };
  let out: RecoveryOutput | undefined;
  const commands: number[] = [];
  for (let t = 100; t < 110; t += 0.05) {
    out = stepRecovery(state, { time: t, odometry: pose }, params);
    state = out.state;
    commands.push(out.v);
    if (out.status !== 'backing') break;
    const travelled = Math.hypot(pose.x - startPose.x, pose.y - startPose.y);
    if (travelled < blockedAfter) {
      pose = {
        ...pose,
        x: pose.x + out.v * 0.05 * Math.cos(pose.theta),
        y: pose.y + out.v * 0.05 * Math.sin(pose.theta),
      };
    }
  }
  return { out: out!, pose, commands };
}

describe('recovery back-off', () => {
  it('backs up slowly and straight by the back-off distance, then reports the obstacle', () => {
    const { out, pose, commands } = run({ x: 1, y: 1, theta: Math.PI / 4 });
    assert.equal(out.status, 'done');
    assert.equal(out.v, 0);
    assert.ok(commands.slice(0, -1).every((v) => v === -params.backoffSpeed));
    const back = Math.hypot(pose.x - 1, pose.y - 1);
    assert.ok(back >= params.backoffDistance && back < params.backoffDistance + 0.005, `backed ${back}`);
    // moved backwards along its heading
    assert.ok(pose.x < 1 && pose.y < 1);
    const r = out.report!;
    assert.equal(r.cause, 'bump');
    const reach = params.robotRadius + params.obstacleOffset;
    assert.ok(Math.abs(r.obstacleBase!.x - reach * Math.cos(params.bumpSideAngle)) < 1e-12);
    assert.ok(r.obstacleBase!.y > 0, 'left bumper → obstacle on the left');
    // map pose faces +y: base_link left is map −x
    assert.ok(Math.abs(r.obstacleMap!.x - (2 - r.obstacleBase!.y)) < 1e-12);
    assert.ok(Math.abs(r.obstacleMap!.y - (1 + r.obstacleBase!.x)) < 1e-12);
  });

  it('fails when it cannot back off in time, still reporting the obstacle', () => {
    const { out } = run({ x: 0, y: 0, theta: 0 }, 0.03);
    assert.equal(out.status, 'failed');
    assert.equal(out.v, 0);
    assert.ok(out.report!.backedDistance < 0.04);
    assert.ok(out.report!.obstacleMap);
    // stays finished
    assert.equal(stepRecovery(out.state, { time: 200, odometry: { x: -1, y: 0 } }, params).status, 'failed');
  });

  it('places obstacles by the sensor that fired', () => {
    const right = obstacleInBaseLink('bump', { ...NO_CONTACT, bumpRight: true }, params)!;
    const both = obstacleInBaseLink('bump', { ...NO_CONTACT, bumpLeft: true, bumpRight: true }, params)!;
    assert.ok(right.y < 0);
    assert.deepEqual(both, { x: params.robotRadius + params.obstacleOffset, y: 0 });
    const cliff = obstacleInBaseLink(
      'cliff',
      { ...NO_CONTACT, cliffLeft: true, cliffFrontLeft: true },
      params,
    )!;
    const angle = Math.atan2(cliff.y, cliff.x);
    assert.ok(angle > params.cliffFrontAngle && angle < params.cliffSideAngle);
    assert.ok(Math.abs(Math.hypot(cliff.x, cliff.y) - params.robotRadius) < 1e-12);
    assert.deepEqual(obstacleInBaseLink('wheel-drop', { ...NO_CONTACT, wheelDropRight: true }, params), {
      x: 0,
      y: -params.wheelOffset,
    });
    assert.equal(
      obstacleInBaseLink('wheel-drop', { ...NO_CONTACT, wheelDropLeft: true, wheelDropRight: true }, params),
      undefined,
    );
    assert.equal(obstacleInBaseLink('blocked', NO_CONTACT, params), undefined);
  });

  it('reports no obstacle for a blocked path but still backs off', () => {
    const state = startRecovery({ time: 0, odometry: { x: 0, y: 0, theta: 0 }, cause: 'blocked' }, params);
    const out = stepRecovery(state, { time: 0.05, odometry: { x: 0, y: 0 } }, params);
    assert.equal(out.status, 'backing');
    assert.equal(out.v, -params.backoffSpeed);
    const done = stepRecovery(out.state, { time: 3, odometry: { x: -0.1, y: 0 } }, params);
    assert.equal(done.status, 'done');
    assert.equal(done.report!.obstacleBase, undefined);
  });
});

describe('bump marks and the light bumper', () => {
  const r = params.robotRadius + params.obstacleOffset;
  const angleOf = (contacts: ContactState & { lightBumper?: number }) => {
    const p = obstacleInBaseLink('bump', contacts, params)!;
    assert.ok(Math.abs(Math.hypot(p.x, p.y) - r) < 1e-9);
    return Math.atan2(p.y, p.x);
  };

  it('without lit beams a one-sided bump is put at bumpSideAngle', () => {
    assert.ok(Math.abs(angleOf({ ...NO_CONTACT, bumpRight: true }) + params.bumpSideAngle) < 1e-9);
  });

  it('puts the obstacle on the lit beams of the bumped side', () => {
    // right bump, centre-right beam (bit 3, −0.2 rad) lit
    assert.ok(Math.abs(angleOf({ ...NO_CONTACT, bumpRight: true, lightBumper: 0b001000 }) + 0.2) < 1e-9);
    // left bump, front-left and centre-left lit: between them
    assert.ok(Math.abs(angleOf({ ...NO_CONTACT, bumpLeft: true, lightBumper: 0b000110 }) - 0.45) < 1e-9);
  });

  it('ignores beams lit on the other side (a wall beside the robot)', () => {
    // right bump; the left beam (bit 0) sees a wall, the front-right (bit 4, −0.7) the obstacle
    assert.ok(Math.abs(angleOf({ ...NO_CONTACT, bumpRight: true, lightBumper: 0b010001 }) + 0.7) < 1e-9);
    // only the far side lit: the nominal angle
    assert.ok(
      Math.abs(angleOf({ ...NO_CONTACT, bumpRight: true, lightBumper: 0b000001 }) + params.bumpSideAngle) <
        1e-9,
    );
  });
});
