import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, randomSecret, verifyPassword } from './secrets.ts';

test('scrypt hashes verify the right password only, with a fresh salt each time', async () => {
  const secret = randomSecret();
  const a = await hashPassword(secret, 1024);
  const b = await hashPassword(secret, 1024);
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$1024\$/);
  assert.equal(await verifyPassword(secret, a), true);
  assert.equal(await verifyPassword(`${secret}x`, a), false);
  assert.equal(await verifyPassword(secret, 'scrypt$1000$AAAA$BBBB'), false);
  assert.equal(await verifyPassword(secret, 'md5$x'), false);
  assert.equal(randomSecret().length, 43);
});
