/**
 * Every benchmark, one registration line each. A benchmark returns its figures under its own name; `swath
 * bench --json` prints them all as one JSON object, e.g. { "rplidar": { "parseMBps": 80 } }.
 */
export interface Benchmark {
  name: string;
  run(): Promise<Record<string, number | string>>;
}

export const benchmarks: ReadonlyArray<() => Promise<Benchmark>> = [
  () => import('../../edge/sim/sim.bench.ts').then((m) => m.default),
  () => import('../../edge/drivers/create2/oi.bench.ts').then((m) => m.default),
  () => import('../../edge/drivers/rplidar/rplidar.bench.ts').then((m) => m.default),
  () => import('../../edge/sim/world/world.bench.ts').then((m) => m.default),
  () => import('../../cloud/ingest/ingest.bench.ts').then((m) => m.default),
  () => import('../../edge/mapping/mapping.bench.ts').then((m) => m.default),
  () => import('../../edge/control/control.bench.ts').then((m) => m.default),
  () => import('../../edge/mission/frontiers.bench.ts').then((m) => m.default),
  () => import('../../edge/planning/planner.bench.ts').then((m) => m.default),
];
