// Benchmark load generator, run as a separate process by ingest.bench.ts: N simulated robots, each an
// MQTT.js client keeping `window` QoS 1 telemetry publishes in flight for `durationMs`. Every 100th
// record is sent twice (same seq) to exercise de-duplication. Prints one JSON line with its counts.
import mqtt from 'mqtt';

const cfg = JSON.parse(process.env.SWATH_BENCH_ROBOTS ?? '{}');
const { url, robots, durationMs, window } = cfg;
const epochMs = () => performance.timeOrigin + performance.now();

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
process.stdout.write(JSON.stringify({ connected: clients.length }) + '\n');
// Wait for the parent's go, so connection setup is outside the measured window.
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let sent = 0;
let acked = 0;
let duplicatesSent = 0;
let errors = 0;
const stopAt = Date.now() + durationMs;
const bootId = `bench-${process.pid}`;

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

await Promise.all(
  clients.map(
    (client, i) =>
      new Promise((resolve) => {
        const topic = `swath/v1/robots/${robots[i].id}/telemetry/state`;
        let seq = 0;
        let inflight = 0;
        const pump = () => {
          while (inflight < window && Date.now() < stopAt) {
            const s = seq % 100 === 99 && seq > 0 ? seq - 1 : seq;
            if (s !== seq) duplicatesSent++;
            seq++;
            inflight++;
            sent++;
            client.publish(topic, message(s), { qos: 1 }, (err) => {
              inflight--;
              if (err) errors++;
              else acked++;
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
const cpu = process.cpuUsage(cpu0);
const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
await Promise.all(clients.map((c) => c.endAsync()));
process.stdout.write(JSON.stringify({ sent, acked, duplicatesSent, errors, cpuShare }) + '\n');
process.exitCode = 0;
