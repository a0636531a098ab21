import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePose, type Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import { Slam, SlamParamsSchema, type SlamParamsInput } from './slam.ts';
import { IRREGULAR_ROOM, syntheticScan } from './synthetic-scan.ts';
import { absoluteTrajectoryError, noisyOdometry } from './trajectory.ts';

const SCANNER = { beams: 360, startAngle: -Math.PI, fov: 2 * Math.PI, maxRange: 12 };
const MOUNT: Pose2D = { x: 0.08, y: 0.02, theta: 0.05 };

/** A lap around the pillar: 0.1 m steps with gentle turns. */
function lap(): Pose2D[] {
  const out: Pose2D[] = [];
  for (let k = 0; k < 120; k++) {
    const a = (2 * Math.PI * k) / 120;
    out.push({ x: 1.35 + 2.3 * Math.cos(a), y: 0.9 + 1.6 * Math.sin(a), theta: a + Math.PI / 2 });
  }
  return out;
}

function run(
  seed: number,
  truth: Pose2D[],
  params: SlamParamsInput = {},
): { est: Pose2D[]; odom: Pose2D[]; matched: number; slam: Slam } {
  const rng = new Rng(seed);
  const odom = noisyOdometry(truth, rng.fork(), { scaleSigma: 0.05, driftPerMetre: 0.02 });
  const slam = new Slam(params);
  const est: Pose2D[] = [];
  let matched = 0;
  for (let k = 0; k < truth.length; k++) {
    const scan = syntheticScan(
      IRREGULAR_ROOM,
      composePose(truth[k]!, MOUNT),
      { ...SCANNER, noise: 0.01, rng },
      k * 0.2,
      k,
    );
    const r = slam.update(scan, MOUNT, odom[k]!);
    est.push(r.pose);
    if (r.matched) matched++;
  }
  return { est, odom, matched, slam };
}

describe('Slam', () => {
  it('corrects drifting odometry on a synthetic lap (several seeds)', () => {
    const truth = lap();
    for (const seed of [1, 2, 3, 4]) {
      const { est, odom, matched, slam } = run(seed, truth);
      const ate = absoluteTrajectoryError(est, truth);
      const ateOdom = absoluteTrajectoryError(odom, truth);
      assert.ok(ate < 0.04, `seed ${seed}: ATE ${ate}`);
      assert.ok(ateOdom > 5 * ate, `seed ${seed}: odometry ATE ${ateOdom}`);
      assert.ok(matched >= truth.length - 1, `seed ${seed}: ${matched} matched`);
      // The lap ends where it began: the pose graph closes the loop, and the final trajectory is as good.
      assert.ok(slam.graphStats.loops >= 1, JSON.stringify(slam.graphStats));
      assert.ok(absoluteTrajectoryError(slam.trajectory(), truth) < 0.04);
    }
  });

  it('re-optimises after a closure that turns the robot by minAngleCorrection, however little it moves it', () => {
    const truth = lap();
    const graph = (minAngleCorrection: number) =>
      run(1, truth, { loopClosure: { minCorrection: 100, minAngleCorrection } }).slam.graphStats;
    const never = graph(100);
    assert.ok(never.loops >= 1 && never.optimisations === 0, JSON.stringify(never));
    const always = graph(0);
    assert.ok(always.optimisations === always.loops, JSON.stringify(always));
  });

  it('falls back to odometry when a scan has too few returns, keeping the map→odom correction', () => {
    const slam = new Slam();
    const pose: Pose2D = { x: 0.5, y: 0.2, theta: 0.3 };
    const rng = new Rng(3);
    slam.update(syntheticScan(IRREGULAR_ROOM, composePose(pose, MOUNT), SCANNER), MOUNT, {
      x: 0,
      y: 0,
      theta: 0,
    });
    const blind = syntheticScan(IRREGULAR_ROOM, composePose(pose, MOUNT), {
      ...SCANNER,
      maxRange: 0.05,
      rng,
    });
    const r = slam.update(blind, MOUNT, { x: 0.1, y: 0, theta: 0 });
    assert.equal(r.matched, false);
    assert.deepEqual(r.pose, { x: 0.1, y: 0, theta: 0 });
  });

  it('refuses a match that scores poorly (a scan from somewhere else)', () => {
    const slam = new Slam();
    slam.update(syntheticScan(IRREGULAR_ROOM, MOUNT, SCANNER), MOUNT, { x: 0, y: 0, theta: 0 });
    const elsewhere = syntheticScan(
      [
        [-20, -0.5, 20, -0.5],
        [-20, 0.5, 20, 0.5],
      ],
      MOUNT,
      SCANNER,
    );
    const r = slam.update(elsewhere, MOUNT, { x: 0, y: 0, theta: 0 });
    assert.equal(r.matched, false);
    assert.ok(r.score < SlamParamsSchema.parse({}).minScore);
  });

  it('integrates only after moving or after the interval, and fills every default', () => {
    const p = SlamParamsSchema.parse({});
    assert.equal(p.map.resolution, 0.05);
    assert.equal(p.levels, 3);
    const slam = new Slam({ integrateInterval: 1 });
    const scan = (t: number) => ({ ...syntheticScan(IRREGULAR_ROOM, MOUNT, SCANNER), stamp: t });
    assert.equal(slam.update(scan(0), MOUNT, { x: 0, y: 0, theta: 0 }).integrated, true);
    assert.equal(slam.update(scan(0.5), MOUNT, { x: 0, y: 0, theta: 0 }).integrated, false);
    assert.equal(slam.update(scan(1.6), MOUNT, { x: 0, y: 0, theta: 0 }).integrated, true);
    assert.equal(slam.levels.length, 3);
    assert.equal(slam.levels[2]!.resolution, 0.2);
    assert.throws(() => new Slam({ minScore: 2 }), /minScore/);
  });

  it('starts on a stored map: finds the robot put down elsewhere, and keeps the map under new scans', () => {
    const truth = lap();
    const { slam } = run(5, truth);
    const stored = slam.toOccupancyGrid();
    const rng = new Rng(9);
    // The map frame is where the lap started (odometry's origin). Put the robot down 0.6 m and 1.5 rad away
    // from there.
    const offset: Pose2D = { x: 0.4, y: -0.45, theta: 1.5 };
    const world = composePose(truth[0]!, offset);
    const scan = syntheticScan(
      IRREGULAR_ROOM,
      composePose(world, MOUNT),
      { ...SCANNER, noise: 0.01, rng },
      0,
      0,
    );
    const odom: Pose2D = { x: 3, y: -2, theta: 0.3 }; // odometry starts anywhere
    const home: Pose2D = { x: 0, y: 0, theta: 0 };
    const later = new Slam();
    const found = later.startOnMap(stored, scan, MOUNT, odom, home, { linear: 1, angular: Math.PI });
    const at = offset;
    assert.ok(Math.hypot(found.pose.x - at.x, found.pose.y - at.y) < 0.05, JSON.stringify(found));
    assert.ok(Math.abs(found.pose.theta - at.theta) < 0.03, JSON.stringify(found));
    assert.ok(found.score > 0.6, `score ${found.score}`);
    // The map is the stored one, and odometry now maps onto it.
    assert.deepEqual(
      [later.toOccupancyGrid().width > 0, later.mapToOdom.x !== 0 || later.mapToOdom.y !== 0],
      [true, true],
    );
    const next = later.update(
      syntheticScan(IRREGULAR_ROOM, composePose(world, MOUNT), { ...SCANNER, noise: 0.01, rng }, 0.1, 1),
      MOUNT,
      odom,
    );
    assert.ok(next.matched && Math.hypot(next.pose.x - at.x, next.pose.y - at.y) < 0.05);
    // A scan taken in another room does not fit: the score says so.
    const elsewhere = syntheticScan(
      [
        [0, 0, 6, 0],
        [6, 0, 6, 0.8],
        [6, 0.8, 0, 0.8],
        [0, 0.8, 0, 0],
      ],
      { x: 1, y: 0.4, theta: 0 },
      { ...SCANNER, noise: 0.01, rng },
      0,
      0,
    );
    const lost = new Slam().startOnMap(stored, elsewhere, MOUNT, odom, truth[0]!, {
      linear: 1,
      angular: Math.PI,
    });
    // (Its absolute score depends on how the lap's walls happen to fall: 0.22–0.54 over lap seeds 1–8.)
    assert.ok(lost.score < found.score - 0.3, `score ${lost.score} against ${found.score}`);
  });
});
