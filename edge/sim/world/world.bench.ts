/**
 * World figures: mean cost of one horizontal LIDAR-height ray in the apartment and the office (720 rays
 * around each of 200 reachable points, 12 m range), and one 320 × 240 camera frame rendered in the
 * apartment and converted to I420 (the virtual camera's whole per-frame work). Each figure is the best of
 * several rounds, so other processes on the machine disturb it less.
 */
import type { Benchmark } from '../../../test/bench/registry.ts';
import { i420Layout, rgbToI420 } from '../../drivers/camera/i420.ts';
import { Rng } from '../rng.ts';
import { loadWorld } from './load-world.ts';
import { worldReachability } from './reachability.ts';
import { CameraRenderer, type CameraPose } from './render-camera.ts';
import type { SimWorld } from './sim-world.ts';

function reachablePoints(world: SimWorld, count: number, seed: number): Float64Array {
  const reach = worldReachability(world, 0.05, 0.17);
  const g = reach.grid;
  const rng = new Rng(seed);
  const pts = new Float64Array(2 * count);
  for (let k = 0; k < count;) {
    const i = rng.int(0, g.width * g.height - 1);
    if (!reach.reachable[i]) continue;
    const x = i % g.width;
    pts[2 * k] = g.origin.x + (x + 0.5) * g.resolution;
    pts[2 * k + 1] = g.origin.y + ((i - x) / g.width + 0.5) * g.resolution;
    k++;
  }
  return pts;
}

function bestOf(rounds: number, fn: () => number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) best = Math.min(best, fn());
  return best;
}

function raycastNs(world: SimWorld): number {
  const pts = reachablePoints(world, 200, 1);
  const beams = 720;
  let sink = 0;
  const round = (): number => {
    const t0 = performance.now();
    for (let p = 0; p < pts.length; p += 2)
      for (let k = 0; k < beams; k++) {
        const r = world.raycast(pts[p]!, pts[p + 1]!, 0.1, (k * 2 * Math.PI) / beams, 12);
        if (r < 12) sink += r;
      }
    return ((performance.now() - t0) * 1e6) / ((pts.length / 2) * beams);
  };
  round();
  const ns = bestOf(5, round);
  if (sink === 0) throw new Error('no ray hit anything');
  return ns;
}

function cameraFrameMs(world: SimWorld): number {
  const pts = reachablePoints(world, 40, 2);
  const rng = new Rng(3);
  const pitch = 0.17;
  const poses: CameraPose[] = [];
  for (let k = 0; k < pts.length; k += 2)
    poses.push({ x: pts[k]!, y: pts[k + 1]!, z: 0.2, yaw: rng.uniform(-Math.PI, Math.PI), pitch });
  const renderer = new CameraRenderer(
    world,
    { width: 320, height: 240, fx: 265, fy: 265, cx: 160, cy: 120 },
    pitch,
    {
      noise: 1.5,
      seed: 1,
    },
  );
  const layout = i420Layout(320, 240);
  const yuv = new Uint8Array(layout.frameBytes);
  const round = (): number => {
    const t0 = performance.now();
    for (const pose of poses) {
      world.setTime(pose.yaw + 4); // people and pets somewhere along their paths
      rgbToI420(renderer.render(pose).rgb, layout, yuv, 'bt601');
    }
    return (performance.now() - t0) / poses.length;
  };
  round();
  return bestOf(5, round);
}

const benchmark: Benchmark = {
  name: 'world',
  async run() {
    const t0 = performance.now();
    const apartment = loadWorld('apartment');
    const buildMs = performance.now() - t0;
    const office = loadWorld('office');
    return {
      raycastNs: Math.round(raycastNs(apartment)),
      officeRaycastNs: Math.round(raycastNs(office)),
      cameraFrameMs: Math.round(cameraFrameMs(apartment) * 1000) / 1000,
      apartmentLoadMs: Math.round(buildMs * 10) / 10,
    };
  },
};

export default benchmark;
