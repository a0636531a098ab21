// Benchmark load generator, run as a separate process by ingest.bench.ts. N simulated robots, each an
// MQTT.js client publishing QoS 1 "state" telemetry, in two phases, each started by a line on stdin:
//   1. saturate: every robot keeps `window` publishes in flight for `durationMs` (throughput);
//   2. paced: every robot publishes at `rateHz` for `pacedMs` (latency at a realistic fleet load).
// Every 100th record is sent twice (same seq) to exercise de-duplication. After each phase, once every
// publish is acknowledged, it prints one JSON line with its counts.
import mqtt from 'mqtt';
import { createInterface } from 'node:readline';

const cfg = JSON.parse(process.env.SWATH_BENCH_ROBOTS ?? '{}');
const { url, robots, durationMs, window, pacedMs, rateHz } = cfg;
const epochMs = () => performance.timeOrigin + performance.now();
const bootId = `bench-${process.pid}`;

const clients = await Promise.all(
  robots.map(({ id, password }) =>
    mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      queueQoSZero: false,
    }),
  ),
);
const topics = robots.map(({ id }) => `swath/v1/robots/${id}/telemetry/state`);
const seqs = robots.map(() => 0);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write(JSON.stringify({ connected: clients.length }) + '\n');

function message(seq) {
  return JSON.stringify({
    stream: 'state',
    bootId,
    seq,
    time: epochMs() / 1000,
    pose: { x: seq * 0.01, y: 1.5, theta: 0.25 },
    missionState: 'covering',
    coverage: Math.min(1, seq / 1e6),
    batteryPercent: 87.5,
    batteryVoltage: 14.6,
    linearSpeed: 0.25,
    angularSpeed: 0.1,
    cpuTemp: 51.2,
  });
}

/** Runs one phase; `publishOne(i, done)` publishes for robot i. Resolves when all acks are in. */
async function phase(run) {
  const counts = { sent: 0, acked: 0, duplicatesSent: 0, errors: 0 };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const publishOne = (i, after) => {
    const seq = seqs[i]++;
    const s = seq % 100 === 99 ? seq - 1 : seq;
    if (s !== seq) counts.duplicatesSent++;
    counts.sent++;
    clients[i].publish(topics[i], message(s), { qos: 1 }, (err) => {
      if (err) counts.errors++;
      else counts.acked++;
      after();
    });
  };
  await run(publishOne);
  const cpu = process.cpuUsage(cpu0);
  counts.cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  return counts;
}

function saturate(publishOne) {
  const stopAt = Date.now() + durationMs;
  return Promise.all(
    clients.map(
      (_, i) =>
        new Promise((resolve) => {
          let inflight = 0;
          const pump = () => {
            while (inflight < window && Date.now() < stopAt) {
              inflight++;
              publishOne(i, () => {
                inflight--;
                if (Date.now() < stopAt) setImmediate(pump);
                else if (inflight === 0) resolve();
              });
            }
            if (inflight === 0) resolve();
          };
          pump();
        }),
    ),
  );
}

function paced(publishOne) {
  const periodMs = 1000 / rateHz;
  const ticks = Math.round(pacedMs / periodMs);
  return Promise.all(
    clients.map(
      (_, i) =>
        new Promise((resolve) => {
          let tick = 0;
          let pending = 0;
          const done = () => {
            pending--;
            if (tick >= ticks && pending === 0) resolve();
          };
          // Spread the robots over the period, as a real fleet's clocks are.
          setTimeout(
            () => {
              const timer = setInterval(() => {
                pending++;
                publishOne(i, done);
                if (++tick >= ticks) clearInterval(timer);
              }, periodMs);
            },
            (i * periodMs) / clients.length,
          );
        }),
    ),
  );
}

await lines.next();
process.stdout.write(JSON.stringify(await phase(saturate)) + '\n');
await lines.next();
process.stdout.write(JSON.stringify(await phase(paced)) + '\n');
await Promise.all(clients.map((c) => c.endAsync()));
process.exit(0);
