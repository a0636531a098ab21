import { resolve } from 'node:path';
import type { Command } from 'commander';
import { motionPlanner } from '../../planning/motion-planner.ts';
import { runMission } from '../../sim/mission-sim.ts';
import { formatActivityTime } from '../../daemon/activity.ts';
import { parseNumberFlag } from '../args.ts';

interface MissionFlags {
  world: string;
  seed: string;
  json?: boolean;
  out?: string;
  timeLimit?: string;
  lidarOutage?: string;
  mapDir?: string;
}

/** `swath sim`: one complete mission against the simulated robot, with a report. */
export function configureSimMission(sim: Command): void {
  sim
    .option(
      '--world <preset|file>',
      'studio, apartment, office, a world file, or a map_server YAML',
      'apartment',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print the report as one JSON object')
    .option(
      '--out <dir>',
      'write the final map (ROS files + PNG with the driven path), the mission log, the report and a Foxglove trace (mission.mcap)',
    )
    .option(
      '--time-limit <s>',
      'simulated seconds before the mission is aborted (default: 90 s per m² of cleanable floor, at least 3600)',
    )
    .option('--lidar-outage <at,duration>', 'unplug the LIDAR at this time for this long (s)')
    .option(
      '--map-dir <dir>',
      'keep the site map here: the first run explores and saves it, later runs load it and relocalize',
    )
    .action(async (flags: MissionFlags) => {
      const seed = parseNumberFlag('--seed', flags.seed, { integer: true, min: 0 });
      const timeLimit =
        flags.timeLimit === undefined
          ? undefined
          : parseNumberFlag('--time-limit', flags.timeLimit, { min: 1 });
      let lidarOutage: { at: number; duration: number } | undefined;
      if (flags.lidarOutage) {
        const [at, duration] = flags.lidarOutage.split(',');
        lidarOutage = {
          at: parseNumberFlag('--lidar-outage', at ?? '', { min: 1 }),
          duration: parseNumberFlag('--lidar-outage', duration ?? '', { min: 0.1 }),
        };
      }
      const tty = process.stderr.isTTY && !flags.json;
      const report = await runMission({
        world: flags.world,
        seed,
        planner: motionPlanner,
        timeLimit,
        out: flags.out ? resolve(flags.out) : undefined,
        lidarOutage,
        mapDir: flags.mapDir ? resolve(flags.mapDir) : undefined,
        onProgress: (p) => {
          if (tty)
            process.stderr.write(
              `\r${p.mode.padEnd(10)} t=${p.simTime.toFixed(0).padStart(5)} s  coverage ${(p.coverage * 100).toFixed(1)} %   `,
            );
        },
      });
      if (tty) process.stderr.write('\n');
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const lines = [
        `mission ${report.result}${report.reason ? ` (${report.reason})` : ''} in the ${report.world} world, seed ${report.seed}`,
        `coverage ${(report.coverage * 100).toFixed(1)} % of ${report.cleanableArea} m² (${(report.coverageStrict * 100).toFixed(1)} % of ${report.cleanableAreaStrict} m² where the bare footprint fits), collisions ${report.collisions}, low-obstacle contacts ${report.lowObstacleContacts}, overhang contacts ${report.overhangContacts}`,
        `path ${report.pathLength} m, sim time ${report.simTime} s (explore ${report.exploreTime} s, cover ${report.coverTime} s), wall ${report.wallTime} s (${report.realtimeFactor}×)`,
        `replans ${report.replans} (max ${report.replanMsMax} ms), pose RMS error ${(report.poseRmse * 100).toFixed(1)} cm, map agreement ${(report.mapAgreement * 100).toFixed(1)} %`,
        `time ${formatActivityTime(report.activityTime)}`,
      ];
      if (flags.out)
        lines.push(`wrote map.yaml, map.pgm, map.png, mission.jsonl, report.json to ${resolve(flags.out)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
