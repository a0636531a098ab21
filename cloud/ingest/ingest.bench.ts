/**
 * Ingest throughput and latency: 200 simulated robots in a separate process publish QoS 1 "state"
 * telemetry through the embedded broker on loopback; every record is validated, de-duplicated and
 * committed to SQLite (a WAL file in a temp directory). Two phases:
 * - saturate (8 s): each robot keeps 20 publishes in flight. ingestMsgsPerSec counts committed records per
 *   second; p99IngestMs is from the robot's publish call to the row's commit (both processes read the
 *   same wall clock), so at saturation it is mostly queueing (Little's law: in flight ÷ throughput).
 * - paced (3 s): each robot publishes at 10 Hz (2000 msg/s for the fleet); p99PacedIngestMs is the latency
 *   a fleet sees in normal operation.
 * The machine is shared, so serviceCpuUsPerMsg (service CPU time per committed record) is reported too: it
 * does not depend on how much CPU other processes leave.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from '../../test/bench/registry.ts';
import { registerRobot, startTestCloud } from '../test-support.ts';
import type { IngestedRecord } from './ingest.ts';

const ROBOTS = Number(process.env.SWATH_BENCH_CLOUD_ROBOTS ?? 200);
const DURATION_MS = Number(process.env.SWATH_BENCH_CLOUD_MS ?? 8000);
const WINDOW = Number(process.env.SWATH_BENCH_CLOUD_WINDOW ?? 20);
const PACED_MS = 3000;
const RATE_HZ = 10;

interface PhaseCounts {
  sent: number;
  acked: number;
  duplicatesSent: number;
  errors: number;
  cpuShare: number;
}

/** Latencies (ms) of committed records, in a growable typed array. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  percentile(p: number): number {
    const sorted = this.data.subarray(0, this.length).sort();
    if (sorted.length === 0) return NaN;
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const bench: Benchmark = {
  name: 'cloud',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'swath-cloud-bench-'));
    let latencies: Samples | null = null;
    let committed = 0;
    const onCommit = (records: readonly IngestedRecord[]) => {
      if (!latencies) return;
      const now = (performance.timeOrigin + performance.now()) / 1000;
      committed += records.length;
      for (const r of records) if (r.kind === 'telemetry') latencies.push((now - r.message.time) * 1000);
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
            pacedMs: PACED_MS,
            rateHz: RATE_HZ,
          }),
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const nextLine = async (what: string): Promise<string> => {
        const line = await lines.next();
        if (line.done) throw new Error(`load generator exited before ${what} (code ${await exited})`);
        return line.value;
      };
      await nextLine('connecting');

      const saturated = new Samples();
      latencies = saturated;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      child.stdin!.write('go\n');
      const counts = JSON.parse(await nextLine('the saturate phase')) as PhaseCounts;
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const committedSaturated = committed;

      const paced = new Samples();
      latencies = paced;
      child.stdin!.end('go\n');
      const pacedCounts = JSON.parse(await nextLine('the paced phase')) as PhaseCounts;
      latencies = null;
      const code = await exited;
      if (code !== 0) throw new Error(`load generator failed (code ${code})`);
      if (counts.errors + pacedCounts.errors > 0) throw new Error('publishes failed');
      return {
        robots: ROBOTS,
        seconds: round2(elapsed),
        messages: counts.acked,
        duplicatesSent: counts.duplicatesSent,
        ingestMsgsPerSec: Math.round(committedSaturated / elapsed),
        p50IngestMs: saturated.percentile(0.5),
        p99IngestMs: saturated.percentile(0.99),
        p50PacedIngestMs: paced.percentile(0.5),
        p99PacedIngestMs: paced.percentile(0.99),
        pacedMessages: pacedCounts.acked,
        /** CPU time over wall time in the saturate phase: 1 = one core busy the whole time. */
        serviceCpu: round2((cpu.user + cpu.system) / 1e6 / elapsed),
        serviceCpuUsPerMsg: Math.round(((cpu.user + cpu.system) / Math.max(1, committedSaturated)) * 10) / 10,
        loadGeneratorCpu: round2(counts.cpuShare),
      };
    } finally {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
