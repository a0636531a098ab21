/**
 * Ingest throughput and latency: 200 simulated robots in a separate process publish QoS 1 "state"
 * telemetry through the embedded broker on loopback; every record is validated, de-duplicated and
 * committed to SQLite (a WAL file in a temp directory). ingestMsgsPerSec counts committed records per
 * second of the measured window; p99IngestMs is from the robot's publish call to the row's commit (both
 * processes read the same wall clock).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Benchmark } from '../../test/bench/registry.ts';
import { registerRobot, startTestCloud } from '../test-support.ts';
import type { IngestedRecord } from './ingest.ts';

const ROBOTS = Number(process.env.SWATH_BENCH_CLOUD_ROBOTS ?? 200);
const DURATION_MS = Number(process.env.SWATH_BENCH_CLOUD_MS ?? 8000);
const WINDOW = Number(process.env.SWATH_BENCH_CLOUD_WINDOW ?? 20);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const bench: Benchmark = {
  name: 'cloud',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'swath-cloud-bench-'));
    let measuring = false;
    let committed = 0;
    let latencies = new Float64Array(1 << 20);
    let nLat = 0;
    const onCommit = (records: readonly IngestedRecord[]) => {
      if (!measuring) return;
      const now = (performance.timeOrigin + performance.now()) / 1000;
      committed += records.length;
      for (const r of records) {
        if (r.kind !== 'telemetry') continue;
        if (nLat === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[nLat++] = (now - r.message.time) * 1000;
      }
    };
    const cloud = await startTestCloud({ dbPath: join(dir, 'bench.db') }, { onCommit });
    try {
      const robots: { id: string; password: string }[] = [];
      for (let i = 0; i < ROBOTS; i++) {
        const id = `bench-${String(i).padStart(3, '0')}`;
        robots.push({ id, password: await registerRobot(cloud, id) });
      }
      const child = spawn(process.execPath, [fileURLToPath(new URL('./bench-robots.mjs', import.meta.url))], {
        env: {
          ...process.env,
          SWATH_BENCH_ROBOTS: JSON.stringify({
            url: cloud.mqttUrls[0],
            robots,
            durationMs: DURATION_MS,
            window: WINDOW,
          }),
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const first = await lines.next();
      if (first.done) throw new Error(`load generator exited early (code ${await exited})`);
      measuring = true;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      child.stdin!.end('go\n');
      const last = await lines.next();
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      measuring = false;
      const code = await exited;
      if (last.done || code !== 0) throw new Error(`load generator failed (code ${code})`);
      const counts = JSON.parse(last.value) as {
        sent: number;
        acked: number;
        duplicatesSent: number;
        errors: number;
        cpuShare: number;
      };
      const sorted = latencies.subarray(0, nLat).sort();
      return {
        robots: ROBOTS,
        seconds: Math.round(elapsed * 100) / 100,
        messages: counts.acked,
        duplicatesSent: counts.duplicatesSent,
        ingestMsgsPerSec: Math.round(committed / elapsed),
        p50IngestMs: Math.round(percentile(sorted, 0.5) * 100) / 100,
        p99IngestMs: Math.round(percentile(sorted, 0.99) * 100) / 100,
        /** CPU time over wall time: 1 = one core busy the whole window. */
        serviceCpu: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100) / 100,
        loadGeneratorCpu: Math.round(counts.cpuShare * 100) / 100,
      };
    } finally {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
