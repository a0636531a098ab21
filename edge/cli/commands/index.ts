/** Every `swath` subcommand, one registration line each. */
import type { Command } from 'commander';
import { registerBench } from './bench.ts';
import { registerCloud } from './cloud.ts';
import { registerConfig } from './config.ts';
import { registerEdge } from './edge.ts';
import { registerMap } from './map.ts';
import { registerPlan } from './plan.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';

export const commands: ReadonlyArray<(program: Command) => void> = [
  registerStart,
  registerEdge,
  registerConfig,
  registerSim,
  registerBench,
  registerMap,
  registerCloud,
  registerPlan,
];
