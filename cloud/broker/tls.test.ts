import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CloudService } from '../server.ts';
import { connectRobot, registerRobot, startTestCloud } from '../test-support.ts';

const OPENSSL = '/usr/bin/openssl';

/** A private CA, the broker's certificate (for 127.0.0.1) and client certificates, made with openssl. */
function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const sign = (name: string, cn: string, ca: string, ext?: string) => {
    key(name);
    ssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`);
    const extArgs = ext ? ['-extfile', ext] : [];
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      ...extArgs,
    );
  };
  for (const ca of ['ca', 'rogue-ca']) {
    key(ca);
    ssl('req', '-x509', '-new', '-key', `${ca}.key`, '-subj', `/CN=${ca}`, '-days', '2', '-out', `${ca}.crt`);
  }
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > server.ext'], { cwd: dir });
  sign('server', 'swath-cloud', 'ca', 'server.ext');
  sign('t1', 't1', 'ca');
  sign('rogue-t1', 't1', 'rogue-ca');
}

describe(
  'MQTT over TLS with a private CA',
  { skip: !existsSync(OPENSSL) && `${OPENSSL} is not installed` },
  () => {
    let dir: string;
    let cloud: CloudService;
    let url: string;
    let password: string;
    const file = (name: string) => readFileSync(join(dir, name));

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'swath-tls-'));
      makePki(dir);
      cloud = await startTestCloud({
        tls: { key: join(dir, 'server.key'), cert: join(dir, 'server.crt'), ca: join(dir, 'ca.crt') },
      });
      assert.ok(cloud.mqttTlsPort);
      url = `mqtts://127.0.0.1:${cloud.mqttTlsPort}`;
      password = await registerRobot(cloud, 't1');
      await registerRobot(cloud, 't2');
    });

    after(async () => {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a CA-signed client certificate whose CN is the client id logs in without a password', async () => {
      const c = await connectRobot(url, 't1', '', {
        username: undefined,
        password: undefined,
        ca: file('ca.crt'),
        key: file('t1.key'),
        cert: file('t1.crt'),
      });
      assert.equal(c.connected, true);
      await c.endAsync();
    });

    test('a certificate cannot be used for another client id', async () => {
      await assert.rejects(
        connectRobot(url, 't2', '', {
          username: undefined,
          password: undefined,
          ca: file('ca.crt'),
          key: file('t1.key'),
          cert: file('t1.crt'),
        }),
        /Identifier rejected/,
      );
    });

    test('a certificate from another CA is worth nothing; a password still works over TLS', async () => {
      await assert.rejects(
        connectRobot(url, 't1', '', {
          username: undefined,
          password: undefined,
          ca: file('ca.crt'),
          key: file('rogue-t1.key'),
          cert: file('rogue-t1.crt'),
        }),
        /Bad username or password/,
      );
      const c = await connectRobot(url, 't1', password, { ca: file('ca.crt') });
      assert.equal(c.connected, true);
      await c.endAsync();
    });
  },
);
