import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeControllerMessage,
  DiyLineFramer,
  encodeHello,
  encodeLine,
  encodeVel,
  lineBytes,
  StatusFlag,
} from '../../drivers/diy-base/protocol.ts';
import { DiffDriveBody } from '../body.ts';
import { BoxWorld } from '../body-test-world.ts';
import { Rng } from '../rng.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { VirtualSerialPort } from '../virtual-serial.ts';
import { VirtualDiyBase } from './diy-base.ts';

async function rig() {
  const clock = new VirtualClock();
  const body = new DiffDriveBody({ world: new BoxWorld(), rng: new Rng(3) });
  const controller = new VirtualDiyBase(body, { maxSpeedMm: 400 });
  const port = new VirtualSerialPort('/dev/diy', controller, clock);
  const framer = new DiyLineFramer();
  const messages: ReturnType<typeof decodeControllerMessage>[] = [];
  port.onData((chunk) =>
    framer.push(
      chunk,
      (body) => messages.push(decodeControllerMessage(body)),
      () => assert.fail('the controller sent a bad line'),
    ),
  );
  await port.open(115200);
  clock.setInterval(() => body.step(0.01), 0.01);
  const send = async (line: string, settle = 0.01) => {
    await port.write(lineBytes(line));
    await clock.advanceBy(settle);
  };
  return { clock, body, controller, port, messages, send };
}

test('the controller reports at 50 Hz from power-up with WATCHDOG and BOOTED set, until HELLO', async () => {
  const r = await rig();
  await r.clock.advanceBy(1);
  const odo = r.messages.filter((m) => m.type === 'ODO');
  assert.ok(odo.length >= 49 && odo.length <= 50, `${odo.length} reports`);
  assert.deepEqual(
    odo.map((m) => m.seq),
    odo.map((_, i) => i),
  );
  assert.equal(odo[0]!.flags, StatusFlag.Watchdog | StatusFlag.Booted);
  await r.send(encodeHello(), 0.05);
  assert.deepEqual(
    r.messages.find((m) => m.type === 'VER'),
    {
      type: 'VER',
      protocol: 1,
      firmware: 'swath-sim-diy',
      maxSpeed: 400,
      emptyMv: 9900,
      fullMv: 12600,
      features: 7,
    },
  );
  assert.equal(r.controller.flags & StatusFlag.Booted, 0);
  await r.send(encodeHello(2));
  assert.deepEqual(r.messages.at(-1), { type: 'ERR', code: 6, text: 'version' });
});

test('VEL drives, clamps keeping the ratio, and the watchdog stops the motors after 300 ms', async () => {
  const r = await rig();
  await r.send(encodeVel(800, 400));
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0.4, right: 0.2 });
  assert.ok(r.controller.flags & StatusFlag.Clamped);
  await r.clock.advanceBy(0.25);
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0.4, right: 0.2 });
  await r.clock.advanceBy(0.1);
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0, right: 0 });
  assert.equal(r.controller.flags & (StatusFlag.Watchdog | StatusFlag.Clamped), StatusFlag.Watchdog);
});

test('invalid lines get ERR replies and do not feed the watchdog', async () => {
  const r = await rig();
  await r.send('$VEL,100,100*00\n');
  await r.send(encodeLine('VEL,100'));
  await r.send(encodeLine('JUMP,1'));
  await r.send(`$${'1'.repeat(120)}*00\n`, 0.03);
  const errors = r.messages.filter((m) => m.type === 'ERR').map((m) => (m.type === 'ERR' ? m.code : 0));
  assert.deepEqual(errors, [1, 3, 2, 5]);
  assert.equal(r.controller.errorsSent, 4);
  assert.ok(r.controller.flags & StatusFlag.Watchdog);
  assert.deepEqual(r.body.commandedSpeeds(), { left: 0, right: 0 });
});
