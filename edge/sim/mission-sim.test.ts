import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { motionPlanner } from '../planning/motion-planner.ts';
import { runMission, type MissionReport } from './mission-sim.ts';
import { readMissionTrace, TRACE_TOPICS } from './mission-trace.ts';

const smallRoom = fileURLToPath(new URL('../../test/fixtures/worlds/small-room.yaml', import.meta.url));

type Pose = { pose: { position: { x: number; y: number } } };

/** What --out writes: the map, the report, the mission log, and the trace that agrees with them. */
async function checkOut(out: string, report: MissionReport): Promise<void> {
  for (const file of ['map.yaml', 'map.pgm', 'map.png', 'coverage.png', 'mission.jsonl', 'mission.mcap'])
    assert.ok(existsSync(join(out, file)), file);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), report);
  const trace = await readMissionTrace(join(out, 'mission.mcap'));
  const truth = trace.get(TRACE_TOPICS.truth)!;
  const estimate = trace.get(TRACE_TOPICS.estimate)!;
  // 10 poses a second for the whole run.
  assert.ok(Math.abs(truth.length - report.simTime * 10) <= 20, `${truth.length} true poses`);
  // The estimate against the truth, from the trace alone, is the report's pose error.
  const truthAt = new Map(truth.map((r) => [r.time, (r.message as Pose).pose.position]));
  let sum = 0;
  let n = 0;
  for (const r of estimate) {
    const t = truthAt.get(r.time);
    const e = (r.message as Pose).pose.position;
    if (!t || r.time < report.simTime - (report.exploreTime + report.coverTime)) continue;
    sum += (e.x - t.x) ** 2 + (e.y - t.y) ** 2;
    n++;
  }
  assert.ok(n > 0.9 * estimate.length - 100, `${n} of ${estimate.length} estimates paired`);
  const rmse = Math.sqrt(sum / n);
  assert.ok(Math.abs(rmse - report.poseRmse) < 0.01, `trace ${rmse} m, report ${report.poseRmse} m`);
  const control = trace.get(TRACE_TOPICS.control)!;
  assert.equal(control.length, truth.length);
  const modes = new Set(control.map((r) => (r.message as { mode: string }).mode));
  for (const mode of ['exploring', 'covering', 'done']) assert.ok(modes.has(mode), `${mode} in the trace`);
  const events = readFileSync(join(out, 'mission.jsonl'), 'utf8').trim().split('\n');
  assert.equal(trace.get(TRACE_TOPICS.log)!.length, events.length);
}

test('a complete mission in a small room: explore, cover, return, with no collision', async () => {
  const out = mkdtempSync(join(tmpdir(), 'swath-mission-'));
  const report = await runMission({ world: smallRoom, seed: 3, planner: motionPlanner, timeLimit: 900, out });
  try {
    await checkOut(out, report);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.equal(report.result, 'done', JSON.stringify(report));
  assert.equal(report.collisions, 0);
  assert.ok(report.coverage >= 0.93, `coverage ${report.coverage}`);
  assert.ok(report.poseRmse < 0.05, `pose error ${report.poseRmse} m`);
  assert.ok(report.mapAgreement > 0.9, `map agreement ${report.mapAgreement}`);
  assert.ok(report.exploreTime > 0 && report.coverTime > 0);
  // Every control tick of the mission under way is put in one activity: the tally adds up to the time
  // exploring, covering and returning (a tick short at each end).
  const activities = Object.values(report.activityTime).reduce((a, b) => a + b, 0);
  const missionTime = report.exploreTime + report.coverTime;
  assert.ok(activities >= missionTime - 1 && activities <= report.simTime, `${activities} s of activities`);
  assert.ok(report.activityTime.driving > 0 && report.activityTime.turning > 0);
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

test('a later mission loads the saved map and relocalizes, also when the robot is put down elsewhere', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-mission-maps-'));
  try {
    const first = await runMission({
      world: smallRoom,
      seed: 3,
      planner: motionPlanner,
      timeLimit: 900,
      mapDir: dir,
    });
    assert.deepEqual([first.result, first.mapLoaded], ['done', false]);
    assert.ok(first.exploreTime > 0);
    // The same room, the robot put down 0.6 m from its first start and turned by 2 rad.
    mkdirSync(join(dir, 'moved'));
    const moved = join(dir, 'moved', 'small-room.yaml');
    const spec = readFileSync(smallRoom, 'utf8');
    writeFileSync(moved, spec.replace(/^start: .*$/m, 'start: { x: 1.0, y: 0.9, theta: 2.0 }'));
    const later = await runMission({
      world: moved,
      seed: 4,
      planner: motionPlanner,
      timeLimit: 900,
      mapDir: dir,
    });
    assert.equal(later.result, 'done', JSON.stringify(later));
    assert.equal(later.mapLoaded, true);
    assert.equal(later.exploreTime, 0);
    assert.equal(later.collisions, 0);
    assert.ok(later.coverage >= 0.93, `coverage ${later.coverage}`);
    // Measured against where the map frame really is (the first run's start): relocalization was right.
    assert.ok(later.poseRmse < 0.05, `pose error ${later.poseRmse} m`);
    assert.ok(later.mapAgreement > 0.9, `map agreement ${later.mapAgreement}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the light bumper marks the shoes in a small room before the bumper finds them', async () => {
  const world = fileURLToPath(new URL('../../test/fixtures/worlds/small-room-shoes.yaml', import.meta.url));
  const run = (enabled: boolean) =>
    runMission({
      world,
      seed: 3,
      planner: motionPlanner,
      timeLimit: 900,
      daemonParams: { lightBumper: { enabled } },
    });
  const [lit, dark] = [await run(true), await run(false)];
  assert.equal(lit.result, 'done', JSON.stringify(lit));
  assert.equal(lit.collisions, 0);
  assert.ok(lit.lightMarks > 0, 'the light bumper marked nothing');
  assert.equal(dark.lightMarks, 0);
  assert.ok(
    lit.lowObstacleContacts < dark.lowObstacleContacts,
    `shoe contacts with the light bumper ${lit.lowObstacleContacts}, without ${dark.lowObstacleContacts}`,
  );
  assert.ok(lit.coverage >= 0.85, `coverage ${lit.coverage}`);
});

test('slides past a shoe it grazes on the way out of the dead end behind it', async () => {
  // The shoe leaves 0.38 m beside it for the 0.34 m robot: squeezing out, the robot grazes it on one side.
  const world = fileURLToPath(new URL('../../test/fixtures/worlds/hallway-shoe.yaml', import.meta.url));
  const run = (maxSlides: number) =>
    runMission({
      world,
      seed: 3,
      planner: motionPlanner,
      timeLimit: 900,
      daemonParams: { slide: { maxSlides } },
    });
  const [sliding, stiff] = [await run(4), await run(0)];
  assert.equal(sliding.result, 'done', JSON.stringify(sliding));
  assert.equal(sliding.collisions, 0);
  assert.ok(sliding.coverage >= 0.9, `coverage ${sliding.coverage}`);
  // Without sliding, the same robot ends stuck behind the shoe.
  assert.equal(stiff.result, 'aborted', JSON.stringify(stiff));
  assert.match(stiff.reason ?? '', /^stuck/);
});

test('a bumper still pressed after a turn on the spot is the contact already marked, not a new one', async () => {
  // Studio seed 6 backs into the gap between the west wall and shoes 1 and 2 at 380 s. Marking the held
  // bumper again off each new heading sealed the way out along the wall, and the robot was wedged at 408 s.
  const report = await runMission({ world: 'studio', seed: 6, planner: motionPlanner, timeLimit: 450 });
  assert.equal(report.collisions, 0);
  assert.equal(report.reason, 'time limit (450 s)', JSON.stringify(report));
});
