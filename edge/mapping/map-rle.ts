/** Run-length encoding of an OccupancyGrid into the dashboard's MapSnapshot (shared/map-snapshot.ts). */
import { MAP_SNAPSHOT_ENCODING, MapSnapshotSchema, type MapSnapshot } from '../../shared/map-snapshot.ts';
import type { OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { parseOrThrow } from '../../shared/validate.ts';

export function encodeMapRle(
  grid: OccupancyGrid,
  extra: { stamp?: number; mapId?: string } = {},
): MapSnapshot {
  const runs: number[] = [];
  const data = grid.data;
  let i = 0;
  while (i < data.length) {
    // Values outside 0…100 are unknown, whatever their byte.
    const raw = data[i]!;
    const value = raw < 0 || raw > 100 ? -1 : raw;
    let j = i + 1;
    while (j < data.length) {
      const next = data[j]!;
      if ((next < 0 || next > 100 ? -1 : next) !== value) break;
      j++;
    }
    runs.push(value, j - i);
    i = j;
  }
  return {
    encoding: MAP_SNAPSHOT_ENCODING,
    width: grid.width,
    height: grid.height,
    resolution: grid.resolution,
    origin: { ...grid.origin },
    runs,
    ...(extra.stamp !== undefined ? { stamp: extra.stamp } : {}),
    ...(extra.mapId !== undefined ? { mapId: extra.mapId } : {}),
  };
}

/** Validates (naming `source` on failure) and expands a snapshot back into a grid. */
export function decodeMapRle(snapshot: unknown, source = 'map snapshot'): OccupancyGrid {
  const s = parseOrThrow(MapSnapshotSchema, snapshot, source);
  const data = new Int8Array(s.width * s.height);
  let at = 0;
  for (let i = 0; i < s.runs.length; i += 2) {
    const count = s.runs[i + 1]!;
    data.fill(s.runs[i]!, at, at + count);
    at += count;
  }
  return { width: s.width, height: s.height, resolution: s.resolution, origin: { ...s.origin }, data };
}
