/**
 * The config file reference, generated from the zod schema so that docs/configuration.md cannot drift from
 * the code (a test compares them).
 */
import { z } from 'zod';
import { RobotConfigSchema } from './config.ts';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  pattern?: string;
  minLength?: number;
}

function constraints(node: JsonSchemaNode): string {
  const parts: string[] = [];
  if (node.enum) parts.push(node.enum.map((v) => `\`${String(v)}\``).join(' \\| '));
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  if (node.minimum !== undefined) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${node.maximum}`);
  if (node.multipleOf !== undefined) parts.push(`multiple of ${node.multipleOf}`);
  if (node.pattern !== undefined) parts.push(`pattern \`${node.pattern}\``);
  if (node.minLength !== undefined) parts.push('non-empty');
  return parts.join(', ');
}

function rows(node: JsonSchemaNode, prefix: string, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = node.required?.includes(key) ? 'yes' : '';
    const type = Array.isArray(child.type) ? child.type.join(' \\| ') : (child.type ?? '');
    const dflt =
      child.default === undefined || typeof child.default === 'object'
        ? ''
        : `\`${JSON.stringify(child.default)}\``;
    out.push(
      `| \`${path}\` | ${type} | ${required} | ${dflt} | ${constraints(child)} | ${child.description ?? ''} |`,
    );
    if (child.properties) rows(child, path, out);
  }
}

export function configReferenceTable(): string {
  const schema = z.toJSONSchema(RobotConfigSchema, { io: 'input' }) as JsonSchemaNode;
  const out = [
    '| field | type | required | default | allowed | unit / meaning |',
    '|---|---|---|---|---|---|',
  ];
  rows(schema, '', out);
  return out.join('\n');
}
