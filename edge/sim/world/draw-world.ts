/**
 * A top-down picture of a world (PNG): floors by type, overhanging parts (table tops, bed and sofa bodies)
 * pale, everything standing on the floor in its class colour, people and pets where they are at `time`,
 * the start pose as a red arrow. Run as a script to write one:
 * `npx tsx edge/sim/world/draw-world.ts apartment out.png [pixels-per-metre]`.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { FLOOR_TYPES } from './schema.ts';
import { loadWorld } from './load-world.ts';
import { CLIFF_CELL, type SimWorld } from './sim-world.ts';

const FLOOR_COLOUR: Record<(typeof FLOOR_TYPES)[number], readonly [number, number, number]> = {
  wood: [222, 196, 160],
  laminate: [232, 214, 182],
  tile: [214, 220, 226],
  carpet: [196, 190, 180],
  rug: [214, 150, 150],
  concrete: [205, 205, 205],
};

export function drawWorld(world: SimWorld, options: { pixelsPerMetre?: number; time?: number } = {}): Buffer {
  const ppm = options.pixelsPerMetre ?? 40;
  const margin = 0.3;
  const { minX, minY, maxX, maxY } = world.bounds;
  const x0 = minX - margin;
  const y1 = maxY + margin;
  const width = Math.ceil((maxX - minX + 2 * margin) * ppm);
  const height = Math.ceil((maxY - minY + 2 * margin) * ppm);
  const png = new PNG({ width, height });
  const floor = world.floorRaster();
  const at = (px: number, py: number): [number, number] => [x0 + (px + 0.5) / ppm, y1 - (py + 0.5) / ppm];
  for (let py = 0; py < height; py++)
    for (let px = 0; px < width; px++) {
      const [x, y] = at(px, py);
      const c = Math.floor((x - floor.originX) / floor.resolution);
      const r = Math.floor((y - floor.originY) / floor.resolution);
      const inside = c >= 0 && r >= 0 && c < floor.width && r < floor.height;
      const type = inside ? floor.data[r * floor.width + c]! : 254;
      const colour: readonly number[] =
        type === CLIFF_CELL
          ? [30, 30, 30]
          : type < FLOOR_TYPES.length
            ? FLOOR_COLOUR[FLOOR_TYPES[type]!]
            : [255, 255, 255];
      png.data.set([colour[0]!, colour[1]!, colour[2]!, 255], 4 * (py * width + px));
    }
  const paint = (
    shape: 'box' | 'circle',
    cx: number,
    cy: number,
    hw: number,
    hd: number,
    rot: number,
    colour: readonly number[],
    alpha: number,
  ): void => {
    const ext = Math.hypot(hw, hd);
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    const px0 = Math.max(0, Math.floor((cx - ext - x0) * ppm));
    const px1 = Math.min(width - 1, Math.ceil((cx + ext - x0) * ppm));
    const py0 = Math.max(0, Math.floor((y1 - cy - ext) * ppm));
    const py1 = Math.min(height - 1, Math.ceil((y1 - cy + ext) * ppm));
    for (let py = py0; py <= py1; py++)
      for (let px = px0; px <= px1; px++) {
        const [x, y] = at(px, py);
        const dx = x - cx;
        const dy = y - cy;
        const inside =
          shape === 'circle'
            ? dx * dx + dy * dy <= hw * hw
            : Math.abs(dx * c + dy * s) <= hw && Math.abs(dy * c - dx * s) <= hd;
        if (!inside) continue;
        const o = 4 * (py * width + px);
        for (let k = 0; k < 3; k++)
          png.data[o + k] = Math.round(png.data[o + k]! * (1 - alpha) + colour[k]! * alpha);
      }
  };
  const prisms = world.footprints();
  // Overhanging parts first, pale; then what stands on the floor.
  for (const pass of [true, false])
    for (const p of prisms) {
      if (p.bottom > 0 !== pass) continue;
      const colour = world.objects[p.object]!.colour;
      const dark = world.objects[p.object]!.cls === 'wall' ? [60, 60, 60] : colour;
      // Cables are a centimetre wide: draw them at least two pixels wide so they show.
      const minHalf = 1 / ppm;
      paint(
        p.shape,
        p.x,
        p.y,
        Math.max(minHalf, p.halfWidth),
        Math.max(minHalf, p.halfDepth),
        p.rotation,
        dark,
        pass ? 0.35 : 1,
      );
    }
  world.setTime(options.time ?? 0);
  for (const m of world.movingPositions()) {
    const obj = world.objects.find((o) => o.id === m.id)!;
    paint('circle', m.x, m.y, m.radius, m.radius, 0, obj.colour, 0.85);
  }
  const { start } = world.spec;
  for (let d = 0; d <= 0.35; d += 0.5 / ppm) {
    const x = start.x + d * Math.cos(start.theta);
    const y = start.y + d * Math.sin(start.theta);
    paint('circle', x, y, 0.05 - d * 0.1, 0.05, 0, [220, 20, 20], 1);
  }
  return PNG.sync.write(png);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, out, ppm] = process.argv.slice(2);
  if (!name || !out) {
    console.error('usage: draw-world.ts <preset|world.yaml|map.yaml> <out.png> [pixels-per-metre]');
    process.exit(2);
  }
  writeFileSync(out, drawWorld(loadWorld(name), { pixelsPerMetre: ppm ? Number(ppm) : 40 }));
}
