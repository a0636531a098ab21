import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGrid, type GridInfo } from '../../../shared/occupancy-grid.ts';
import type { RayBatch } from '../occupancy-map.ts';
import { FREE_SPACE, INSCRIBED, LETHAL, NO_INFORMATION } from './costmap.ts';
import { InflationLayer } from './inflation-layer.ts';
import { createRobotCostmap } from './index.ts';
import { Rng } from '../../sim/rng.ts';

const info: GridInfo = { width: 40, height: 30, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } };
const cell = (x: number, y: number): number => Math.floor(y / 0.05) * 40 + Math.floor(x / 0.05);

function staticMap() {
  const g = createGrid(info, 0);
  for (let x = 0; x < 40; x++) g.data[x] = 100; // bottom wall
  for (let i = 0; i < 5; i++) g.data[25 * 40 + i] = -1;
  return g;
}

function ray(ox: number, oy: number, ex: number, ey: number, hit: 0 | 1): RayBatch {
  return {
    originX: ox,
    originY: oy,
    endX: Float64Array.of(ex),
    endY: Float64Array.of(ey),
    hit: Uint8Array.of(hit),
    count: 1,
  };
}

describe('costmap layers', () => {
  it('static layer: occupied lethal, free free, unknown unknown; inflation decays away from walls', () => {
    const c = createRobotCostmap(info, { robotRadius: 0.1, inflationMargin: 0.3, costScaling: 3 });
    c.static.setMap(staticMap());
    const costs = c.costmap.update(0).costs;
    assert.equal(costs[cell(1, 0.01)], LETHAL);
    assert.equal(costs[cell(1, 0.1)], INSCRIBED, '0.1 m from the wall: inscribed');
    const at = (d: number): number => costs[cell(1, 0.025 + d)]!;
    // 0.2 m from the wall cell centre: 252·e^(−3·(0.2 − 0.1)) = 186
    assert.equal(at(0.2), Math.floor(252 * Math.exp(-3 * 0.1)));
    assert.ok(at(0.15) > at(0.25) && at(0.25) > at(0.35));
    assert.equal(at(0.6), FREE_SPACE);
    assert.equal(costs[cell(0.1, 25 * 0.05 + 0.01)], NO_INFORMATION);
  });

  it('lidar layer marks hits within range and clears them when beams pass through later', () => {
    const c = createRobotCostmap(info, { robotRadius: 0.1, inflationMargin: 0.1 });
    c.static.setMap(createGrid(info, 0));
    c.lidar.markAndClear(ray(0.2, 0.7, 1.2, 0.7, 1), info);
    assert.equal(c.costmap.update(0).costs[cell(1.2, 0.7)], LETHAL);
    assert.ok(c.lidar.isMarked(1.2, 0.7));
    // beyond the obstacle range: not marked
    c.lidar.markAndClear(ray(0.2, 1.2, 1.9, 1.2, 1), { ...info });
    assert.ok(!createRobotCostmap(info, { obstacleRange: 1 }).lidar.isMarked(1.9, 1.2));
    // the obstacle moved: a beam passes through its cell
    c.lidar.markAndClear(ray(0.2, 0.7, 1.8, 0.7, 1), info);
    assert.ok(!c.lidar.isMarked(1.2, 0.7));
    assert.notEqual(c.costmap.update(1).costs[cell(1.2, 0.7)], LETHAL);
  });

  it('lidar marks no beam hits again decay; marks hit again stay', () => {
    const c = createRobotCostmap(info, { robotRadius: 0.1, inflationMargin: 0.1, obstacleDecay: 10 });
    c.static.setMap(createGrid(info, 0));
    c.lidar.markAndClear(ray(0.2, 0.7, 1.2, 0.7, 1), info, 0);
    c.lidar.markAndClear(ray(0.2, 1.2, 1.2, 1.2, 1), info, 0);
    assert.equal(c.costmap.update(9).costs[cell(1.2, 0.7)], LETHAL);
    // seen again at 8 s: its decay starts over
    c.lidar.markAndClear(ray(0.2, 1.2, 1.2, 1.2, 1), info, 8);
    const later = c.costmap.update(12).costs;
    assert.notEqual(later[cell(1.2, 0.7)], LETHAL);
    assert.ok(!c.lidar.isMarked(1.2, 0.7));
    assert.equal(later[cell(1.2, 1.2)], LETHAL);
    assert.notEqual(c.costmap.update(18.5).costs[cell(1.2, 1.2)], LETHAL);
  });

  it('a view without the lidar layer shows the map alone, leaving the master costmap as it was', () => {
    const c = createRobotCostmap(info, { robotRadius: 0.1, inflationMargin: 0.1 });
    c.static.setMap(staticMap());
    c.lidar.markAndClear(ray(0.2, 0.7, 1.2, 0.7, 1), info, 0);
    const master = Uint8Array.from(c.costmap.update(0).costs);
    assert.equal(master[cell(1.2, 0.7)], LETHAL);
    const mapOnly = c.costmap.view(0, (layer) => layer !== c.lidar);
    assert.equal(mapOnly.costs[cell(1.2, 0.7)], FREE_SPACE);
    assert.equal(mapOnly.costs[cell(1, 0.01)], LETHAL, 'the wall stays');
    assert.equal(mapOnly.costs[cell(1, 0.1)], INSCRIBED, 'and stays inflated');
    assert.deepEqual(c.costmap.costmap.costs, master);
    assert.deepEqual(c.costmap.update(0).costs, master, 'and the next update is what it was');
  });

  it('lidar marks survive the map growing', () => {
    const c = createRobotCostmap(info);
    c.lidar.markAndClear(ray(0.2, 0.71, 1.21, 0.71, 1), info);
    const grown: GridInfo = {
      width: 60,
      height: 50,
      resolution: 0.05,
      origin: { x: -0.5, y: -0.5, theta: 0 },
    };
    c.costmap.resize(grown);
    c.static.setMap(createGrid(grown, 0));
    const costs = c.costmap.update(0).costs;
    assert.equal(costs[Math.floor((0.71 + 0.5) / 0.05) * 60 + Math.floor((1.21 + 0.5) / 0.05)], LETHAL);
  });

  it('camera layer marks points and forgets them after the decay time or when cleared', () => {
    const c = createRobotCostmap(info, { cameraDecay: 2 });
    c.static.setMap(createGrid(info, 0));
    c.camera.markObstacles(
      [
        { x: 1.0, y: 1.0 },
        { x: 0.5, y: 0.5 },
      ],
      10,
    );
    let costs = c.costmap.update(11).costs;
    assert.equal(costs[cell(1.0, 1.0)], LETHAL);
    assert.equal(costs[cell(0.5, 0.5)], LETHAL);
    c.camera.clearPoints([{ x: 0.5, y: 0.5 }]);
    costs = c.costmap.update(11.5).costs;
    assert.notEqual(costs[cell(0.5, 0.5)], LETHAL);
    costs = c.costmap.update(12.5).costs;
    assert.notEqual(costs[cell(1.0, 1.0)], LETHAL);
    assert.equal(c.camera.size, 0);
  });

  it('registers the layers in combining order', () => {
    assert.deepEqual(createRobotCostmap(info).costmap.layerNames, [
      'static',
      'lidar-obstacles',
      'camera-obstacles',
      'inflation',
    ]);
  });

  it('inflation redone only around changed obstacles equals inflation from scratch', () => {
    const rng = new Rng(7);
    const geometry: GridInfo = { width: 120, height: 90, resolution: 0.05, origin: { x: 0, y: 0, theta: 0 } };
    const base = new Uint8Array(120 * 90);
    for (let i = 0; i < base.length; i++)
      base[i] = rng.next() < 0.02 ? LETHAL : rng.next() < 0.1 ? NO_INFORMATION : 0;
    const incremental = new InflationLayer(0.17, 0.5, 3);
    for (let step = 0; step < 30; step++) {
      // A few obstacles appear or vanish in one corner of the map per step, sometimes none.
      const cx = Math.floor(rng.next() * 120);
      const cy = Math.floor(rng.next() * 90);
      const changes = step % 5 === 4 ? 0 : 1 + Math.floor(rng.next() * 6);
      for (let k = 0; k < changes; k++) {
        const x = Math.min(119, cx + Math.floor(rng.next() * 8));
        const y = Math.min(89, cy + Math.floor(rng.next() * 8));
        base[y * 120 + x] = base[y * 120 + x] === LETHAL ? 0 : LETHAL;
      }
      const a = { ...geometry, costs: base.slice() };
      const b = { ...geometry, costs: base.slice() };
      incremental.updateCosts(a);
      new InflationLayer(0.17, 0.5, 3).updateCosts(b);
      assert.deepEqual(a.costs, b.costs, `step ${step}`);
    }
  });
});
