/** Every `swath` subcommand, one registration line each. */
import type { Command } from 'commander';
import { registerBench } from './bench.ts';
import { registerConfig } from './config.ts';

export const commands: ReadonlyArray<(program: Command) => void> = [registerConfig, registerBench];
