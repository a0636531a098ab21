import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { motionPlanner } from '../planning/motion-planner.ts';
import { runMission } from './mission-sim.ts';

const smallRoom = fileURLToPath(new URL('../../test/fixtures/worlds/small-room.yaml', import.meta.url));

test('a complete mission in a small room: explore, cover, return, with no collision', async () => {
  const report = await runMission({ world: smallRoom, seed: 3, planner: motionPlanner, timeLimit: 900 });
  assert.equal(report.result, 'done', JSON.stringify(report));
  assert.equal(report.collisions, 0);
  assert.ok(report.coverage >= 0.93, `coverage ${report.coverage}`);
  assert.ok(report.poseRmse < 0.05, `pose error ${report.poseRmse} m`);
  assert.ok(report.mapAgreement > 0.9, `map agreement ${report.mapAgreement}`);
  assert.ok(report.exploreTime > 0 && report.coverTime > 0);
});

test('unplugging the LIDAR mid-mission stops the base within 0.5 s, and the mission resumes when it is back', async () => {
  const report = await runMission({
    world: smallRoom,
    seed: 1,
    planner: motionPlanner,
    timeLimit: 80,
    lidarOutage: { at: 40, duration: 3 },
  });
  assert.ok(report.outageStopTime !== undefined, 'the base stopped during the outage');
  assert.ok(report.outageStopTime <= 0.5, `stopped after ${report.outageStopTime} s`);
  assert.equal(report.resumedAfterOutage, true);
  assert.equal(report.collisions, 0);
});
