import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { UserInputError } from '../../shared/errors.ts';
import { createGrid, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import {
  decodeMapImage,
  encodeMapImage,
  encodePgm,
  parseMapYaml,
  parsePgm,
  readRosMap,
  renderMapPng,
  writeRosMap,
  type MapMeta,
} from './map-file.ts';

const fixtures = new URL('../../test/fixtures/maps/', import.meta.url).pathname;
const meta = (over: Partial<MapMeta> = {}): MapMeta => ({
  resolution: 0.05,
  origin: { x: -1, y: 2, theta: 0 },
  occupiedThresh: 0.65,
  freeThresh: 0.196,
  negate: false,
  mode: 'trinary',
  ...over,
});
const tmpDirs: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-map-'));
  tmpDirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('parseMapYaml', () => {
  it('reads every field, negate as 0/1 or bool, mode defaulting to trinary', () => {
    const m = parseMapYaml(
      'image: a.pgm\nresolution: 0.05\norigin: [-10, -2.5, 0.1]\nnegate: 1\noccupied_thresh: 0.65\nfree_thresh: 0.196\n',
      'x.yaml',
    );
    assert.deepEqual(m, {
      image: 'a.pgm',
      resolution: 0.05,
      origin: { x: -10, y: -2.5, theta: 0.1 },
      occupiedThresh: 0.65,
      freeThresh: 0.196,
      negate: true,
      mode: 'trinary',
    });
    const b = parseMapYaml(
      'image: a.png\nresolution: 0.1\norigin: [0, 0, 0]\nnegate: false\noccupied_thresh: 0.6\nfree_thresh: 0.2\nmode: raw\n',
      'y.yaml',
    );
    assert.equal(b.negate, false);
    assert.equal(b.mode, 'raw');
  });

  it('names the file and the field on bad input', () => {
    const base = 'image: a.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\noccupied_thresh: 0.65\n';
    assert.throws(() => parseMapYaml(base, 'm.yaml'), /m\.yaml: field free_thresh/);
    assert.throws(
      () => parseMapYaml(base + 'free_thresh: 0.9\n', 'm.yaml'),
      /m\.yaml: field free_thresh: free_thresh must be below/,
    );
    assert.throws(
      () => parseMapYaml(base.replace('[0, 0, 0]', '[0, 0]') + 'free_thresh: 0.2\n', 'm.yaml'),
      /field origin/,
    );
    assert.throws(() => parseMapYaml(base + 'free_thresh: 0.2\nmode: fancy\n', 'm.yaml'), /field mode/);
    assert.throws(
      () => parseMapYaml(base.replace('negate: 0', 'negate: 2') + 'free_thresh: 0.2\n', 'm.yaml'),
      /field negate/,
    );
    assert.throws(
      () => parseMapYaml('image: [', 'm.yaml'),
      (e) => e instanceof UserInputError && /not valid YAML/.test(e.message),
    );
  });
});

describe('parsePgm', () => {
  it('reads P5 with comments and P2 ASCII', () => {
    const p5 = Buffer.concat([
      Buffer.from('P5\n# a comment\n3 2 # trailing\n255\n', 'latin1'),
      Buffer.from([0, 1, 2, 253, 254, 255]),
    ]);
    const a = parsePgm(p5);
    assert.deepEqual([a.width, a.height, a.channels, a.maxval], [3, 2, 1, 255]);
    assert.deepEqual([...a.data], [0, 1, 2, 253, 254, 255]);
    const p2 = parsePgm(Buffer.from('P2\n#c\n2 2\n15\n0 15\n7 #x\n 3\n', 'latin1'));
    assert.deepEqual([...p2.data], [0, 15, 7, 3]);
    assert.equal(p2.maxval, 15);
  });

  it('reads 16-bit P5 big-endian and writes it back', () => {
    const bytes = Buffer.concat([
      Buffer.from('P5 2 1 65535\n', 'latin1'),
      Buffer.from([0x12, 0x34, 0xff, 0xff]),
    ]);
    const img = parsePgm(bytes);
    assert.deepEqual([...img.data], [0x1234, 0xffff]);
    assert.deepEqual(parsePgm(encodePgm(img)), img);
  });

  it('rejects broken files with a reason', () => {
    assert.throws(() => parsePgm(Buffer.from('GIF89a')), /magic/);
    assert.throws(() => parsePgm(Buffer.from('P5\n3 2\n255\n\x00\x01', 'latin1')), /truncated/);
    assert.throws(() => parsePgm(Buffer.from('P5\n3 x\n255\n', 'latin1')), /height/);
    assert.throws(() => parsePgm(Buffer.from('P2\n1 1\n10\n11\n', 'latin1')), /above maxval/);
    assert.throws(() => parsePgm(Buffer.from('P5\n3', 'latin1')), /end of header/);
  });
});

describe('decodeMapImage', () => {
  const grey = (values: number[], width: number): Parameters<typeof decodeMapImage>[0] => ({
    width,
    height: values.length / width,
    channels: 1,
    maxval: 255,
    data: Uint8Array.from(values),
  });

  it('flips rows: image row 0 is the top, grid row 0 the bottom', () => {
    const g = decodeMapImage(grey([0, 254, 205, 254], 2), meta());
    // top image row (0 occupied, 254 free) becomes grid row 1
    assert.deepEqual([...g.data], [-1, 0, 100, 0]);
    assert.deepEqual(g.origin, { x: -1, y: 2, theta: 0 });
  });

  it('applies the trinary, scale and raw rules and negate', () => {
    const px = grey([0, 100, 128, 200, 254, 255], 6);
    assert.deepEqual([...decodeMapImage(px, meta()).data], [100, -1, -1, -1, 0, 0]);
    // scale: p = 1 − b; 100 → p = 0.608 → round((0.608 − 0.196) / 0.454 · 100) = 91; 128 → 67; 200 → 4
    assert.deepEqual([...decodeMapImage(px, meta({ mode: 'scale' })).data], [100, 91, 67, 4, 0, 0]);
    assert.deepEqual([...decodeMapImage(px, meta({ mode: 'raw' })).data], [0, 100, -1, -1, -1, -1]);
    assert.deepEqual([...decodeMapImage(px, meta({ negate: true })).data], [0, -1, -1, 100, 100, 100]);
  });

  it('averages colour channels and treats transparency as unknown in scale mode', () => {
    const rgba: Parameters<typeof decodeMapImage>[0] = {
      width: 2,
      height: 1,
      channels: 4,
      maxval: 255,
      data: Uint8Array.from([255, 255, 0, 255, 255, 255, 255, 10]),
    };
    // first pixel: mean (255+255+0)/3 = 170 → p = 0.333 → scale 30; second: transparent
    assert.deepEqual([...decodeMapImage(rgba, meta({ mode: 'scale' })).data], [30, -1]);
    assert.deepEqual([...decodeMapImage(rgba, meta()).data], [-1, 0]);
  });
});

function randomGrid(values: number[], width: number): OccupancyGrid {
  const g = createGrid({
    width,
    height: values.length / width,
    resolution: 0.05,
    origin: { x: 1.25, y: -3.5, theta: 0 },
  });
  g.data.set(values);
  return g;
}

describe('map round trip', () => {
  const cases: Array<{ name: string; opts: Partial<MapMeta>; values: fc.Arbitrary<number> }> = [
    { name: 'trinary', opts: {}, values: fc.constantFrom(0, 100, -1) },
    { name: 'trinary negated', opts: { negate: true }, values: fc.constantFrom(0, 100, -1) },
    { name: 'scale', opts: { mode: 'scale' }, values: fc.integer({ min: -1, max: 100 }) },
    {
      name: 'scale negated',
      opts: { mode: 'scale', negate: true },
      values: fc.integer({ min: -1, max: 100 }),
    },
    { name: 'raw', opts: { mode: 'raw' }, values: fc.integer({ min: -1, max: 100 }) },
  ];
  for (const c of cases) {
    it(`encode → decode is the identity (${c.name})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 7 }),
          fc.array(c.values, { minLength: 1, maxLength: 60 }),
          (w, vals) => {
            const values = vals.slice(0, Math.floor(vals.length / w) * w);
            if (values.length === 0) return;
            const grid = randomGrid(values, w);
            const m = meta({ ...c.opts, origin: grid.origin });
            const back = decodeMapImage(encodeMapImage(grid, m), m);
            assert.deepEqual([...back.data], values);
          },
        ),
      );
    });
  }

  it('trinary saving follows map_saver: 254 free, 0 occupied, 205 unknown, thresholds on values', () => {
    const grid = randomGrid([0, 20, 21, 64, 65, 100, -1], 7);
    const img = encodeMapImage(grid, meta());
    assert.deepEqual([...img.data], [254, 254, 205, 205, 0, 0, 205]);
  });

  it('writeRosMap → readRosMap gives the identical grid (files on disk, each mode)', () => {
    const dir = tmp();
    const modes: Array<{ opts: Parameters<typeof writeRosMap>[2]; values: number[] }> = [
      { opts: {}, values: [0, 100, -1, 0, 0, 100] },
      { opts: { negate: true }, values: [0, 100, -1, 0, 0, 100] },
      { opts: { mode: 'scale' }, values: [0, 37, -1, 99, 1, 100] },
      { opts: { mode: 'raw' }, values: [0, 37, -1, 99, 1, 100] },
    ];
    for (const [i, m] of modes.entries()) {
      const grid = randomGrid(m.values, 3);
      grid.resolution = 0.037;
      grid.origin = { x: -12.345678901, y: 0.1 + 0.2, theta: 0 };
      const { yamlPath, imagePath } = writeRosMap(grid, join(dir, `m${i}`), m.opts);
      assert.ok(imagePath.endsWith(m.opts?.mode === 'scale' ? '.png' : '.pgm'));
      assert.deepEqual(readRosMap(yamlPath), grid);
    }
  });
});

describe('readRosMap on the Nav2 fixtures', () => {
  for (const name of ['tb3_sandbox', 'map_circular']) {
    it(`${name}: 384×384 at 0.05 m, origin (−10, −10), all three classes present, saved and reloaded equal`, () => {
      const g = readRosMap(join(fixtures, `${name}.yaml`));
      assert.equal(g.width, 384);
      assert.equal(g.height, 384);
      assert.equal(g.resolution, 0.05);
      assert.deepEqual(g.origin, { x: -10, y: -10, theta: 0 });
      const counts = new Map<number, number>();
      for (const v of g.data) counts.set(v, (counts.get(v) ?? 0) + 1);
      assert.deepEqual(
        [...counts.keys()].sort((a, b) => a - b),
        [-1, 0, 100],
      );
      assert.ok(counts.get(0)! > 7000 && counts.get(100)! > 800, JSON.stringify([...counts]));
      // The top image row is the top of the grid: compare against the raw PGM bytes directly.
      const pgm = parsePgm(readFileSync(join(fixtures, `${name}.pgm`)));
      const px = pgm.data[5 * 384 + 200]!;
      const expected = px === 0 ? 100 : px === 254 ? 0 : -1;
      assert.equal(g.data[(384 - 1 - 5) * 384 + 200], expected);
      const dir = tmp();
      const { yamlPath } = writeRosMap(g, join(dir, name), { freeThresh: 0.196 });
      assert.deepEqual(readRosMap(yamlPath), g);
    });
  }

  it('names the file and the problem', () => {
    const dir = tmp();
    const yaml = join(dir, 'm.yaml');
    writeFileSync(
      yaml,
      'image: missing.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.2\n',
    );
    assert.throws(
      () => readRosMap(yaml),
      (e) =>
        e instanceof UserInputError && e.message.includes('m.yaml') && /cannot read image/.test(e.message),
    );
    writeFileSync(join(dir, 'missing.pgm'), 'P5\n10 10\n255\n\x00');
    assert.throws(
      () => readRosMap(yaml),
      (e) => e instanceof UserInputError && e.message.includes('missing.pgm') && /truncated/.test(e.message),
    );
    assert.throws(
      () => readRosMap(join(dir, 'nope.yaml')),
      (e) => e instanceof UserInputError && /nope\.yaml: cannot read/.test(e.message),
    );
  });

  it('reads a PNG image', () => {
    const dir = tmp();
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([0, 0, 0, 255, 254, 254, 254, 255]);
    writeFileSync(join(dir, 'p.png'), PNG.sync.write(png));
    writeFileSync(
      join(dir, 'p.yaml'),
      'image: p.png\nresolution: 0.1\norigin: [0, 0, 0]\nnegate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.2\n',
    );
    assert.deepEqual([...readRosMap(join(dir, 'p.yaml')).data], [100, 0]);
  });
});

describe('renderMapPng', () => {
  it('draws free white, occupied black, unknown grey and overlays in colour', () => {
    const g = randomGrid([0, 100, -1, 0], 2);
    g.origin = { x: 0, y: 0, theta: 0 };
    g.resolution = 1;
    const png = PNG.sync.read(
      renderMapPng(g, {
        points: [{ x: 0.5, y: 0.5, color: [255, 0, 0], size: 1 }],
        polylines: [{ points: [{ x: 1.5, y: 1.5 }], color: [0, 0, 255] }],
      }),
    );
    const at = (x: number, y: number): number[] => [
      ...png.data.subarray(4 * (y * 2 + x), 4 * (y * 2 + x) + 3),
    ];
    // image row 0 = grid row 1 (values -1, 0); the polyline point sits on grid cell (1,1)
    assert.deepEqual(at(0, 0), [128, 128, 128]);
    assert.deepEqual(at(1, 0), [0, 0, 255]);
    assert.deepEqual(at(0, 1), [255, 0, 0]);
    assert.deepEqual(at(1, 1), [0, 0, 0]);
  });
});
