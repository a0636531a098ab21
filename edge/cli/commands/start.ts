import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCapture } from '../../sim/capture/capture.ts';
import { progressBar } from '../progress.ts';

/**
 * `npm start`: the one-command demo. Until the mission and cloud work lands it runs a simulated capture in
 * the apartment world and says where the data went.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('demo: run the simulated robot in the apartment world and record its sensors')
    .option('--out <dir>', 'output directory', 'out/capture-apartment')
    .option('--duration <s>', 'simulated seconds', '60')
    .action(async (flags: { out: string; duration: string }) => {
      const out = resolve(flags.out);
      const duration = Number(flags.duration);
      process.stdout.write(`Swath: simulating the apartment world for ${duration} s (seed 1)…\n`);
      const bar = progressBar('simulating', duration, 's');
      const summary = await runCapture({
        world: 'apartment',
        seed: 1,
        duration,
        out,
        onProgress: (done) => bar.update(done * duration),
      });
      bar.stop();
      process.stdout.write(
        `done in ${summary.wallTime.toFixed(1)} s (${summary.realtimeFactor.toFixed(0)}× real time): ` +
          `${summary.scans} LIDAR scans, ${summary.distance.toFixed(1)} m driven.\n` +
          `Data written to ${out} (${summary.files.join(', ')}); the format is in docs/capture-format.md.\n`,
      );
    });
}
