import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDemo } from './demo.ts';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('npm start: the simulated robot reports to the cloud over MQTT and answers commands', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'swath-demo-'));
  const demo = await startDemo({
    world: 'studio',
    seed: 1,
    speed: 10,
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    log: () => {},
  });
  const get = async (path: string) => {
    const res = await fetch(`${demo.cloud.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${demo.adminToken}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };
  try {
    await until('the robot online', async () => {
      const body = (await get('/api/robots')) as { robots: { id: string; online: boolean }[] };
      return body.robots.find((r) => r.id === 'sim-1' && r.online);
    });
    const exploring = await until('state telemetry from a running mission', async () => {
      const body = (await get('/api/robots/sim-1/telemetry?limit=50')) as {
        samples: { missionState?: string }[];
      };
      return body.samples.find((s) => s.missionState === 'exploring');
    });
    assert.equal(exploring.missionState, 'exploring');
    const map = await until('a map snapshot', async () => {
      const body = await get('/api/robots/sim-1/map');
      return typeof body.width === 'number' ? body : undefined;
    });
    assert.ok((map.width as number) > 10);
    const res = await fetch(`${demo.cloud.httpUrl}/api/robots/sim-1/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pause' }),
    });
    assert.equal(res.status, 200);
    const { reply } = (await res.json()) as { reply: { ok: boolean; state?: string } };
    assert.equal(reply.ok, true, JSON.stringify(reply));
    assert.equal(reply.state, 'paused');
  } finally {
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
