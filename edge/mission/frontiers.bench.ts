/** Frontier search speed: a 20 × 20 m map at 0.05 m (160,000 cells), half explored, with partition walls. */
import type { Benchmark } from '../../test/bench/registry.ts';
import { createGrid, FREE, OCCUPIED, UNKNOWN } from '../../shared/occupancy-grid.ts';
import { findFrontierGoal, FrontierParamsSchema } from './frontiers.ts';

const bench: Benchmark = {
  name: 'frontiers',
  async run() {
    const size = 400;
    const grid = createGrid(
      { width: size, height: size, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } },
      UNKNOWN,
    );
    for (let y = 20; y < 380; y++) for (let x = 20; x < 220; x++) grid.data[y * size + x] = FREE;
    for (let x = 40; x < 220; x += 40) for (let y = 20; y < 300; y++) grid.data[y * size + x] = OCCUPIED;
    const params = FrontierParamsSchema.parse({});
    const runs = 10;
    let clusters = 0;
    const t0 = performance.now();
    for (let k = 0; k < runs; k++) {
      const out = findFrontierGoal(grid, { x: 1.5 + k * 0.1, y: 2 }, params);
      clusters = out.clusters.length;
    }
    return {
      msPerSearch: Math.round(((performance.now() - t0) / runs) * 100) / 100,
      cells: size * size,
      clusters,
    };
  },
};

export default bench;
