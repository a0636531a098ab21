/**
 * The one-command demo behind `npm start`: the cloud service (embedded broker, API, dashboard) and one
 * simulated robot whose edge daemon connects to it over MQTT with its own credentials, paced against the
 * wall clock at a chosen speed-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startCloud, type CloudService } from '../../cloud/server.ts';
import { UserInputError } from '../../shared/errors.ts';
import { EdgeDaemon } from '../daemon/daemon.ts';
import { bridgeDaemonToLink } from '../daemon/link-bridge.ts';
import { RobotLink } from '../link/robot-link.ts';
import { motionPlanner } from '../planning/motion-planner.ts';
import { SimulatedRobot, SIM_ROBOT_CONFIG } from './sim-robot.ts';
import { VirtualClock } from './virtual-clock.ts';
import { loadWorld } from './world/load-world.ts';

export interface DemoOptions {
  world: string;
  seed: number;
  /** simulated seconds per wall second */
  speed: number;
  httpPort: number;
  mqttPort: number;
  /** where the robot's outbox lives (wiped at start) */
  dataDir: string;
  log: (line: string) => void;
}

export interface Demo {
  cloud: CloudService;
  dashboardUrl: string;
  adminToken: string;
  stop(): Promise<void>;
}

/** simulated s advanced between two turns of the event loop */
const MAX_PACING_STEP_S = 0.25;
/** simulated s the demo may fall behind the requested speed before it stops trying to catch up */
const MAX_PACING_LAG_S = 1;

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const adminToken = `swt_${randomBytes(24).toString('base64url')}`;
  const cloud = await startCloud(
    {
      httpPort: options.httpPort,
      mqttPort: options.mqttPort,
      mqttTlsPort: 0,
      dbPath: ':memory:',
      bootstrapAdminToken: adminToken,
      logLevel: 'warn',
    },
    { logger: pino({ level: 'warn' }) },
  ).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      throw new UserInputError(
        `cannot listen: ${err.message} (choose other ports with --http-port/--mqtt-port)`,
      );
    throw err;
  });

  const config = { ...SIM_ROBOT_CONFIG, robotId: 'sim-1' };
  const registered = await fetch(`${cloud.httpUrl}/api/robots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: config.robotId }),
  });
  if (registered.status !== 201) throw new Error(`registering the robot failed: ${registered.status}`);
  const password = ((await registered.json()) as { mqtt: { password: string } }).mqtt.password;

  // The robot: simulated hardware, the real drivers, the daemon, and its link to the cloud.
  const clock = new VirtualClock();
  const world = loadWorld(options.world);
  const robot = new SimulatedRobot({ world, clock, seed: options.seed, config });
  const { lidar, base } = robot.connectDrivers();
  const daemon = new EdgeDaemon({ config, clock, devices: { lidar, base }, planner: motionPlanner });
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const link = new RobotLink(
    { url: `mqtt://127.0.0.1:${cloud.mqttPort}`, robotId: config.robotId, password, firmware: 'create2-sim' },
    { path: join(options.dataDir, 'outbox.sqlite') },
    clock,
  );
  const bridge = bridgeDaemonToLink(daemon, link, clock, {
    battery: () => base.battery(),
    velocity: () => {
      const o = robot.body;
      return {
        v: (o.leftSpeed + o.rightSpeed) / 2,
        omega: (o.rightSpeed - o.leftSpeed) / config.base.wheelBase,
      };
    },
  });
  link.connect();

  // Pace the simulation against the wall clock, in small steps so the broker, the link and the HTTP server
  // get the event loop between them. When the machine cannot keep up with the requested speed, the
  // simulation runs as fast as it can instead of piling up a backlog it would later burst through.
  let running = true;
  let wallAnchor = performance.now();
  let simAnchor = 0;
  const pacing = (async () => {
    while (running) {
      const wallNow = performance.now();
      const target = simAnchor + ((wallNow - wallAnchor) / 1000) * options.speed;
      await clock.advanceTo(Math.max(clock.now(), Math.min(target, clock.now() + MAX_PACING_STEP_S)));
      if (target - clock.now() > MAX_PACING_LAG_S) {
        simAnchor = clock.now();
        wallAnchor = performance.now();
      }
      await sleepReal(target > clock.now() ? 1 : 20);
    }
  })();

  let started = false;
  const starting = daemon.start().then(() => (started = true));
  while (!started && running) await sleepReal(50);
  await starting;
  daemon.onEvent((event) => {
    if (
      event.type === 'mission.state' ||
      event.type.startsWith('coverage.') ||
      event.type.startsWith('exploration.')
    )
      options.log(`robot ${config.robotId}: ${event.message}`);
  });
  daemon.dispatch({ type: 'start' });

  return {
    cloud,
    dashboardUrl: `${cloud.httpUrl}/`,
    adminToken,
    async stop() {
      running = false;
      await pacing;
      bridge.stop();
      const stopping = daemon.stop();
      await clock.advanceBy(0.5);
      await stopping;
      await link.close();
      await cloud.close();
    },
  };
}
