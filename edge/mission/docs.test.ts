import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { PathFollowerParamsSchema } from '../control/path-follower.ts';
import { RecoveryParamsSchema } from '../control/recovery.ts';
import { SafetyGateParamsSchema } from '../control/safety-gate.ts';
import { ScanMotionParamsSchema } from '../control/scan-motion.ts';
import { ACTIVITY_MEANINGS } from '../daemon/activity.ts';
import { FrontierParamsSchema } from './frontiers.ts';
import { MISSION_EFFECTS } from './state-machine.ts';

const doc = readFileSync(new URL('../../docs/mission.md', import.meta.url), 'utf8');

/** The docs row of one parameter: name, default (4 decimals at most) and the schema's description. */
function rows(schema: z.ZodObject): string[] {
  const defaults = schema.parse({}) as Record<string, unknown>;
  return Object.entries(schema.shape).map(([key, field]) => {
    const v = defaults[key];
    const shown = typeof v === 'number' ? String(Math.round(v * 10000) / 10000) : String(v);
    return `| \`${key}\` | ${shown} | ${(field as z.ZodType).description ?? ''} |`;
  });
}

describe('docs/mission.md', () => {
  for (const [name, schema] of [
    ['path follower', PathFollowerParamsSchema],
    ['safety gate', SafetyGateParamsSchema],
    ['scan motion', ScanMotionParamsSchema],
    ['recovery', RecoveryParamsSchema],
    ['frontiers', FrontierParamsSchema],
  ] as const) {
    it(`lists every ${name} parameter with its default and meaning`, () => {
      for (const row of rows(schema)) assert.ok(doc.includes(row), `missing or outdated row: ${row}`);
    });
  }

  it('lists every activity of the report with its meaning', () => {
    for (const [activity, meaning] of Object.entries(ACTIVITY_MEANINGS)) {
      const row = new RegExp(`\\| \`${activity}\` +\\| ${meaning.replace(/[()]/g, '\\$&')} +\\|`);
      assert.match(doc, row, `missing or outdated activity: ${activity}`);
    }
  });

  it('lists every mission effect', () => {
    for (const [effect, meaning] of Object.entries(MISSION_EFFECTS)) {
      assert.ok(doc.includes(`| \`${effect}\` | ${meaning} |`), `missing or outdated effect: ${effect}`);
    }
  });
});
