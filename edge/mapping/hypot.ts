/**
 * √(x² + y²) with exactly Math.hypot's result, without its cost: V8's Math.hypot is a variadic builtin that
 * allocates an array of its arguments and a number for its result on every call, which the per-beam and
 * per-point loops of the mapping pipeline call millions of times. This is the same computation as V8's
 * (Torque MathHypot: scale by the larger magnitude, Kahan-summed squares, √ · max) for two arguments, so
 * replacing Math.hypot with it changes no result; hypot.test.ts checks it against Math.hypot bit for bit.
 * (A plain Math.sqrt(x * x + y * y) differs in the last bit for a good share of inputs.)
 */
export function hypot(x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if (ax !== ax || ay !== ay) return ax === Infinity || ay === Infinity ? Infinity : NaN;
  const max = ax > ay ? ax : ay;
  if (max === Infinity) return Infinity;
  if (max === 0) return 0;
  const nx = ax / max;
  const ny = ay / max;
  // V8 Kahan-sums the squares from 0; for two terms the compensation after the first is exactly 0.
  return Math.sqrt(nx * nx + ny * ny) * max;
}
