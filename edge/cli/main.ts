/** The `swath` CLI: parses flags and hands off to the modules; each subcommand lives in commands/. */
import { Command, CommanderError } from 'commander';
import { UserInputError } from '../../shared/errors.ts';
import { commands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('swath')
    .description('Swath: autonomous floor-coverage robots on a Raspberry Pi, and their fleet control plane')
    .showHelpAfterError()
    // `swath sim --world X` runs a mission while `swath sim capture --world X` captures: options belong to the command they follow.
    .enablePositionalOptions()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code (2 for bad input, 1 for failures). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here as "errors" with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserInputError) {
      process.stderr.write(`swath: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`swath: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
