import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCapture } from '../../sim/capture/capture.ts';
import { parseNumberFlag } from '../args.ts';
import { progressBar } from '../progress.ts';
import { configureSimMission } from './sim-mission.ts';
import { configureSimSweep } from './sim-sweep.ts';

interface CaptureFlags {
  world: string;
  seed: string;
  duration: string;
  out: string;
  json?: boolean;
}

export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('run one complete mission of the daemon against the simulated robot, or a capture');
  configureSimMission(sim);
  configureSimSweep(sim);
  sim
    .command('capture')
    .description('drive the simulated robot on a wander and record its sensors with ground truth')
    .option(
      '--world <preset|file>',
      'studio, apartment, office, a world file, or a map_server YAML',
      'apartment',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--duration <s>', 'simulated seconds', '30')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: CaptureFlags) => {
      const seed = parseNumberFlag('--seed', flags.seed, { integer: true, min: 0 });
      const duration = parseNumberFlag('--duration', flags.duration, { min: 1 });
      const out = resolve(flags.out);
      const bar = progressBar('capture', duration, 's');
      const summary = await runCapture({
        world: flags.world,
        seed,
        duration,
        out,
        onProgress: (done) => bar.update(done * duration),
      });
      bar.stop();
      if (flags.json) process.stdout.write(`${JSON.stringify({ out, ...summary })}\n`);
      else
        process.stdout.write(
          `captured ${summary.duration} s of the ${summary.world} world (seed ${summary.seed}) in ${summary.wallTime.toFixed(1)} s: ` +
            `${summary.scans} scans, ${summary.lidarSamples} LIDAR samples, ${summary.cameraFrames} camera frames, ${summary.distance.toFixed(1)} m driven\n` +
            `SLAM pose RMS error ${(summary.poseRmse * 100).toFixed(1)} cm (odometry alone ${(summary.odometryRmse * 100).toFixed(1)} cm), map agreement ${(summary.mapAgreement * 100).toFixed(1)} %\n` +
            `wrote ${summary.files.join(', ')} to ${out}\n`,
        );
    });
}
