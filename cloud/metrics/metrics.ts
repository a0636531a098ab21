/**
 * Prometheus metrics of the cloud service, in their own Registry (never prom-client's global one, so two
 * services in one process — tests — do not collide).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class CloudMetrics {
  readonly registry = new Registry();
  readonly connectedRobots: Gauge;
  readonly messagesIn: Counter<'type'>;
  readonly invalidPayloads: Counter<'type' | 'reason'>;
  readonly duplicates: Counter<'type'>;
  readonly ingestLatency: Histogram;
  readonly ingestBatches: Counter;
  readonly authFailures: Counter<'reason'>;
  readonly aclDenials: Counter<'action'>;
  readonly commands: Counter<'name' | 'outcome'>;
  readonly databaseSize: Gauge;

  constructor(opts: { databaseSizeBytes: () => number; connectedRobots: () => number }) {
    const registers = [this.registry];
    this.connectedRobots = new Gauge({
      name: 'swath_cloud_connected_robots',
      help: 'Robots with an open MQTT connection to the embedded broker',
      registers,
      collect() {
        this.set(opts.connectedRobots());
      },
    });
    this.messagesIn = new Counter({
      name: 'swath_cloud_messages_in_total',
      help: 'Robot messages received, by payload type',
      labelNames: ['type'],
      registers,
    });
    this.invalidPayloads = new Counter({
      name: 'swath_cloud_invalid_payloads_total',
      help: 'Robot messages dropped as invalid, by payload type and reason',
      labelNames: ['type', 'reason'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'swath_cloud_duplicate_records_total',
      help: 'Records already stored (same robot, stream, boot id and seq), by payload type',
      labelNames: ['type'],
      registers,
    });
    this.ingestLatency = new Histogram({
      name: 'swath_cloud_ingest_latency_seconds',
      help: 'From a PUBLISH reaching the broker to its row being committed',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.ingestBatches = new Counter({
      name: 'swath_cloud_ingest_batches_total',
      help: 'Database transactions committed by ingest',
      registers,
    });
    this.authFailures = new Counter({
      name: 'swath_cloud_mqtt_auth_failures_total',
      help: 'Refused MQTT connections, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.aclDenials = new Counter({
      name: 'swath_cloud_mqtt_acl_denials_total',
      help: 'Publishes and subscriptions refused by the ACL',
      labelNames: ['action'],
      registers,
    });
    this.commands = new Counter({
      name: 'swath_cloud_commands_total',
      help: 'Commands sent to robots, by name and outcome',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.databaseSize = new Gauge({
      name: 'swath_cloud_database_size_bytes',
      help: 'SQLite database size on disk, WAL included',
      registers,
      collect() {
        this.set(opts.databaseSizeBytes());
      },
    });
  }
}
