import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startDemo } from '../../sim/demo.ts';
import { parseNumberFlag } from '../args.ts';

interface StartFlags {
  world: string;
  seed: string;
  speed: string;
  httpPort: string;
  mqttPort: string;
  dataDir: string;
}

/**
 * `npm start`: the cloud service and one simulated robot whose daemon connects to it over MQTT, with the
 * dashboard URL printed; serves until Ctrl-C.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('demo: the cloud service and a simulated robot running a mission, with the live dashboard')
    .option('--world <preset|file>', 'world the robot runs in', 'studio')
    .option('--seed <n>', 'random seed', '1')
    .option('--speed <x>', 'simulated seconds per wall second', '2')
    .option('--http-port <n>', 'HTTP port of the API and dashboard', '8080')
    .option('--mqtt-port <n>', 'MQTT port of the embedded broker', '1883')
    .option('--data-dir <dir>', 'the robot’s outbox (wiped at start)', '.swath/demo')
    .action(async (flags: StartFlags) => {
      const demo = await startDemo({
        world: flags.world,
        seed: parseNumberFlag('--seed', flags.seed, { integer: true, min: 0 }),
        speed: parseNumberFlag('--speed', flags.speed, { min: 0.1 }),
        httpPort: parseNumberFlag('--http-port', flags.httpPort, { integer: true, min: 0 }),
        mqttPort: parseNumberFlag('--mqtt-port', flags.mqttPort, { integer: true, min: 0 }),
        dataDir: resolve(flags.dataDir),
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(
        [
          `Swath is running: the cloud service and robot "sim-1" in the ${flags.world} world at ${flags.speed}× real time.`,
          ``,
          `  Dashboard   ${demo.dashboardUrl}`,
          `  API token   ${demo.adminToken}   (paste it into the dashboard; admin role, valid for this run)`,
          `  API docs    ${demo.cloud.httpUrl}/docs`,
          `  MQTT        ${demo.cloud.mqttUrls.join(' ')}`,
          ``,
          `Press Ctrl-C to stop.`,
          ``,
        ].join('\n'),
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stdout.write('stopping…\n');
          demo.stop().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
