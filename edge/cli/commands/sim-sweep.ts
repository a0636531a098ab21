import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserInputError } from '../../../shared/errors.ts';
import type { MissionReport } from '../../sim/mission-sim.ts';
import { ACTIVITIES, formatActivityTime, type Activity } from '../../daemon/activity.ts';
import { parseSeedList, summarizeSweep } from '../../sim/sweep.ts';
import { parseNumberFlag } from '../args.ts';
import { progressBar } from '../progress.ts';

interface SweepFlags {
  worlds: string;
  seeds: string;
  jobs: string;
  timeLimit?: string;
  json?: boolean;
  out?: string;
}

const SWATH = fileURLToPath(new URL('../swath.mjs', import.meta.url));

/** What a child `swath sim --json` prints: checked before it is summed up. */
const ReportSchema = z
  .object({
    result: z.enum(['done', 'aborted']),
    reason: z.string().optional(),
    world: z.string(),
    seed: z.number().int(),
    coverage: z.number(),
    coverageStrict: z.number(),
    collisions: z.number().int(),
    lowObstacleContacts: z.number().int(),
    overhangContacts: z.number().int(),
    simTime: z.number(),
    wallTime: z.number(),
    activityTime: z.strictObject(
      Object.fromEntries(ACTIVITIES.map((a) => [a, z.number().nonnegative()])) as Record<
        Activity,
        z.ZodNumber
      >,
    ),
  })
  .loose();

/** `swath sim sweep`: one mission per world and seed, in parallel child processes, summed up per world. */
export function configureSimSweep(sim: Command): void {
  sim
    .command('sweep')
    .description('run a mission for every world and seed (child processes) and sum them up per world')
    .option('--worlds <list>', 'comma-separated presets or world files', 'studio,apartment,office')
    .option('--seeds <list>', 'seeds: numbers and ranges, e.g. 1-20 or 1,4,7-9', '1-20')
    .option('--jobs <n>', 'missions at a time', '2')
    .option(
      '--time-limit <s>',
      'simulated seconds before a mission is aborted (default: 90 s per m² of cleanable floor, at least 3600)',
    )
    .option('--json', 'print the per-world summary as one JSON object')
    .option('--out <file>', 'also append every mission report to this JSONL file')
    .action(async (flags: SweepFlags) => {
      const seeds = (() => {
        try {
          return parseSeedList(flags.seeds);
        } catch (err) {
          throw new UserInputError(`--seeds: ${(err as Error).message}`);
        }
      })();
      const worlds = flags.worlds
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean);
      if (worlds.length === 0) throw new UserInputError('--worlds: name at least one world');
      const jobs = parseNumberFlag('--jobs', flags.jobs, { integer: true, min: 1 });
      const timeLimit =
        flags.timeLimit === undefined
          ? undefined
          : parseNumberFlag('--time-limit', flags.timeLimit, { min: 1 });
      const out = flags.out ? resolve(flags.out) : undefined;
      if (out) {
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, '');
      }
      const queue = worlds.flatMap((world) => seeds.map((seed) => ({ world, seed })));
      const reports: MissionReport[] = [];
      const bar = progressBar('sweep', queue.length, 'missions');
      const quietLog = !process.stderr.isTTY;
      let next = 0;
      const worker = async () => {
        while (next < queue.length) {
          const { world, seed } = queue[next++]!;
          const report = await runChild(world, seed, timeLimit);
          reports.push(report);
          if (out) appendFileSync(out, `${JSON.stringify(report)}\n`);
          bar.update(reports.length);
          if (quietLog)
            process.stderr.write(
              `${world} seed ${seed}: ${report.result}${report.reason ? ` (${report.reason})` : ''}, coverage ${report.coverage}, collisions ${report.collisions}, low-obstacle contacts ${report.lowObstacleContacts}, ${report.simTime} s in ${report.wallTime} s\n`,
            );
        }
      };
      await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
      bar.stop();
      // Seeds finish out of order; the summary should not depend on it.
      reports.sort((a, b) => worlds.indexOf(a.world) - worlds.indexOf(b.world) || a.seed - b.seed);
      const summary = summarizeSweep(reports);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ seeds, timeLimit, worlds: summary })}\n`);
        return;
      }
      for (const s of summary)
        process.stdout.write(
          `${s.world}: ${s.done}/${s.runs} done, coverage mean ${(s.meanCoverage * 100).toFixed(1)} % (min ${(s.minCoverage * 100).toFixed(1)} %), collisions ${s.collisions}, low-obstacle contacts ${s.lowObstacleContacts}, overhang contacts ${s.overhangContacts}, mean sim time ${s.meanSimTime} s, ${s.realtimeFactor}× real time\n  time: ${formatActivityTime(s.activityTime)}\n`,
        );
    });
}

function runChild(world: string, seed: number, timeLimit: number | undefined): Promise<MissionReport> {
  return new Promise((resolvePromise, reject) => {
    const args = [SWATH, 'sim', '--world', world, '--seed', String(seed), '--json'];
    if (timeLimit !== undefined) args.push('--time-limit', String(timeLimit));
    // A sweep started from a test must not have its children report as test processes.
    const { NODE_TEST_CONTEXT: _testContext, ...env } = process.env;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        const parsed = ReportSchema.parse(JSON.parse(last));
        resolvePromise(parsed as unknown as MissionReport);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const detail = stderr.trim().split('\n').at(-1) ?? '';
        reject(new Error(`${world} seed ${seed}: ${message}${detail ? ` — ${detail}` : ''}`));
      }
    });
  });
}
