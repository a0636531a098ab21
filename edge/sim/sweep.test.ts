import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MissionReport } from './mission-sim.ts';
import { parseSeedList, summarizeSweep } from './sweep.ts';

const report = (world: string, seed: number, over: Partial<MissionReport>): MissionReport => ({
  result: 'done',
  world,
  seed,
  coverage: 0.96,
  cleanableArea: 10,
  coverageStrict: 0.9,
  cleanableAreaStrict: 11,
  collisions: 0,
  lowObstacleContacts: 0,
  lightMarks: 0,
  overhangContacts: 0,
  pathLength: 50,
  simTime: 600,
  wallTime: 30,
  realtimeFactor: 20,
  replans: 3,
  replanMsMax: 40,
  poseRmse: 0.02,
  mapAgreement: 0.98,
  exploreTime: 60,
  coverTime: 500,
  activityTime: {
    driving: 300,
    slowed: 60,
    turning: 120,
    stopped: 20,
    waiting: 30,
    recovering: 20,
    idle: 10,
  },
  ...over,
});

test('a sweep sums collisions and contacts and averages coverage per world', () => {
  const out = summarizeSweep([
    report('studio', 1, { coverage: 0.98, lowObstacleContacts: 2, overhangContacts: 1 }),
    report('apartment', 1, { coverage: 0.9, collisions: 1, simTime: 1000, wallTime: 100 }),
    report('studio', 2, { coverage: 0.94, lowObstacleContacts: 3, simTime: 400, wallTime: 10 }),
    report('apartment', 2, { result: 'aborted', reason: 'time limit', coverage: 0.5 }),
  ]);
  assert.deepEqual(
    out.map((s) => s.world),
    ['studio', 'apartment'],
  );
  const [studio, apartment] = out;
  assert.equal(studio!.meanCoverage, 0.96);
  assert.equal(studio!.minCoverage, 0.94);
  assert.equal(studio!.lowObstacleContacts, 5);
  assert.equal(studio!.overhangContacts, 1);
  assert.equal(studio!.realtimeFactor, 25); // 1000 s simulated in 40 s
  assert.equal(apartment!.collisions, 1);
  assert.equal(apartment!.done, 1);
  assert.deepEqual(apartment!.aborted, [{ seed: 2, reason: 'time limit' }]);
  assert.equal(apartment!.meanCoverage, 0.7);
  assert.equal(studio!.activityTime.turning, 240, 'activity times add up over the seeds');
  assert.equal(apartment!.activityTime.driving, 600);
});

test('seed lists take numbers and ranges, and refuse anything else', () => {
  assert.deepEqual(parseSeedList('1-3,7,2'), [1, 2, 3, 7]);
  assert.deepEqual(parseSeedList('5'), [5]);
  assert.throws(() => parseSeedList('3-1'), /ends before it starts/);
  assert.throws(() => parseSeedList('a'), /not a seed/);
});
