import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadRobotConfig } from '../../../shared/config.ts';
import { configReferenceTable } from '../../../shared/config-reference.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('robot config files');
  config
    .command('check <file>')
    .description('validate a robot config file and print it with every default filled in')
    .action((file: string) => {
      process.stdout.write(stringify(loadRobotConfig(file)));
    });
  config
    .command('reference')
    .description('print the config file reference table (Markdown), generated from the schema')
    .action(() => {
      process.stdout.write(`${configReferenceTable()}\n`);
    });
}
