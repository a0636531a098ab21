import type { Command } from 'commander';
import { benchmarks } from '../../../test/bench/registry.ts';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the benchmarks (speed and memory targets)')
    .option('--json', 'print one JSON object with every figure')
    .option('--only <names>', 'comma-separated benchmark names')
    .action(async (opts: { json?: boolean; only?: string }) => {
      const only = opts.only?.split(',').map((s) => s.trim());
      const results: Record<string, Record<string, number | string>> = {};
      for (const load of benchmarks) {
        const bench = await load();
        if (only && !only.includes(bench.name)) continue;
        if (!opts.json) process.stderr.write(`bench ${bench.name}…\n`);
        results[bench.name] = await bench.run();
        if (!opts.json) process.stdout.write(`${bench.name}: ${JSON.stringify(results[bench.name])}\n`);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    });
}
