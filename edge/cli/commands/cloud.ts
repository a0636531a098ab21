import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomSecret } from '../../../cloud/auth/secrets.ts';
import {
  mosquittoAcl,
  mosquittoConf,
  mosquittoPasswordLine,
} from '../../../cloud/broker/mosquitto-config.ts';
import { loadCloudConfig } from '../../../cloud/config.ts';
import { SERVICE_PRINCIPAL, startCloud } from '../../../cloud/server.ts';
import { renderMqttDoc } from '../../../shared/mqtt/doc.ts';
import { UserInputError } from '../../../shared/errors.ts';
import { parseNumberFlag } from '../args.ts';

export function registerCloud(program: Command): void {
  const cloud = program
    .command('cloud')
    .description('run the cloud control plane: MQTT broker, ingest, HTTP API (/docs), metrics (/metrics)')
    .option('--config <file>', 'cloud config file (YAML or JSON); defaults apply without one')
    .action(async (opts: { config?: string }) => {
      const config = loadCloudConfig(opts.config);
      const service = await startCloud(config).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES')
          throw new UserInputError(`cannot listen: ${err.message} (check host and ports in the config)`, {
            cause: err,
          });
        throw err;
      });
      process.stderr.write(`swath cloud: HTTP ${service.httpUrl} (API docs ${service.httpUrl}/docs)\n`);
      process.stderr.write(`swath cloud: MQTT ${service.mqttUrls.join(' ')}\n`);
      if (service.generatedAdminToken)
        process.stderr.write(
          `swath cloud: bootstrap admin API token (shown once, store it now): ${service.generatedAdminToken}\n`,
        );
      if (service.servicePassword && config.servicePassword === undefined)
        process.stderr.write(
          `swath cloud: MQTT service principal "${SERVICE_PRINCIPAL}" password for this run: ${service.servicePassword}\n`,
        );
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          process.stderr.write(`swath cloud: ${signal}, shutting down\n`);
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          service.close().then(done, done);
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
    });

  cloud
    .command('mqtt-doc')
    .description('print docs/mqtt.md, generated from the MQTT topic builders and payload schemas')
    .action(() => {
      process.stdout.write(renderMqttDoc());
    });

  cloud
    .command('mosquitto-config')
    .description(
      'write mosquitto.conf, an ACL file and a password file for running the fleet on mosquitto 2.x',
    )
    .requiredOption('--out <dir>', 'directory for mosquitto.conf, acl and passwd')
    .option('--port <n>', 'listener port', '1883')
    .option('--host <addr>', 'listener address', '127.0.0.1')
    .action((opts: { out: string; port: string; host: string }) => {
      const dir = resolve(opts.out);
      mkdirSync(dir, { recursive: true });
      const password = randomSecret();
      const files = { aclFile: join(dir, 'acl'), passwordFile: join(dir, 'passwd') };
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        mosquittoConf({
          host: opts.host,
          port: parseNumberFlag('--port', opts.port, { min: 1, integer: true }),
          ...files,
          serviceUser: SERVICE_PRINCIPAL,
        }),
      );
      writeFileSync(files.aclFile, mosquittoAcl({ serviceUser: SERVICE_PRINCIPAL }));
      writeFileSync(files.passwordFile, mosquittoPasswordLine(SERVICE_PRINCIPAL, password), { mode: 0o600 });
      process.stdout.write(
        [
          `wrote ${dir}/mosquitto.conf, acl, passwd`,
          `cloud config:`,
          `  externalBroker:`,
          `    url: mqtt://${opts.host}:${opts.port}`,
          `    username: ${SERVICE_PRINCIPAL}`,
          `    password: ${password}`,
          `    passwordFile: ${files.passwordFile}`,
          '',
        ].join('\n'),
      );
    });
}
