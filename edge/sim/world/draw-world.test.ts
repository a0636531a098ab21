import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { drawWorld } from './draw-world.ts';
import { loadWorld } from './load-world.ts';

describe('drawWorld', () => {
  it('draws the studio to scale with walls, floors and the start pose', () => {
    const world = loadWorld('studio');
    const png = PNG.sync.read(drawWorld(world, { pixelsPerMetre: 20 }));
    const { minX, minY, maxX, maxY } = world.bounds;
    assert.equal(png.width, Math.ceil((maxX - minX + 0.6) * 20));
    assert.equal(png.height, Math.ceil((maxY - minY + 0.6) * 20));
    const pixel = (x: number, y: number): number[] => {
      const px = Math.floor((x - (minX - 0.3)) * 20);
      const py = Math.floor((maxY + 0.3 - y) * 20);
      const o = 4 * (py * png.width + px);
      return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
    };
    assert.deepEqual(pixel(0, 3), [60, 60, 60]); // the outer wall
    assert.deepEqual(pixel(1.0, 2.8), [222, 196, 160]); // bare wood floor
    assert.deepEqual(pixel(4.15, 2.5), [214, 220, 226]); // kitchenette tiles
    assert.deepEqual(pixel(world.spec.start.x + 0.1, world.spec.start.y), [220, 20, 20]); // start arrow
  });
});
