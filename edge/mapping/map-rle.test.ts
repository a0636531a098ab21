import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MapSnapshotSchema } from '../../shared/map-snapshot.ts';
import { createGrid } from '../../shared/occupancy-grid.ts';
import { UserInputError } from '../../shared/errors.ts';
import { decodeMapRle, encodeMapRle } from './map-rle.ts';
import { readRosMap } from './map-file.ts';

describe('map RLE snapshots', () => {
  it('round-trips any grid through JSON', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.constantFrom(-1, 0, 0, 0, 100, 37), { minLength: 1, maxLength: 200 }),
        (w, vals) => {
          const cells = vals.slice(0, Math.max(1, Math.floor(vals.length / w)) * w);
          if (cells.length < w) return;
          const g = createGrid({
            width: w,
            height: cells.length / w,
            resolution: 0.05,
            origin: { x: -1.5, y: 2, theta: 0 },
          });
          g.data.set(cells);
          const snap = JSON.parse(JSON.stringify(encodeMapRle(g, { stamp: 12.5, mapId: 'home' })));
          assert.ok(MapSnapshotSchema.safeParse(snap).success);
          assert.deepEqual(decodeMapRle(snap), g);
        },
      ),
    );
  });

  it('is compact on a real map', () => {
    const g = readRosMap(new URL('../../test/fixtures/maps/tb3_sandbox.yaml', import.meta.url).pathname);
    const json = JSON.stringify(encodeMapRle(g));
    assert.ok(json.length < g.data.length / 10, `${json.length} bytes for ${g.data.length} cells`);
  });

  it('rejects snapshots whose runs do not cover the grid or hold bad values', () => {
    const base = {
      encoding: 'rle-v1',
      width: 2,
      height: 2,
      resolution: 0.05,
      origin: { x: 0, y: 0, theta: 0 },
    };
    assert.throws(
      () => decodeMapRle({ ...base, runs: [0, 3] }, 'snap'),
      (e) =>
        e instanceof UserInputError && /snap: field runs: runs cover 3 cells, the grid has 4/.test(e.message),
    );
    assert.throws(() => decodeMapRle({ ...base, runs: [101, 4] }), /outside −1…100/);
    assert.throws(() => decodeMapRle({ ...base, runs: [0, 0, 0, 4] }), /run length 0/);
    assert.throws(() => decodeMapRle({ ...base, runs: [0] }), /pairs/);
    assert.throws(() => decodeMapRle({ ...base, encoding: 'png', runs: [0, 4] }), /field encoding/);
  });
});
