/**
 * Many missions, one figure per world: the acceptance view of the simulator (coverage over seeds, collisions,
 * contacts only a camera could prevent). Pure: mission reports in, summary out.
 */
import { ACTIVITIES, type ActivityTime } from '../daemon/activity.ts';
import type { MissionReport } from './mission-sim.ts';

export interface WorldSweepSummary {
  world: string;
  runs: number;
  done: number;
  /** the seeds whose mission did not end with `done`, and why */
  aborted: Array<{ seed: number; reason: string }>;
  meanCoverage: number;
  minCoverage: number;
  meanCoverageStrict: number;
  collisions: number;
  lowObstacleContacts: number;
  overhangContacts: number;
  meanSimTime: number;
  /** Σ simTime / Σ wallTime: each mission's own speed, whatever ran beside it */
  realtimeFactor: number;
  /** simulated seconds of all the world's missions by what the robot was doing */
  activityTime: ActivityTime;
}

/** Per world, in the order the worlds first appear. */
export function summarizeSweep(reports: readonly MissionReport[]): WorldSweepSummary[] {
  const byWorld = new Map<string, MissionReport[]>();
  for (const r of reports) {
    const list = byWorld.get(r.world) ?? [];
    list.push(r);
    byWorld.set(r.world, list);
  }
  return [...byWorld].map(([world, list]) => {
    const sum = (f: (r: MissionReport) => number) => list.reduce((s, r) => s + f(r), 0);
    const mean = (f: (r: MissionReport) => number) => sum(f) / list.length;
    return {
      world,
      runs: list.length,
      done: list.filter((r) => r.result === 'done').length,
      aborted: list
        .filter((r) => r.result !== 'done')
        .map((r) => ({ seed: r.seed, reason: r.reason ?? r.result })),
      meanCoverage: round(mean((r) => r.coverage)),
      minCoverage: round(Math.min(...list.map((r) => r.coverage))),
      meanCoverageStrict: round(mean((r) => r.coverageStrict)),
      collisions: sum((r) => r.collisions),
      lowObstacleContacts: sum((r) => r.lowObstacleContacts),
      overhangContacts: sum((r) => r.overhangContacts ?? 0),
      meanSimTime: round(
        mean((r) => r.simTime),
        1,
      ),
      realtimeFactor: round(
        sum((r) => r.simTime) /
          Math.max(
            sum((r) => r.wallTime),
            1e-9,
          ),
        1,
      ),
      activityTime: Object.fromEntries(
        ACTIVITIES.map((a) => [
          a,
          round(
            sum((r) => r.activityTime[a]),
            1,
          ),
        ]),
      ) as ActivityTime,
    };
  });
}

/** "1-20", "3", "1,4,7-9" → the seeds, in order, without repeats. */
export function parseSeedList(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a seed or a range like 1-20`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`"${part}": the range ends before it starts`);
    if (hi - lo > 10_000) throw new Error(`"${part}": more than 10,000 seeds`);
    for (let s = lo; s <= hi; s++) if (!seeds.includes(s)) seeds.push(s);
  }
  return seeds;
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));
