import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { SystemClock } from '../../../shared/clock.ts';
import { loadRobotConfig } from '../../../shared/config.ts';
import { UserInputError } from '../../../shared/errors.ts';
import { EdgeDaemon } from '../../daemon/daemon.ts';
import { bridgeDaemonToLink } from '../../daemon/link-bridge.ts';
import { createDriveBase } from '../../drivers/base.ts';
import { CameraDriver } from '../../drivers/camera/camera-driver.ts';
import { RplidarDriver } from '../../drivers/rplidar/driver.ts';
import { RobotLink } from '../../link/robot-link.ts';
import { motionPlanner } from '../../planning/motion-planner.ts';
import { serialPortFactory } from '../../transport/serial.ts';

const THERMAL_ZONE = '/sys/class/thermal/thermal_zone0/temp';

function readFileOrExplain(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UserInputError(`${file}: cannot read the ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** `swath edge`: the robot daemon on real hardware (systemd runs it; see systemd/swath-edge.service). */
export function registerEdge(program: Command): void {
  program
    .command('edge')
    .description('run the robot daemon on real hardware: LIDAR, drive base, camera, mission, fleet link')
    .requiredOption('--config <file>', 'robot config file (YAML), e.g. /etc/swath/robot.yaml')
    .option('--start', 'start a mission as soon as the devices are up (otherwise wait for a command)')
    .action(async (flags: { config: string; start?: boolean }) => {
      const config = loadRobotConfig(flags.config);
      const logger = pino({ base: { robot: config.robotId } });
      const clock = new SystemClock();
      const lidar = new RplidarDriver(config.lidar, serialPortFactory(config.lidar.serial.path), clock);
      const base = createDriveBase(config.base, serialPortFactory, clock);
      const camera = config.camera.enabled ? new CameraDriver({ config: config.camera, clock }) : undefined;
      const daemon = new EdgeDaemon({
        config,
        clock,
        devices: { lidar, base, ...(camera ? { camera } : {}) },
        planner: motionPlanner,
        maps: { root: join(config.dataDir, 'maps'), id: config.mapId },
        logger,
      });

      let link: RobotLink | undefined;
      let bridge: { stop(): void } | undefined;
      if (config.fleet) {
        const fleet = config.fleet;
        const tls = fleet.caFile
          ? {
              ca: readFileOrExplain(fleet.caFile, 'CA certificate'),
              ...(fleet.certFile ? { cert: readFileOrExplain(fleet.certFile, 'client certificate') } : {}),
              ...(fleet.keyFile ? { key: readFileOrExplain(fleet.keyFile, 'client key') } : {}),
            }
          : undefined;
        link = new RobotLink(
          {
            url: fleet.url,
            robotId: config.robotId,
            password: readFileOrExplain(fleet.passwordFile, 'MQTT password'),
            firmware: config.base.type,
            ...(tls ? { tls } : {}),
          },
          {
            path: join(config.dataDir, 'outbox.sqlite'),
            maxBytes: fleet.outboxMaxBytes,
            policies: { events: { onFull: 'never-drop' }, cmdres: { onFull: 'never-drop' } },
          },
          clock,
        );
        bridge = bridgeDaemonToLink(daemon, link, clock, {
          telemetryPeriod: fleet.telemetryPeriod,
          mapPeriod: fleet.mapPeriod,
          battery: () => base.battery(),
          velocity: () => daemon.status().velocity,
          cpuTemp: () =>
            existsSync(THERMAL_ZONE) ? Number(readFileSync(THERMAL_ZONE, 'utf8')) / 1000 : undefined,
        });
        link.connect();
      }

      try {
        await daemon.start();
      } catch (err) {
        // Absent or unresponsive hardware: one clear line, motors never started; systemd retries.
        process.stderr.write(`swath edge: cannot start: ${(err as Error).message}\n`);
        bridge?.stop();
        await daemon.stop();
        await link?.close();
        process.exitCode = 1;
        return;
      }
      logger.info({ lidar: lidar.health(), base: base.health() }, 'devices up');
      if (flags.start) daemon.dispatch({ type: 'start' });

      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: motors first');
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          bridge?.stop();
          daemon
            .stop()
            .then(() => link?.close())
            .then(done, done);
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
    });
}
