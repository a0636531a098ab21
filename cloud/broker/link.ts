/** What the service needs from an MQTT broker, embedded or external. */
import type { PublishFn } from '../commands/dispatcher.ts';

export interface BrokerLink {
  publish: PublishFn;
  /** Robots connected right now (null when the broker is external and cannot tell). */
  connectedRobots(): number | null;
  /** Where robots connect, e.g. mqtt://127.0.0.1:1883. */
  readonly urls: string[];
  close(): Promise<void>;
}
