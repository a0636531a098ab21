/**
 * Connects the daemon to the fleet link: state telemetry at a fixed rate, the daemon's events, map
 * snapshots (rate-limited by the link), and the cloud's commands turned into mission events.
 */
import type { Clock } from '../../shared/clock.ts';
import type { BatteryState } from '../drivers/base.ts';
import type { RobotLink } from '../link/robot-link.ts';
import type { EdgeDaemon } from './daemon.ts';

export interface LinkBridgeOptions {
  /** s between state telemetry messages (default 1) */
  telemetryPeriod?: number;
  /** s between map snapshots offered to the link (default 3) */
  mapPeriod?: number;
  battery: () => BatteryState | undefined;
  /** body velocity, m/s and rad/s */
  velocity: () => { v: number; omega: number };
  /** °C, where the board reports it (a Pi does) */
  cpuTemp?: () => number | undefined;
}

/** Decimates a path so a map snapshot stays small. */
function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}

export function bridgeDaemonToLink(
  daemon: EdgeDaemon,
  link: RobotLink,
  clock: Clock,
  options: LinkBridgeOptions,
): { stop(): void } {
  const telemetry = clock.setInterval(() => {
    const status = daemon.status();
    const pose = status.pose ?? { x: 0, y: 0, theta: 0 };
    const battery = options.battery();
    const velocity = options.velocity();
    const cpuTemp = options.cpuTemp?.();
    const outbox = link.stats().outbox;
    link.publishState({
      pose,
      missionState: status.mission.mode,
      coverage: Math.min(1, Math.max(0, status.coverageEstimate)),
      batteryPercent: Math.min(100, Math.max(0, battery?.percent ?? 0)),
      batteryVoltage: Math.min(100, Math.max(0, battery?.voltage ?? 0)),
      linearSpeed: velocity.v,
      angularSpeed: velocity.omega,
      ...(cpuTemp !== undefined ? { cpuTemp } : {}),
      values: {
        replans: status.replans,
        pathLength: status.pathLength,
        outboxPending: outbox.pendingRecords,
        outboxDropped: Object.values(outbox.dropped).reduce((a, b) => a + b, 0),
      },
    });
  }, options.telemetryPeriod ?? 1);

  const maps = clock.setInterval(() => {
    const pose = daemon.pose();
    const grid = daemon.map();
    link.publishMap(grid, {
      covered: daemon.coveredInMap(grid),
      path: thin(
        daemon.currentPath.map((p) => ({ x: p.x, y: p.y })),
        2000,
      ),
      ...(pose ? { pose } : {}),
    });
  }, options.mapPeriod ?? 3);

  daemon.onEvent((event) => {
    if (event.type === 'safety.stop') return; // too chatty for the fleet; counted in telemetry instead
    link.publishEvent(event.level, event.type, event.message);
  });

  const mission = (type: 'start' | 'pause' | 'resume' | 'return' | 'abort') => () => {
    const result = daemon.dispatch({ type });
    return result.ok
      ? { ok: true, state: daemon.missionState.mode }
      : { ok: false, error: result.reason ?? 'refused', state: daemon.missionState.mode };
  };
  link.onCommand('start', mission('start'));
  link.onCommand('pause', mission('pause'));
  link.onCommand('resume', mission('resume'));
  link.onCommand('return', mission('return'));
  link.onCommand('stop', mission('abort'));
  link.onCommand('ping', () => ({ ok: true, state: daemon.missionState.mode }));

  return {
    stop() {
      clock.clearTimer(telemetry);
      clock.clearTimer(maps);
    },
  };
}
