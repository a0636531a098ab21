/**
 * The cells on the straight line between two grid cells (Bresenham), end cells included. `visit` may return
 * false to stop early; the function then returns false, else true. Pure.
 */
export function walkGridLine(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  visit: (x: number, y: number) => boolean | void,
): boolean {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    if (visit(x, y) === false) return false;
    if (x === x1 && y === y1) return true;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/**
 * Every cell the straight segment between two cell CENTRES passes through (a supercover), end cells included,
 * in order. Where the segment runs exactly through a cell corner, both cells beside the corner are visited too, so a robot following the segment never enters a cell this
 * skipped. `visit` may return false to stop early; the function then returns false, else true. Pure.
 */
export function walkGridSupercover(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  visit: (x: number, y: number) => boolean | void,
): boolean {
  const nx = Math.abs(x1 - x0);
  const ny = Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let x = x0;
  let y = y0;
  if (visit(x, y) === false) return false;
  for (let ix = 0, iy = 0; ix < nx || iy < ny;) {
    // Compare where the segment crosses the next vertical and the next horizontal cell border (in units of
    // the segment's length, times 2·nx·ny to stay in integers).
    const decision = (1 + 2 * ix) * ny - (1 + 2 * iy) * nx;
    if (decision === 0) {
      if (visit(x + sx, y) === false || visit(x, y + sy) === false) return false;
      x += sx;
      y += sy;
      ix++;
      iy++;
    } else if (decision < 0) {
      x += sx;
      ix++;
    } else {
      y += sy;
      iy++;
    }
    if (visit(x, y) === false) return false;
  }
  return true;
}
