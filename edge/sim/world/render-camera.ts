/**
 * Renders what a pinhole camera on the robot sees in a SimWorld: RGB, per-pixel class labels, per-object
 * bounding boxes and depth along the optical axis. Every pixel's ray lies in one vertical plane through the
 * camera; the pixels are grouped by that plane's bearing (one bin ≈ one pixel wide), each bin's horizontal
 * ray is cast once through the world collecting every prism it crosses, and each pixel then intersects its
 * own sloped ray with that short list (side faces, tops seen from above, undersides seen from below) or
 * with the floor plane. Floors get procedural textures by type. Pure; noise comes from a seeded Rng.
 */
import { Rng } from '../rng.ts';
import { CLASS_COLOUR, CLASS_ID, WORLD_CLASSES, type WorldClass } from './classes.ts';
import { FLOOR_TYPES } from './schema.ts';
import { CLIFF_CELL, createHitBuffer, type HitBuffer, type SimWorld } from './sim-world.ts';

/** Pinhole intrinsics (pixels) and the image size they belong to. */
export interface CameraIntrinsics {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** Where the camera is: map-frame position, height above the floor, heading, downward pitch. */
export interface CameraPose {
  x: number;
  y: number;
  z: number;
  /** rad, counter-clockwise */
  yaw: number;
  /** rad, positive looks down */
  pitch: number;
}

export interface BoundingBox {
  /** object id in the world */
  id: string;
  cls: WorldClass;
  classId: number;
  /** pixel rectangle, x1/y1 exclusive */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** visible pixels */
  pixels: number;
  /** nearest visible depth, m */
  minDepth: number;
  /** touches the image border (part of the object may be outside the picture) */
  truncated: boolean;
}

export interface CameraRender {
  width: number;
  height: number;
  /** packed RGB, 3 bytes a pixel */
  rgb: Uint8Array;
  /** class per pixel (CLASS_ID) */
  labels: Uint8Array;
  /** index into world.objects per pixel, −1 for floor, ceiling and void */
  objectIndex: Int32Array;
  /** metres along the optical axis; Infinity where nothing is within range */
  depth: Float32Array;
  /** one per visible object except walls */
  boxes: BoundingBox[];
}

export interface RendererOptions {
  /** Nothing farther than this is drawn, m. */
  maxRange?: number;
  /** Standard deviation of the per-pixel brightness noise, in 8-bit levels (0 = none). */
  noise?: number;
  seed?: number;
  /** Boxes with fewer visible pixels are left out. */
  minBoxPixels?: number;
}

const HITS_PER_BIN = 24;
const FACE_SIDE = 0;
const FACE_TOP = 1;
const FACE_BOTTOM = 2;

const WOOD = FLOOR_TYPES.indexOf('wood');
const TILE = FLOOR_TYPES.indexOf('tile');
const CARPET = FLOOR_TYPES.indexOf('carpet');
const RUG = FLOOR_TYPES.indexOf('rug');
const CONCRETE = FLOOR_TYPES.indexOf('concrete');
const LAMINATE = FLOOR_TYPES.indexOf('laminate');

const TEXELS_PER_METRE = 100;

/** Integer hash of two cell coordinates to [0, 1). */
function hash2(a: number, b: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/**
 * Procedural floor textures, each periodic over 256 texels so a lookup is two masks: wood planks 16 cm wide
 * and 1.28 m long with staggered joints, laminate 32 cm planks, tiles 32 cm with grout, carpet and concrete
 * noise, a striped rug.
 */
function buildFloorTextures(): Uint32Array {
  const tex = new Uint32Array(FLOOR_TYPES.length << 16);
  for (let type = 0; type < FLOOR_TYPES.length; type++)
    for (let ty = 0; ty < 256; ty++)
      for (let tx = 0; tx < 256; tx++) {
        let r: number;
        let g: number;
        let b: number;
        if (type === TILE) {
          const grout = (tx & 31) < 1 || (ty & 31) < 1;
          const v = 0.94 + 0.1 * hash2(tx >> 5, ty >> 5) + 0.03 * hash2(tx, ty);
          [r, g, b] = grout ? [130, 128, 122] : [214 * v, 210 * v, 200 * v];
        } else if (type === CARPET) {
          const v = 0.85 + 0.25 * hash2(tx, ty);
          [r, g, b] = [118 * v, 112 * v, 104 * v];
        } else if (type === CONCRETE) {
          const v = 0.9 + 0.12 * hash2(tx, ty) + 0.05 * hash2(tx >> 3, ty >> 3);
          r = g = b = 165 * v;
        } else if (type === RUG) {
          const band = ((tx + ty) >> 4) & 1;
          const v = 0.88 + 0.2 * hash2(tx, ty);
          [r, g, b] = band ? [165 * v, 45 * v, 50 * v] : [215 * v, 200 * v, 170 * v];
        } else {
          const laminate = type === LAMINATE;
          const plankWidth = laminate ? 32 : 16;
          const plankLength = laminate ? 256 : 128;
          const plank = Math.floor(ty / plankWidth);
          const along = (tx + Math.floor(hash2(plank, 7) * 8) * 32) & 255;
          const seg = Math.floor(along / plankLength);
          const seam = ty % plankWidth === 0 || along % plankLength === 0;
          const v = seam ? 0.6 : 0.8 + 0.3 * hash2(plank, seg) + 0.06 * hash2(tx >> 2, ty);
          [r, g, b] = laminate ? [190 * v, 165 * v, 130 * v] : [160 * v, 112 * v, 72 * v];
        }
        const byte = (c: number): number => Math.min(255, Math.round(c));
        tex[(type << 16) | (ty << 8) | tx] = byte(r) | (byte(g) << 8) | (byte(b) << 16);
      }
  return tex;
}

let sharedTextures: Uint32Array | undefined;
/** The textures are constant: built once, shared by every renderer. */
function floorTextures(): Uint32Array {
  sharedTextures ??= buildFloorTextures();
  return sharedTextures;
}

export class CameraRenderer {
  readonly intrinsics: CameraIntrinsics;
  readonly pitch: number;
  private readonly world: SimWorld;
  private readonly maxRange: number;
  private readonly minBoxPixels: number;
  // Per pixel, fixed by the intrinsics and pitch: bearing bin, ray slope (height change per horizontal
  // metre), optical-axis depth per horizontal metre, and the unit horizontal direction (forward, left).
  private readonly bin: Uint16Array;
  private readonly slope: Float32Array;
  private readonly depthPerMetre: Float32Array;
  private readonly dirF: Float32Array;
  private readonly dirL: Float32Array;
  private readonly binAngle: Float64Array;
  private readonly binMaxSlope: Float64Array;
  private readonly hits: HitBuffer;
  private readonly hitCount: Int32Array;
  private readonly noiseTable: Int8Array;
  private readonly rng: Rng;
  private readonly out: CameraRender;
  /** Ceiling height: the tallest wall when walls are room height (≥ 2 m), else none (Infinity). */
  private readonly ceiling: number;
  private readonly rgbClamped: Uint8ClampedArray;
  // Per object: colour and class, then visible pixels, bounding box, nearest depth (filled while rendering).
  private readonly objR: Uint8Array;
  private readonly objG: Uint8Array;
  private readonly objB: Uint8Array;
  private readonly objClass: Uint8Array;
  private readonly objectPixels: Int32Array;
  private readonly boxX0: Int32Array;
  private readonly boxY0: Int32Array;
  private readonly boxX1: Int32Array;
  private readonly boxY1: Int32Array;
  private readonly boxDepth: Float32Array;
  /** 256 × 256 texels (1 cm, RGB packed in a word) per floor type, tiling the floor every 2.56 m */
  private readonly floorTextures: Uint32Array = floorTextures();

  constructor(world: SimWorld, intrinsics: CameraIntrinsics, pitch: number, options: RendererOptions = {}) {
    this.world = world;
    this.intrinsics = intrinsics;
    this.pitch = pitch;
    this.maxRange = options.maxRange ?? 20;
    this.minBoxPixels = options.minBoxPixels ?? 4;
    const { width: W, height: H, fx, fy, cx, cy } = intrinsics;
    const n = W * H;
    this.bin = new Uint16Array(n);
    this.slope = new Float32Array(n);
    this.depthPerMetre = new Float32Array(n);
    this.dirF = new Float32Array(n);
    this.dirL = new Float32Array(n);
    const ct = Math.cos(pitch);
    const st = Math.sin(pitch);
    const bearing = new Float64Array(n);
    let bMin = Infinity;
    let bMax = -Infinity;
    for (let v = 0; v < H; v++) {
      const yn = (v - cy) / fy; // pixel (u, v) is centred at (u, v), as in OpenCV
      for (let u = 0; u < W; u++) {
        const xn = (u - cx) / fx;
        // Ray (xn, yn, 1) in the camera (x right, y down, z forward), in the yawed body frame.
        const f = ct - yn * st;
        const l = -xn;
        const up = -(st + yn * ct);
        const hn = Math.hypot(f, l);
        const i = v * W + u;
        this.slope[i] = up / hn;
        this.depthPerMetre[i] = 1 / hn;
        this.dirF[i] = f / hn;
        this.dirL[i] = l / hn;
        bearing[i] = Math.atan2(l, f);
        bMin = Math.min(bMin, bearing[i]!);
        bMax = Math.max(bMax, bearing[i]!);
      }
    }
    // Bins a little finer than a pixel at the image centre.
    const step = 0.75 / fx;
    const bins = Math.max(1, Math.ceil((bMax - bMin) / step) + 1);
    if (bins > 65535) throw new RangeError('camera field of view too wide for the renderer');
    this.binAngle = new Float64Array(bins);
    this.binMaxSlope = new Float64Array(bins).fill(-Infinity);
    for (let k = 0; k < bins; k++) this.binAngle[k] = bMin + k * step;
    for (let i = 0; i < n; i++) {
      const k = Math.round((bearing[i]! - bMin) / step);
      this.bin[i] = k;
      if (this.slope[i]! > this.binMaxSlope[k]!) this.binMaxSlope[k] = this.slope[i]!;
    }
    this.hits = createHitBuffer(bins * HITS_PER_BIN);
    this.hitCount = new Int32Array(bins);
    this.rng = new Rng(options.seed ?? 1);
    const sigma = options.noise ?? 0;
    this.noiseTable = new Int8Array(1 << 16);
    if (sigma > 0)
      for (let i = 0; i < this.noiseTable.length; i++)
        this.noiseTable[i] = Math.max(-127, Math.min(127, Math.round(this.rng.gaussian(0, sigma))));
    this.out = {
      width: W,
      height: H,
      rgb: new Uint8Array(n * 3),
      labels: new Uint8Array(n),
      objectIndex: new Int32Array(n),
      depth: new Float32Array(n),
      boxes: [],
    };
    this.rgbClamped = new Uint8ClampedArray(this.out.rgb.buffer);
    const wallTop = Math.max(0, ...world.spec.walls.map((w) => w.height));
    this.ceiling = wallTop >= 2 ? wallTop : Infinity;
    const m = world.objects.length;
    this.objR = new Uint8Array(world.objects.map((o) => o.colour[0]));
    this.objG = new Uint8Array(world.objects.map((o) => o.colour[1]));
    this.objB = new Uint8Array(world.objects.map((o) => o.colour[2]));
    this.objClass = new Uint8Array(world.objects.map((o) => o.classId));
    this.objectPixels = new Int32Array(m);
    this.boxX0 = new Int32Array(m);
    this.boxY0 = new Int32Array(m);
    this.boxX1 = new Int32Array(m);
    this.boxY1 = new Int32Array(m);
    this.boxDepth = new Float32Array(m);
  }

  /** Renders the world as it is now (call world.setTime first). The result's buffers are reused. */
  render(pose: CameraPose): CameraRender {
    if (Math.abs(pose.pitch - this.pitch) > 1e-9)
      throw new RangeError(`renderer was built for pitch ${this.pitch}, got ${pose.pitch}`);
    const bins = this.binAngle.length;
    for (let k = 0; k < bins; k++)
      this.hitCount[k] = this.world.castAll(
        pose.x,
        pose.y,
        pose.yaw + this.binAngle[k]!,
        this.maxRange,
        pose.z,
        Math.max(0, this.binMaxSlope[k]!),
        this.hits,
        k * HITS_PER_BIN,
        HITS_PER_BIN,
      );
    this.shadePixels(pose.x, pose.y, pose.z, Math.cos(pose.yaw), Math.sin(pose.yaw));
    this.out.boxes = this.boxes();
    return this.out;
  }

  /** The per-pixel pass (its own function so the optimiser compiles it whole, not as a loop in render). */
  private shadePixels(px: number, py: number, z: number, cosY: number, sinY: number): void {
    const world = this.world;
    const { width: W, height: H } = this.intrinsics;
    const n = W * H;
    const maxRange = this.maxRange;
    const hits = this.hits;
    const floor = world.floorRaster();
    const fRes = 1 / floor.resolution;
    const fW = floor.width;
    const fH = floor.height;
    const fData = floor.data;
    const objR = this.objR;
    const objG = this.objG;
    const objB = this.objB;
    const objClass = this.objClass;
    const { labels, objectIndex, depth } = this.out;
    const rgb = this.rgbClamped; // stores clamp and round for free
    const noise = this.noiseTable;
    let noiseAt = this.rng.int(0, noise.length - 1);
    const floorClass = CLASS_ID.floor;
    const cliffClass = CLASS_ID.cliff;
    const voidColour = CLASS_COLOUR.void;
    const ceilingColour = CLASS_COLOUR.ceiling;
    const ceilingClass = CLASS_ID.ceiling;
    const ceiling = this.ceiling;
    const rin = hits.rin;
    const rout = hits.rout;
    const hzb = hits.zb;
    const hzt = hits.zt;
    const hobj = hits.obj;
    const hshade = hits.shade;

    const slope = this.slope;
    const binOf = this.bin;
    const hitCount = this.hitCount;
    const depthPerMetre = this.depthPerMetre;
    const dirF = this.dirF;
    const dirL = this.dirL;
    const fOriginX = floor.originX;
    const fOriginY = floor.originY;
    const tex = this.floorTextures;
    const count = this.objectPixels;
    const bx0 = this.boxX0;
    const by0 = this.boxY0;
    const bx1 = this.boxX1;
    const by1 = this.boxY1;
    const bDepth = this.boxDepth;
    count.fill(0);
    bx0.fill(W);
    by0.fill(H);
    bx1.fill(0);
    by1.fill(0);
    bDepth.fill(Infinity);
    for (let i = 0, u = 0, v = 0; i < n; i++, u++) {
      if (u === W) {
        u = 0;
        v++;
      }
      const s = slope[i]!;
      const k = binOf[i]!;
      // The floor below the horizon, the ceiling (if any) above it, unless something is nearer.
      let best = s < 0 ? -z / s : s > 0 && ceiling > z ? (ceiling - z) / s : Infinity;
      let which = -1;
      let face = FACE_SIDE;
      const j0 = k * HITS_PER_BIN;
      const j1 = j0 + hitCount[k]!;
      for (let j = j0; j < j1; j++) {
        const r0 = rin[j]!;
        if (r0 >= best) break;
        const h = z + s * r0;
        const zb = hzb[j]!;
        const zt = hzt[j]!;
        let r: number;
        let f: number;
        if (h >= zb && h <= zt) {
          r = r0;
          f = FACE_SIDE;
        } else if (h > zt && s < 0) {
          r = (zt - z) / s;
          f = FACE_TOP;
        } else if (h < zb && s > 0) {
          r = (zb - z) / s;
          f = FACE_BOTTOM;
        } else continue;
        if (r <= rout[j]! && r < best) {
          best = r;
          which = j;
          face = f;
        }
      }

      let R: number;
      let G: number;
      let B: number;
      const o = 3 * i;
      if (which >= 0) {
        const obj = hobj[which]!;
        const shade = face === FACE_SIDE ? hshade[which]! : face === FACE_TOP ? 1.1 : 0.45;
        const fog = 1 / (1 + 0.04 * best);
        R = objR[obj]! * shade * fog;
        G = objG[obj]! * shade * fog;
        B = objB[obj]! * shade * fog;
        labels[i] = objClass[obj]!;
        objectIndex[i] = obj;
        const d = best * depthPerMetre[i]!;
        depth[i] = d;
        count[obj]!++;
        if (u < bx0[obj]!) bx0[obj] = u;
        if (u >= bx1[obj]!) bx1[obj] = u + 1;
        if (v < by0[obj]!) by0[obj] = v;
        by1[obj] = v + 1;
        if (d < bDepth[obj]!) bDepth[obj] = d;
      } else if (s > 0 && best <= maxRange) {
        const fog = 1 / (1 + 0.04 * best);
        R = ceilingColour[0] * fog;
        G = ceilingColour[1] * fog;
        B = ceilingColour[2] * fog;
        labels[i] = ceilingClass;
        objectIndex[i] = -1;
        depth[i] = best * depthPerMetre[i]!;
      } else if (best <= maxRange) {
        // Floor: where the ray meets z = 0.
        const df = dirF[i]!;
        const dl = dirL[i]!;
        const wx = px + best * (cosY * df - sinY * dl);
        const wy = py + best * (sinY * df + cosY * dl);
        const fc = Math.floor((wx - fOriginX) * fRes);
        const fr = Math.floor((wy - fOriginY) * fRes);
        const type = fc >= 0 && fr >= 0 && fc < fW && fr < fH ? fData[fr * fW + fc]! : WOOD;
        const fog = 1 / (1 + 0.04 * best);
        if (type === CLIFF_CELL) {
          R = G = B = 8;
          labels[i] = cliffClass;
        } else {
          const t =
            (type << 16) |
            ((Math.floor(wy * TEXELS_PER_METRE) & 255) << 8) |
            (Math.floor(wx * TEXELS_PER_METRE) & 255);
          const texel = tex[t]!;
          R = (texel & 255) * fog;
          G = ((texel >>> 8) & 255) * fog;
          B = (texel >>> 16) * fog;
          labels[i] = floorClass;
        }
        objectIndex[i] = -1;
        depth[i] = best * depthPerMetre[i]!;
      } else {
        R = voidColour[0];
        G = voidColour[1];
        B = voidColour[2];
        labels[i] = 0;
        objectIndex[i] = -1;
        depth[i] = Infinity;
      }
      const e = noise[noiseAt]!;
      noiseAt = (noiseAt + 1) & 0xffff;
      R += e;
      G += e;
      B += e;
      rgb[o] = R;
      rgb[o + 1] = G;
      rgb[o + 2] = B;
    }
  }

  private boxes(): BoundingBox[] {
    const { width: W, height: H } = this.intrinsics;
    const objects = this.world.objects;
    const m = objects.length;
    const count = this.objectPixels;
    const x0 = this.boxX0;
    const y0 = this.boxY0;
    const x1 = this.boxX1;
    const y1 = this.boxY1;
    const dMin = this.boxDepth;
    const boxes: BoundingBox[] = [];
    const wall = CLASS_ID.wall;
    for (let o = 0; o < m; o++) {
      if (count[o]! < this.minBoxPixels || objects[o]!.classId === wall) continue;
      boxes.push({
        id: objects[o]!.id,
        cls: objects[o]!.cls,
        classId: objects[o]!.classId,
        x0: x0[o]!,
        y0: y0[o]!,
        x1: x1[o]!,
        y1: y1[o]!,
        pixels: count[o]!,
        minDepth: dMin[o]!,
        truncated: x0[o] === 0 || y0[o] === 0 || x1[o] === W || y1[o] === H,
      });
    }
    return boxes;
  }
}

export { WORLD_CLASSES };
