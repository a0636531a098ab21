/** `swath map --replay LOG`: runs the robot's SLAM pipeline over a recorded CARMEN log and writes the map. */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { UserInputError } from '../../../shared/errors.ts';
import {
  CarmenParseError,
  DEFAULT_NO_RETURN_RANGE,
  parseCarmenLog,
  type CarmenLog,
} from '../../mapping/carmen.ts';
import { renderMapPng, writeRosMap } from '../../mapping/map-file.ts';
import { replayCarmen } from '../../mapping/replay.ts';
import { absoluteTrajectoryError, quantile, stepTranslationErrors } from '../../mapping/trajectory.ts';
import { parseNumberFlag } from '../args.ts';

interface MapOptions {
  replay?: string;
  out?: string;
  posesOut?: string;
  json?: boolean;
  skipBad?: boolean;
  ate?: boolean;
  noReturnRange?: string;
}

/** Reads a plain or gzip-compressed log as text. */
export function readLogText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UserInputError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new UserInputError(`${file}: corrupt gzip data: ${(err as Error).message}`, { cause: err });
    }
  }
  return bytes.toString('utf8');
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('build a map by replaying a recorded LIDAR log through the SLAM pipeline')
    .requiredOption('--replay <file>', 'CARMEN log (plain or .gz) with FLASER lines')
    .option(
      '--out <prefix>',
      'write PREFIX.yaml, PREFIX.pgm (ROS map) and PREFIX.png (picture with trajectory)',
    )
    .option('--poses-out <file>', 'write the corrected trajectory: "timestamp x y theta" per scan')
    .option('--json', 'print the summary as one JSON object')
    .option('--skip-bad', 'skip and count malformed lines instead of stopping at the first')
    .option(
      '--ate',
      "compare with the log's FLASER poses (ground truth in corrected logs): ATE of the final and of the online trajectory, median step errors",
    )
    .option(
      '--no-return-range <m>',
      `ranges at or above this are "no return" (default ${DEFAULT_NO_RETURN_RANGE})`,
    )
    .action((opts: MapOptions) => {
      const file = opts.replay!;
      const noReturnRange =
        opts.noReturnRange !== undefined
          ? parseNumberFlag('--no-return-range', opts.noReturnRange, { min: 0 })
          : DEFAULT_NO_RETURN_RANGE;
      const text = readLogText(file);
      let log: CarmenLog;
      try {
        log = parseCarmenLog(text, { skipBad: opts.skipBad ?? false, noReturnRange });
      } catch (err) {
        if (err instanceof CarmenParseError)
          throw new UserInputError(`${file}: ${err.message} (use --skip-bad to skip such lines)`, {
            cause: err,
          });
        throw err;
      }
      if (log.scans.length === 0)
        throw new UserInputError(`${file}: no FLASER lines: not a CARMEN laser log?`);

      const bar =
        process.stderr.isTTY && !opts.json
          ? new cliProgress.SingleBar(
              { format: 'mapping [{bar}] {value}/{total} scans', stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(log.scans.length, 0);
      const {
        slam,
        poses: online,
        trajectory: poses,
        matched,
        msPerScan: ms,
      } = replayCarmen(log, {
        nowMs: () => performance.now(),
        onScan: (k) => {
          if (k % 10 === 9) bar?.update(k + 1);
        },
      });
      bar?.update(log.scans.length);
      bar?.stop();

      const grid = slam.toOccupancyGrid();
      const outputs: string[] = [];
      if (opts.out) {
        const { yamlPath, imagePath } = writeRosMap(grid, opts.out);
        const pngPath = `${opts.out}.png`;
        writeFileSync(pngPath, renderMapPng(grid, { polylines: [{ points: poses, color: [220, 30, 30] }] }));
        outputs.push(yamlPath, imagePath, pngPath);
      }
      if (opts.posesOut) {
        const lines = poses.map(
          (p, k) => `${log.scans[k]!.timestamp} ${p.x.toFixed(6)} ${p.y.toFixed(6)} ${p.theta.toFixed(6)}`,
        );
        writeFileSync(opts.posesOut, `${lines.join('\n')}\n`);
        outputs.push(opts.posesOut);
      }
      const summary: Record<string, unknown> = {
        scans: log.scans.length,
        matched,
        skippedLines: log.skipped,
        msPerScanMedian: round(quantile(ms, 0.5), 3),
        msPerScanP95: round(quantile(ms, 0.95), 3),
        loopClosures: slam.graphStats.loops,
        map: { width: grid.width, height: grid.height, resolution: grid.resolution, origin: grid.origin },
        outputs,
      };
      if (opts.ate) {
        const truth = log.scans.map((s) => s.pose);
        const odom = log.scans.map((s) => s.odom);
        summary.ate = round(absoluteTrajectoryError(poses, truth), 4);
        summary.ateOnline = round(absoluteTrajectoryError(online, truth), 4);
        summary.ateOdometry = round(absoluteTrajectoryError(odom, truth), 4);
        summary.stepErrorMedian = round(quantile(stepTranslationErrors(poses, truth), 0.5), 4);
        summary.stepErrorMedianOdometry = round(quantile(stepTranslationErrors(odom, truth), 0.5), 4);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        for (const [key, value] of Object.entries(summary))
          process.stdout.write(
            `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`,
          );
      }
    });
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
