/**
 * Exact grid traversal of a segment (Amanatides & Woo, "A Fast Voxel Traversal Algorithm", 1987): visits
 * every cell the segment passes through, in order, 4-connected. Coordinates are in cell units (cell (i, j)
 * spans [i, i+1) × [j, j+1)).
 */

/**
 * Calls `visit(cx, cy)` for each cell from the one holding (sx, sy) up to — and, with `includeEnd`, including —
 * the one holding (ex, ey). Returns the number of cells visited.
 */
export function traceRay(
  sx: number,
  sy: number,
  ex: number,
  ey: number,
  includeEnd: boolean,
  visit: (cx: number, cy: number) => void,
): number {
  let cx = Math.floor(sx);
  let cy = Math.floor(sy);
  const endCx = Math.floor(ex);
  const endCy = Math.floor(ey);
  const dx = ex - sx;
  const dy = ey - sy;
  const stepX = dx > 0 ? 1 : -1;
  const stepY = dy > 0 ? 1 : -1;
  const tDeltaX = dx !== 0 ? Math.abs(1 / dx) : Infinity;
  const tDeltaY = dy !== 0 ? Math.abs(1 / dy) : Infinity;
  let tMaxX = dx > 0 ? (cx + 1 - sx) / dx : dx < 0 ? (sx - cx) / -dx : Infinity;
  let tMaxY = dy > 0 ? (cy + 1 - sy) / dy : dy < 0 ? (sy - cy) / -dy : Infinity;
  let remaining = Math.abs(endCx - cx) + Math.abs(endCy - cy);
  let visited = 0;
  while (remaining > 0) {
    visit(cx, cy);
    visited++;
    // Forcing the axis once the other is done keeps rounding from walking past the end cell.
    if (cy === endCy || (cx !== endCx && tMaxX < tMaxY)) {
      cx += stepX;
      tMaxX += tDeltaX;
    } else {
      cy += stepY;
      tMaxY += tDeltaY;
    }
    remaining--;
  }
  if (includeEnd) {
    visit(cx, cy);
    visited++;
  }
  return visited;
}
