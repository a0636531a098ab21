import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../swath.mjs', import.meta.url));

test('swath edge: an invalid config exits 2, absent hardware exits 1 with one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-edge-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'lidar: { serial: { path: /dev/x } }\nbase: { type: roomba, serial: { path: /dev/y } }\n',
    );
    const invalid = spawnSync(process.execPath, [bin, 'edge', '--config', bad], { encoding: 'utf8' });
    assert.equal(invalid.status, 2, invalid.stderr);
    assert.match(invalid.stderr, /bad\.yaml: field base\.type/);

    const absent = join(dir, 'absent.yaml');
    writeFileSync(
      absent,
      `lidar: { serial: { path: ${join(dir, 'no-lidar')} } }\nbase: { type: create2, serial: { path: ${join(dir, 'no-base')} } }\ncamera: { enabled: false }\ndataDir: ${dir}\n`,
    );
    const run = spawnSync(process.execPath, [bin, 'edge', '--config', absent], {
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^swath edge: cannot start: Create 2 on .*no-base/m);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
