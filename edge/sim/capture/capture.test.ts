import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCapture } from './capture.ts';

test('a capture writes the documented files, and the same world and seed give byte-identical CSVs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swath-capture-'));
  try {
    const a = await runCapture({ world: 'studio', seed: 7, duration: 4, out: join(dir, 'a') });
    const b = await runCapture({ world: 'studio', seed: 7, duration: 4, out: join(dir, 'b') });
    for (const file of ['lidar.csv', 'ground_truth.csv', 'odometry.csv']) {
      const bytesA = readFileSync(join(dir, 'a', file));
      assert.ok(bytesA.length > 100, `${file} is written`);
      assert.ok(bytesA.equals(readFileSync(join(dir, 'b', file))), `${file} is byte-identical`);
    }
    // 8 k samples/s at 10 Hz from the A2M12 in dense mode, minus the spin-up.
    assert.ok(a.scans >= 30 && a.scans <= 41, `scans ${a.scans}`);
    assert.ok(a.lidarSamples > 25000, `samples ${a.lidarSamples}`);
    assert.equal(a.lidarSamples, b.lidarSamples);
    const header = readFileSync(join(dir, 'a', 'lidar.csv'), 'utf8').split('\n', 1)[0];
    assert.equal(header, 'time,scan_id,angle,range,quality');
    const manifest = JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8')) as {
      format: string;
      files: Record<string, { rows: number }>;
    };
    assert.equal(manifest.format, 'swath-capture');
    assert.equal(manifest.files['lidar.csv']!.rows, a.lidarSamples);
    assert.ok(a.distance > 0.3, `the robot moved (${a.distance} m)`);
    // Camera at 10 fps: PNG frames decoded from the I420 stream, with a mask and a label line each.
    assert.ok(a.cameraFrames >= 30, `frames ${a.cameraFrames}`);
    const labels = readFileSync(join(dir, 'a', 'labels.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const first = JSON.parse(labels[0]!) as {
      image: string;
      mask: string;
      floorType: string;
      boxes: unknown[];
    };
    assert.ok(
      readFileSync(join(dir, 'a', first.image))
        .subarray(1, 4)
        .toString() === 'PNG',
    );
    assert.ok(
      readFileSync(join(dir, 'a', first.mask))
        .subarray(1, 4)
        .toString() === 'PNG',
    );
    assert.ok(first.floorType.length > 0 && Array.isArray(first.boxes));
    assert.ok(
      readFileSync(join(dir, 'a', 'labels.jsonl')).equals(readFileSync(join(dir, 'b', 'labels.jsonl'))),
    );
    const other = await runCapture({ world: 'studio', seed: 8, duration: 4, out: join(dir, 'c') });
    assert.ok(
      !readFileSync(join(dir, 'c', 'lidar.csv')).equals(readFileSync(join(dir, 'a', 'lidar.csv'))),
      'another seed gives other data',
    );
    assert.ok(other.scans > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
