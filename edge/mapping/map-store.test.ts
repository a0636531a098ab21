import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGrid } from '../../shared/occupancy-grid.ts';
import { UserInputError } from '../../shared/errors.ts';
import { listStoredMaps, loadStoredMap, saveStoredMap } from './map-store.ts';

function grid() {
  const g = createGrid({ width: 4, height: 3, resolution: 0.05, origin: { x: -0.1, y: 0.25, theta: 0 } });
  g.data.set([0, 0, 100, -1, 0, 100, 100, -1, -1, 0, 0, 0]);
  return g;
}

describe('map store', () => {
  it('saves, reloads identically, keeps createdAt on update and lists maps', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'swath-maps-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const first = saveStoredMap(root, 'kitchen', grid(), { now: 100, name: 'Kitchen', scans: 10 });
    assert.equal(first.createdAt, 100);
    const { grid: back, meta } = loadStoredMap(root, 'kitchen');
    assert.deepEqual(back, grid());
    assert.deepEqual(meta, first);
    const second = saveStoredMap(root, 'kitchen', grid(), { now: 200, scans: 30 });
    assert.deepEqual(
      [second.createdAt, second.updatedAt, second.name, second.scans],
      [100, 200, 'Kitchen', 30],
    );
    saveStoredMap(root, 'bedroom-2', grid(), { now: 300 });
    assert.deepEqual(
      listStoredMaps(root).maps.map((m) => m.id),
      ['bedroom-2', 'kitchen'],
    );
  });

  it('rejects bad ids and names the file when meta.json is invalid', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'swath-maps-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    assert.throws(() => saveStoredMap(root, '../evil', grid(), { now: 0 }), UserInputError);
    saveStoredMap(root, 'a', grid(), { now: 0 });
    writeFileSync(
      join(root, 'a', 'meta.json'),
      JSON.stringify({ version: 1, id: 'a', createdAt: 'yesterday' }),
    );
    assert.throws(
      () => loadStoredMap(root, 'a'),
      (e) => e instanceof UserInputError && /a[/\\]meta\.json: field createdAt/.test(e.message),
    );
    assert.equal(listStoredMaps(root).errors.length, 1);
    assert.throws(() => loadStoredMap(root, 'missing'), /missing[/\\]meta\.json/);
  });
});
