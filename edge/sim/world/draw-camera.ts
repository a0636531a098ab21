/**
 * A picture of what the simulated camera sees: the rendered image with the ground-truth boxes drawn on it,
 * next to the label image in class colours. Run as a script:
 * `npx tsx edge/sim/world/draw-camera.ts apartment x y yaw out.png` (default camera config: 640 × 480,
 * fx 530, mounted 0.2 m up and pitched 0.17 rad down; x, y, yaw is the camera's own pose).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { CameraConfigSchema } from '../../../shared/config.ts';
import { CLASS_COLOUR, WORLD_CLASSES } from './classes.ts';
import { loadWorld } from './load-world.ts';
import type { CameraRender } from './render-camera.ts';
import { CameraRenderer } from './render-camera.ts';
import type { SimWorld } from './sim-world.ts';

/** Image and labels side by side (PNG); boxes outlined in yellow on the image. */
export function drawCameraView(render: CameraRender): Buffer {
  const { width: W, height: H } = render;
  const png = new PNG({ width: 2 * W, height: H });
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u;
      const left = 4 * (v * 2 * W + u);
      png.data[left] = render.rgb[3 * i]!;
      png.data[left + 1] = render.rgb[3 * i + 1]!;
      png.data[left + 2] = render.rgb[3 * i + 2]!;
      png.data[left + 3] = 255;
      const c = CLASS_COLOUR[WORLD_CLASSES[render.labels[i]!]!];
      png.data.set([c[0], c[1], c[2], 255], left + 4 * W);
    }
  const dot = (u: number, v: number): void => png.data.set([255, 220, 0, 255], 4 * (v * 2 * W + u));
  for (const b of render.boxes) {
    for (let u = b.x0; u < b.x1; u++) {
      dot(u, b.y0);
      dot(u, b.y1 - 1);
    }
    for (let v = b.y0; v < b.y1; v++) {
      dot(b.x0, v);
      dot(b.x1 - 1, v);
    }
  }
  return PNG.sync.write(png);
}

/** Renders one view with the default camera config at time t. */
export function renderView(world: SimWorld, x: number, y: number, yaw: number, t = 0): CameraRender {
  const camera = CameraConfigSchema.parse({});
  const k = camera.intrinsics;
  world.setTime(t);
  const renderer = new CameraRenderer(
    world,
    { width: camera.width, height: camera.height, fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy },
    camera.mount.pitch,
    { noise: 0 }, // pictures for people: no sensor noise
  );
  return renderer.render({ x, y, z: camera.mount.z, yaw, pitch: camera.mount.pitch });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, x, y, yaw, out, t] = process.argv.slice(2);
  if (!name || x === undefined || y === undefined || yaw === undefined || !out) {
    console.error('usage: draw-camera.ts <preset|world.yaml|map.yaml> <x> <y> <yaw> <out.png> [time]');
    process.exit(2);
  }
  const render = renderView(loadWorld(name), Number(x), Number(y), Number(yaw), t ? Number(t) : 0);
  writeFileSync(out, drawCameraView(render));
}
