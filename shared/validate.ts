/** Turning zod failures into one clear message that names the source and the field. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UserInputError } from './errors.ts';

export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Validates `value` against `schema`; on failure throws a UserInputError naming `source` and the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0]!;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new UserInputError(`${source}: field ${formatIssuePath(first.path)}: ${first.message}${more}`, {
    cause: result.error,
  });
}

/** Reads a YAML (or JSON) file and validates it. */
export function loadYamlFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserInputError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new UserInputError(`${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return parseOrThrow(schema, value ?? {}, file);
}
