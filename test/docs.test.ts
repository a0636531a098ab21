import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRobotConfig } from '../shared/config.ts';
import { configReferenceTable } from '../shared/config-reference.ts';

const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

test('docs/configuration.md holds the reference generated from the schema', () => {
  const doc = readFileSync(repo('docs/configuration.md'), 'utf8');
  const match = /<!-- config-reference:begin -->([\s\S]*?)<!-- config-reference:end -->/.exec(doc);
  assert.ok(match, 'markers missing');
  // Prettier pads table cells, so compare cell by cell.
  const cells = (table: string) =>
    table
      .trim()
      .split('\n')
      .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
      .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()));
  assert.deepEqual(
    cells(match[1]!),
    cells(configReferenceTable()),
    'regenerate with: npx swath config reference',
  );
});

test('the example robot configs are valid', () => {
  for (const file of ['firmware-config/robot.create2.yaml', 'firmware-config/robot.diy.yaml']) {
    const config = loadRobotConfig(repo(file));
    assert.ok(config.robotId.length > 0, file);
  }
});
