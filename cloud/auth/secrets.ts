/**
 * Secrets at rest. MQTT passwords are hashed with scrypt (random 16-byte salt, cost stored beside the hash
 * so it can be raised later) and compared with timingSafeEqual. API tokens are 256-bit random strings:
 * a slow hash adds nothing against brute force there, so they are stored as SHA-256 and looked up by hash.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
export const DEFAULT_SCRYPT_N = 16384;

function scryptAsync(secret: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; leave headroom for N up to 2^17.
    scrypt(secret, salt, KEY_LENGTH, { N: n, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** "scrypt$N$saltBase64$hashBase64" */
export async function hashPassword(secret: string, n = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, n);
  return `scrypt$${n}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') return false;
  const n = Number(parts[1]);
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await scryptAsync(secret, salt, n);
  return timingSafeEqual(key, expected);
}

/** A random secret, URL- and shell-safe: 32 bytes as base64url (43 characters). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
