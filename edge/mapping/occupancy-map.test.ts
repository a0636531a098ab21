import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OccupancyMap, UNKNOWN_CELL, type RayBatch } from './occupancy-map.ts';
import { traceRay } from './ray-trace.ts';

function rays(originX: number, originY: number, ends: Array<[number, number, 0 | 1]>): RayBatch {
  return {
    originX,
    originY,
    endX: Float64Array.from(ends.map((e) => e[0])),
    endY: Float64Array.from(ends.map((e) => e[1])),
    hit: Uint8Array.from(ends.map((e) => e[2])),
    count: ends.length,
  };
}

function cellsOf(sx: number, sy: number, ex: number, ey: number, includeEnd: boolean): string[] {
  const out: string[] = [];
  traceRay(sx, sy, ex, ey, includeEnd, (cx, cy) => out.push(`${cx},${cy}`));
  return out;
}

describe('traceRay (Amanatides–Woo)', () => {
  it('walks a horizontal ray cell by cell, the end cell only on request', () => {
    assert.deepEqual(cellsOf(0.5, 0.5, 3.5, 0.5, false), ['0,0', '1,0', '2,0']);
    assert.deepEqual(cellsOf(0.5, 0.5, 3.5, 0.5, true), ['0,0', '1,0', '2,0', '3,0']);
    assert.deepEqual(cellsOf(3.5, 2.5, 0.2, 2.5, true), ['3,2', '2,2', '1,2', '0,2']);
    assert.deepEqual(cellsOf(1.2, 1.7, 1.8, 1.1, true), ['1,1']);
  });

  it('a shallow diagonal visits exactly the cells the segment crosses', () => {
    // From (0.5, 0.2) to (3.5, 1.4): crosses y = 1 at x = 2.5.
    assert.deepEqual(cellsOf(0.5, 0.2, 3.5, 1.4, true), ['0,0', '1,0', '2,0', '2,1', '3,1']);
  });

  it('is 4-connected, ends in the end cell and stays within half a cell diagonal of the line', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (sx, sy, ex, ey) => {
          const cells: Array<[number, number]> = [];
          traceRay(sx, sy, ex, ey, true, (cx, cy) => cells.push([cx + 0, cy + 0]));
          assert.deepEqual(cells[0], [Math.floor(sx) + 0, Math.floor(sy) + 0]);
          assert.deepEqual(cells.at(-1), [Math.floor(ex) + 0, Math.floor(ey) + 0]);
          const len = Math.hypot(ex - sx, ey - sy);
          for (let k = 0; k < cells.length; k++) {
            const [cx, cy] = cells[k]!;
            if (k > 0) assert.equal(Math.abs(cx - cells[k - 1]![0]) + Math.abs(cy - cells[k - 1]![1]), 1);
            if (len > 1e-9) {
              // distance from the cell centre to the infinite line ≤ √2/2
              const d = Math.abs((ex - sx) * (sy - (cy + 0.5)) - (sx - (cx + 0.5)) * (ey - sy)) / len;
              assert.ok(d <= Math.SQRT1_2 + 1e-9, `cell ${cx},${cy} is ${d} from the line`);
            }
          }
        },
      ),
    );
  });
});

describe('OccupancyMap', () => {
  const at = (m: OccupancyMap, x: number, y: number): number => m.probabilityAt(m.cellX(x), m.cellY(y));

  it('marks free cells along a diagonal ray and the hit cell occupied', () => {
    const m = new OccupancyMap({ resolution: 0.1, growMargin: 0.5 });
    m.integrate(rays(0.05, 0.05, [[1.05, 1.05, 1]]));
    for (let k = 0; k < 10; k++) assert.ok(at(m, 0.05 + k * 0.1, 0.05 + k * 0.1) < 0.5, `diagonal cell ${k}`);
    assert.ok(at(m, 1.05, 1.05) > 0.65);
    // cells off the line were never seen
    assert.ok(Number.isNaN(at(m, 0.95, 0.15)));
    const g = m.toOccupancyGrid();
    const idx = (x: number, y: number): number => m.cellY(y) * g.width + m.cellX(x);
    assert.equal(g.data[idx(1.05, 1.05)], 100);
    assert.equal(g.data[idx(0.55, 0.55)], 0);
    assert.equal(g.data[idx(0.95, 0.15)], -1);
  });

  it('a no-return beam clears up to its end, including the end cell, and marks nothing', () => {
    const m = new OccupancyMap({ resolution: 0.1, growMargin: 0.5 });
    m.integrate(rays(0.05, 0.05, [[2.05, 0.05, 0]]));
    for (let k = 0; k <= 20; k++) assert.ok(at(m, 0.05 + k * 0.1, 0.05) < 0.5, `cell ${k}`);
    assert.ok(Number.isNaN(at(m, 2.15, 0.05)));
  });

  it('updates each cell once per scan, hits first: a grazing ray does not erase a wall hit', () => {
    const m = new OccupancyMap({ resolution: 0.1, growMargin: 0.5 });
    // beam 1 ends in cell (10, 0); beam 2 passes through that cell on its way further
    m.integrate(
      rays(0.05, 0.05, [
        [1.05, 0.05, 1],
        [2.05, 0.09, 1],
      ]),
    );
    assert.ok(at(m, 1.05, 0.05) > 0.65);
  });

  it('grows to fit rays that leave it, keeping every cell where it was (boundary rays included)', () => {
    const m = new OccupancyMap({ resolution: 0.05, growMargin: 1 });
    m.integrate(rays(0, 0, [[0.5, 0, 1]]));
    const w0 = m.width;
    const hitBefore = at(m, 0.5, 0);
    m.integrate(rays(0, 0, [[-6, 3, 1]]));
    assert.ok(m.width > w0);
    assert.equal(at(m, 0.5, 0), hitBefore, 'old hit keeps its value and position');
    assert.ok(at(m, -6, 3) > 0.65);
    assert.ok(m.originX <= -6 - 1 + 1e-9 && m.originY <= -1);
    // a ray ending exactly on the current boundary
    const edgeX = m.originX + m.width * m.resolution;
    m.integrate(rays(0, 0, [[edgeX, 0, 1]]));
    assert.ok(at(m, edgeX, 0) > 0.65);
    // cells stay aligned to the first allocation's lattice
    assert.ok(Math.abs(m.originX / m.resolution - Math.round(m.originX / m.resolution)) < 1e-6);
  });

  it('clamps log-odds: an obstacle that moves away fades out after a few clearing passes', () => {
    const m = new OccupancyMap({ resolution: 0.05 });
    for (let k = 0; k < 50; k++) m.integrate(rays(0.025, 0.025, [[1.025, 0.025, 1]]));
    assert.ok(at(m, 1.025, 0.025) >= 0.96);
    let passes = 0;
    while (at(m, 1.025, 0.025) > 0.45) {
      m.integrate(rays(0.025, 0.025, [[2.025, 0.025, 1]]));
      passes++;
    }
    assert.ok(passes <= 12, `${passes} passes`);
    assert.ok(m.toOccupancyGrid().data[m.cellY(0.025) * m.width + m.cellX(1.025)] === 0);
  });

  it('keeps the smoothed likelihood equal to a from-scratch blur of the evidence', () => {
    const m = new OccupancyMap({ resolution: 0.05, smoothing: 0.075 });
    for (let k = 0; k < 6; k++)
      m.integrate(
        rays(0.01, 0.02, [
          [1, 0.1 * k, 1],
          [0.5, -0.4, 1],
          [0.52, -0.4, 1],
          [-1, 0.2, 0],
          [-0.3, 0.9 - 0.2 * k, 1],
        ]),
      );
    // Evidence max(0, 2p − 1) per cell, blurred with the documented kernel (σ = 1.5 cells, radius 4).
    const evidence = (cx: number, cy: number): number => {
      const p = m.probabilityAt(cx, cy);
      return Number.isNaN(p) ? 0 : Math.max(0, 2 * p - 1);
    };
    let peak = 0;
    for (let cy = 0; cy < m.height; cy++)
      for (let cx = 0; cx < m.width; cx++) {
        let want = 0;
        for (let dy = -4; dy <= 4; dy++)
          for (let dx = -4; dx <= 4; dx++)
            want += Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5)) * evidence(cx + dx, cy + dy);
        const got = m.likelihood[cy * m.width + cx]!;
        assert.ok(Math.abs(got - want) < 2e-3, `cell ${cx},${cy}: ${got} vs ${want}`);
        peak = Math.max(peak, got);
      }
    assert.ok(peak > 0.9, 'repeated hits saturate the evidence');
  });

  it('decimates dense beams near the sensor without leaving gaps', () => {
    const n = 1600;
    const fan = (decimate: boolean): OccupancyMap => {
      const m = new OccupancyMap({ resolution: 0.05, growMargin: 0.5 });
      const b = rays(0.01, 0.02, []);
      b.endX = new Float64Array(n);
      b.endY = new Float64Array(n);
      b.hit = new Uint8Array(n).fill(1);
      b.count = n;
      for (let i = 0; i < n; i++) {
        const a = (2 * Math.PI * i) / n;
        const r = 6 + Math.sin(3 * a);
        b.endX[i] = 0.01 + r * Math.cos(a);
        b.endY[i] = 0.02 + r * Math.sin(a);
      }
      if (decimate) {
        b.beamSpacing = (2 * Math.PI) / n;
        b.beamIndex = Uint32Array.from({ length: n }, (_, i) => i);
      }
      m.integrate(b);
      return m;
    };
    const full = fan(false);
    const fast = fan(true);
    assert.equal(fast.width, full.width);
    let freeFull = 0;
    for (let i = 0; i < full.cells.length; i++) {
      const wasFree = full.cells[i]! < 0 && full.cells[i] !== UNKNOWN_CELL;
      if (!wasFree) continue;
      freeFull++;
      const cx = i % full.width;
      const cy = Math.floor(i / full.width);
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++)
        for (let dx = -1; dx <= 1 && !near; dx++) {
          const v = fast.cells[(cy + dy) * fast.width + cx + dx]!;
          near = v < 0 && v !== UNKNOWN_CELL;
        }
      assert.ok(near, `cell ${cx},${cy} cleared without decimation has no cleared neighbour with it`);
    }
    assert.ok(freeFull > 40000);
    // hits are never skipped
    assert.deepEqual(
      [...fast.cells].filter((v) => v > 0).length,
      [...full.cells].filter((v) => v > 0).length,
    );
  });

  it('round-trips through OccupancyGrid values', () => {
    const m = new OccupancyMap({ resolution: 0.05 });
    for (let k = 0; k < 3; k++)
      m.integrate(
        rays(0, 0, [
          [1, 1, 1],
          [-1, 0.5, 1],
          [0.3, -2, 0],
        ]),
      );
    const g = m.toOccupancyGrid();
    const back = OccupancyMap.fromOccupancyGrid(g).toOccupancyGrid();
    assert.deepEqual(back, g);
    assert.ok(g.data.includes(100) && g.data.includes(0) && g.data.includes(-1));
    assert.equal(m.cells.includes(UNKNOWN_CELL), true);
  });
});

describe('OccupancyMap.feedCoarser', () => {
  it('a fed coarse level puts its likelihood ridge on the walls the fine level sees, growing with it', () => {
    const fine = new OccupancyMap({ resolution: 0.05 });
    const coarse = new OccupancyMap({ resolution: 0.2 });
    fine.feedCoarser(coarse);
    // A wall at x = 2.1 seen from the origin, then one at x = −6.1 (the grids must grow to hold it).
    const wall = (x: number): Array<[number, number, 0 | 1]> =>
      Array.from({ length: 41 }, (_, i) => [x, -1 + i * 0.05, 1] as [number, number, 0 | 1]);
    for (let k = 0; k < 3; k++) fine.integrate(rays(0, 0, [...wall(2.1), ...wall(-6.1)]));
    for (const x of [2.1, -6.1]) {
      const cy = coarse.cellY(0);
      let best = -1;
      for (let cx = 0; cx < coarse.width; cx++)
        if (
          best < 0 ||
          coarse.likelihood[cy * coarse.width + cx]! > coarse.likelihood[cy * coarse.width + best]!
        )
          if (Math.abs(coarse.originX + (cx + 0.5) * 0.2 - x) < 1) best = cx;
      assert.equal(best, coarse.cellX(x), `ridge at the wall x = ${x}`);
      assert.ok(coarse.likelihood[cy * coarse.width + best]! > 0.5);
    }
    // Only the likelihood is fed: the coarse level's own cells stay unknown.
    assert.ok(coarse.cells.every((v) => v === UNKNOWN_CELL));
  });

  it('refuses a level that is not coarser', () => {
    const fine = new OccupancyMap({ resolution: 0.05 });
    assert.throws(() => fine.feedCoarser(new OccupancyMap({ resolution: 0.05 })));
  });
});
