import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRobotConfig } from './config.ts';
import { UserInputError } from './errors.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/config/${name}`, import.meta.url));

test('a valid config file loads with defaults filled in', () => {
  const config = loadRobotConfig(fixture('valid.yaml'));
  assert.equal(config.robotId, 'test-bot');
  assert.equal(config.lidar.model, 'A2M8');
  assert.equal(config.lidar.mount.yaw, 3.14159);
  assert.equal(config.base.wheelBase, 0.235);
  assert.equal(config.camera.intrinsics.fx, 530);
  assert.equal(config.limits.maxLinearSpeed, 0.3);
});

test('an invalid config file is refused with the file and the field named', () => {
  assert.throws(
    () => loadRobotConfig(fixture('bad-radius.yaml')),
    (err: unknown) =>
      err instanceof UserInputError &&
      /bad-radius\.yaml/.test(err.message) &&
      /field robotRadius/.test(err.message),
  );
  assert.throws(() => loadRobotConfig(fixture('missing.yaml')), /missing\.yaml: cannot read/);
});

test('the CLI exits with code 2 and one clear line for an invalid config', () => {
  const bin = fileURLToPath(new URL('../edge/cli/swath.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [bin, 'config', 'check', fixture('bad-radius.yaml')], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /bad-radius\.yaml: field robotRadius: /);
  const ok = spawnSync(process.execPath, [bin, 'config', 'check', fixture('valid.yaml')], {
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
});
