/**
 * Mapping speed: one 1,600-point scan integrated and matched into a 40 × 40 m map at 0.05 m (the size of a
 * large home at the robot's resolution), whole-log replay speed on the ACES fixture, and what one loop
 * closure's graph optimisation + map rebuild costs at the end of that log (440 nodes).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Benchmark } from '../../test/bench/registry.ts';
import { composePose, type Pose2D } from '../../shared/geometry.ts';
import { Rng } from '../sim/rng.ts';
import { parseCarmenLog } from './carmen.ts';
import { replayCarmen } from './replay.ts';
import { Slam } from './slam.ts';
import { polygonWalls, syntheticScan, type Segment } from './synthetic-scan.ts';
import { noisyOdometry, quantile } from './trajectory.ts';

/** A 40 × 40 m floor with rooms: outer walls, two partition walls with doorways and a few pillars. */
function bigFloor(): Segment[] {
  const walls: Segment[] = [
    ...polygonWalls([
      [-20, -20],
      [20, -20],
      [20, 20],
      [-20, 20],
    ]),
    [-20, 0, -3, 0],
    [-1, 0, 8, 0],
    [10, 0, 20, 0],
    [0, -20, 0, -6],
    [0, -4, 0, 12],
    [0, 14, 0, 20],
  ];
  for (const [x, y] of [
    [-10, -10],
    [10, -10],
    [-10, 10],
    [10, 10],
    [5, 5],
    [-6, 4],
  ] as const)
    walls.push(
      ...polygonWalls([
        [x, y],
        [x + 0.6, y],
        [x + 0.6, y + 0.6],
        [x, y + 0.6],
      ]),
    );
  return walls;
}

const bench: Benchmark = {
  name: 'mapping',
  async run() {
    const walls = bigFloor();
    const rng = new Rng(11);
    const scanner = { beams: 1600, startAngle: -Math.PI, fov: 2 * Math.PI, maxRange: 30, noise: 0.01, rng };
    // A tour through all four rooms, 0.2 m per scan.
    const truth: Pose2D[] = [];
    const corners: Array<[number, number]> = [
      [-10, -5],
      [-2, -5],
      [-2, 5],
      [-10, 5],
      [-10, 15],
      [9, 15],
      [9, 5],
      [15, 5],
      [15, -15],
      [-10, -15],
    ];
    for (let c = 0; c + 1 < corners.length; c++) {
      const [x0, y0] = corners[c]!;
      const [x1, y1] = corners[c + 1]!;
      const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.2);
      for (let s = 0; s < steps; s++)
        truth.push({
          x: x0 + ((x1 - x0) * s) / steps,
          y: y0 + ((y1 - y0) * s) / steps,
          theta: Math.atan2(y1 - y0, x1 - x0),
        });
    }
    const odom = noisyOdometry(truth, rng.fork());
    const slam = new Slam();
    const mount: Pose2D = { x: 0, y: 0, theta: 0 };
    const ms: number[] = [];
    for (let k = 0; k < truth.length; k++) {
      const scan = syntheticScan(walls, composePose(truth[k]!, mount), scanner, k * 0.1, k);
      const t0 = performance.now();
      slam.update(scan, mount, odom[k]!);
      // The first scans only grow the map; time the steady state.
      if (k >= 10) ms.push(performance.now() - t0);
    }
    const map = slam.map;

    const log = parseCarmenLog(
      gunzipSync(
        readFileSync(new URL('../../test/fixtures/carmen/aces-corrected.log.gz', import.meta.url)),
      ).toString('utf8'),
    );
    const t0 = performance.now();
    const replay = replayCarmen(log);
    const replaySeconds = (performance.now() - t0) / 1000;
    // One more optimisation + rebuild of the whole graph, as after a loop closure (median of 5).
    const closureMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t1 = performance.now();
      replay.slam.finish();
      closureMs.push(performance.now() - t1);
    }
    return {
      msPerScan: round(quantile(ms, 0.5)),
      msPerScanP95: round(quantile(ms, 0.95)),
      scanPoints: scanner.beams,
      mapWidthM: round(map.width * map.resolution),
      mapHeightM: round(map.height * map.resolution),
      replayScansPerSec: round(log.scans.length / replaySeconds),
      closureRebuildMs: round(quantile(closureMs, 0.5)),
    };
  },
};

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export default bench;
