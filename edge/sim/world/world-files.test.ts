import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserInputError } from '../../../shared/errors.ts';
import { loadWorld, loadWorldSpec, PRESET_NAMES } from './load-world.ts';
import { worldReachability } from './reachability.ts';
import { loadWorldFile } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'swath-world-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function rejects(path: string, field: string): void {
  assert.throws(
    () => loadWorldFile(path),
    (err: unknown) => {
      assert.ok(err instanceof UserInputError);
      assert.ok(err.message.startsWith(`${path}: field ${field}:`), err.message);
      return true;
    },
  );
}

describe('world files', () => {
  it('reject bad values naming the file and the field', () => {
    rejects(
      file(
        'tall-shoe.yaml',
        'lowObstacles:\n  - { kind: shoe, x: 1, y: 1, width: 0.3, depth: 0.1, height: 0.3 }\n',
      ),
      'lowObstacles[0].height',
    );
    rejects(file('short-wall.yaml', 'walls:\n  - points: [[0, 0]]\n'), 'walls[0].points');
    rejects(
      file('no-radius.yaml', 'furniture:\n  - { shape: circle, x: 1, y: 1, height: 1 }\n'),
      'furniture[0].radius',
    );
    rejects(
      file('typo.yaml', 'furniture:\n  - { x: 1, y: 1, width: 1, depth: 1, height: 1, colour: red }\n'),
      'furniture[0]',
    );
    rejects(
      file('floor.yaml', 'floors:\n  - { type: lava, polygon: [[0, 0], [1, 0], [1, 1]] }\n'),
      'floors[0].type',
    );
    rejects(
      file('table.yaml', 'furniture:\n  - { kind: table, x: 0, y: 0, width: 1, depth: 1, height: 0.03 }\n'),
      'furniture[0].topThickness',
    );
    rejects(
      file(
        'walker.yaml',
        'movingObstacles:\n  - { kind: person, radius: 0.2, height: 1.7, speed: 1, path: [[0, 0]] }\n',
      ),
      'movingObstacles[0].path',
    );
  });

  it('load a valid file with defaults filled in', () => {
    const path = file(
      'ok.yaml',
      'walls:\n  - points: [[0, 0], [4, 0]]\nfurniture:\n  - { kind: sofa, x: 1, y: 1, width: 2, depth: 0.9, height: 0.8 }\n',
    );
    const spec = loadWorldFile(path);
    assert.equal(spec.walls[0]!.thickness, 0.1);
    assert.equal(spec.walls[0]!.height, 2.5);
    assert.equal(spec.furniture[0]!.shape, 'rect');
    assert.equal(spec.defaultFloor, 'wood');
    // Wall centre line y = 0, 0.1 m thick: its south face is 0.95 m north of (1, -1).
    assert.ok(Math.abs(loadWorld(path).raycast(1, -1, 1, Math.PI / 2, 10) - 0.95) < 1e-9);
  });

  it('name the presets when a world is not found', () => {
    assert.throws(() => loadWorldSpec('castle'), /no such preset \(studio, apartment, office\) or file/);
  });
});

describe('presets', () => {
  const robotRadius = 0.17;
  // Pockets smaller than the robot's own footprint (under a chair between its legs) are not floor it
  // could clean from inside; anything larger must be reachable.
  const footprintCells = (Math.PI * robotRadius * robotRadius) / (0.05 * 0.05);
  const minArea: Record<string, number> = { studio: 12, apartment: 70, office: 200 };

  for (const name of PRESET_NAMES) {
    it(`${name}: every cleanable area is reachable from the start`, () => {
      const world = loadWorld(name);
      const reach = worldReachability(world, 0.05, robotRadius);
      const islands = reach.islands.filter((i) => i.cells >= footprintCells);
      assert.deepEqual(islands, []);
      assert.ok(
        reach.reachableCells * 0.0025 > minArea[name]!,
        `${name}: ${reach.reachableCells * 0.0025} m²`,
      );
      assert.deepEqual(world.contacts(world.spec.start.x, world.spec.start.y, robotRadius), []);
    });
  }

  it('apartment has the rooms, furniture and movers the scenarios rely on', () => {
    const world = loadWorld('apartment');
    const ids = world.objects.map((o) => o.id);
    for (const id of ['dining-table', 'chair-1', 'sofa', 'bed', 'person-1', 'cat', 'tv-cable'])
      assert.ok(ids.includes(id), id);
    assert.equal(world.floorTypeAt(9, 1), 'tile');
    assert.equal(world.floorTypeAt(2, 8), 'carpet');
    assert.equal(world.floorTypeAt(2, 2), 'rug');
    assert.equal(world.floorTypeAt(4, 4), 'wood');
    assert.equal(world.movingCount, 2);
  });
});

describe('map_server maps as worlds', () => {
  it('turns occupied and unknown cells into solid blocks', () => {
    // 20 × 10 cells at 0.1 m: a border of occupied cells, an unknown 2 × 2 block, free inside.
    const w = 20;
    const h = 10;
    const pixels = new Uint8Array(w * h).fill(254);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if (x === 0 || y === 0 || x === w - 1 || y === h - 1) pixels[y * w + x] = 0;
    for (const [x, y] of [
      [14, 4],
      [15, 4],
      [14, 5],
      [15, 5],
    ] as const)
      pixels[y * w + x] = 205;
    const header = new TextEncoder().encode(`P5\n${w} ${h}\n255\n`);
    const pgm = new Uint8Array(header.length + pixels.length);
    pgm.set(header);
    pgm.set(pixels, header.length);
    file('tiny.pgm', pgm);
    const yaml = file(
      'tiny.yaml',
      'image: tiny.pgm\nresolution: 0.1\norigin: [-1.0, -0.5, 0.0]\nnegate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.196\n',
    );
    const world = loadWorld(yaml);
    // Image row 0 is the top: the map spans x -1..1, y -0.5..0.5; walls 0.1 thick inside that.
    assert.ok(Math.abs(world.raycast(0, 0, 0.1, Math.PI, 5) - 0.9) < 1e-9);
    assert.ok(Math.abs(world.raycast(0, 0, 0.1, Math.PI / 2, 5) - 0.4) < 1e-9);
    // Unknown block: columns 14–15 → x 0.4..0.6, rows 4–5 from the top → y -0.1..0.1.
    assert.ok(Math.abs(world.raycast(0, 0, 0.1, 0, 5) - 0.4) < 1e-9);
    assert.equal(world.raycast(0, 0, 0.6, 0, 5), Infinity);
    const start = world.spec.start;
    assert.deepEqual(world.contacts(start.x, start.y, 0.25), []);
  });
});
