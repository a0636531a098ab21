import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MQTT_EXAMPLES, renderMqttDoc } from './doc.ts';
import {
  CommandReplySchema,
  CommandRequestSchema,
  EventMessageSchema,
  MapSnapshotSchema,
  StatusMessageSchema,
  TelemetryMessageSchema,
} from './messages.ts';

/** Prettier pads tables and re-flows JSON blocks; compare everything but the layout. */
function normalize(markdown: string): string {
  return markdown.replace(/-{3,}/g, '---').replace(/\s+/g, '');
}

test('every example in docs/mqtt.md is a valid payload', () => {
  StatusMessageSchema.parse(MQTT_EXAMPLES.status);
  StatusMessageSchema.parse(MQTT_EXAMPLES.will);
  TelemetryMessageSchema.parse(MQTT_EXAMPLES.state);
  TelemetryMessageSchema.parse(MQTT_EXAMPLES.generic);
  EventMessageSchema.parse(MQTT_EXAMPLES.event);
  MapSnapshotSchema.parse(MQTT_EXAMPLES.map);
  CommandRequestSchema.parse(MQTT_EXAMPLES.command);
  CommandReplySchema.parse(MQTT_EXAMPLES.reply);
});

test('docs/mqtt.md is the rendering of the current schemas', () => {
  const file = readFileSync(new URL('../../docs/mqtt.md', import.meta.url), 'utf8');
  const [have, want] = [normalize(file), normalize(renderMqttDoc())];
  let at = 0;
  while (at < want.length && have[at] === want[at]) at++;
  assert.ok(
    have === want,
    `docs/mqtt.md is stale near "${want.slice(Math.max(0, at - 40), at + 40)}": regenerate with ` +
      'npx swath cloud mqtt-doc > docs/mqtt.md && npx prettier --write docs/mqtt.md',
  );
});
