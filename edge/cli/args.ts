/** Flag parsers shared by the subcommands: each rejects bad input with a UserInputError naming the flag. */
import { UserInputError } from '../../shared/errors.ts';

export function parseNumberFlag(
  flag: string,
  value: string,
  opts: { min?: number; integer?: boolean } = {},
): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UserInputError(`${flag}: expected a number, got "${value}"`);
  if (opts.integer && !Number.isInteger(n))
    throw new UserInputError(`${flag}: expected a whole number, got "${value}"`);
  if (opts.min !== undefined && n < opts.min)
    throw new UserInputError(`${flag}: must be ≥ ${opts.min}, got ${value}`);
  return n;
}

export function parsePointFlag(flag: string, value: string): { x: number; y: number } {
  const parts = value.split(',');
  if (parts.length !== 2) throw new UserInputError(`${flag}: expected X,Y in metres, got "${value}"`);
  return { x: parseNumberFlag(flag, parts[0]!), y: parseNumberFlag(flag, parts[1]!) };
}
