/**
 * MQTT credentials of robots and service principals. The username is the principal id and must equal the
 * MQTT client id, so one credential can never take over another principal's session.
 */
import type { CloudDb } from '../db/database.ts';
import type { Principal, PrincipalKind } from './acl.ts';
import { DEFAULT_SCRYPT_N, hashPassword, randomSecret, verifyPassword } from './secrets.ts';

export class MqttCredentials {
  private readonly selectOne;
  private readonly upsert;

  constructor(
    private readonly db: CloudDb,
    private readonly scryptN = DEFAULT_SCRYPT_N,
  ) {
    this.selectOne = db.prepare<[string], { kind: PrincipalKind; secret_hash: string }>(
      'SELECT kind, secret_hash FROM mqtt_credentials WHERE id = ?',
    );
    this.upsert = db.prepare<[string, PrincipalKind, string, number]>(
      `INSERT INTO mqtt_credentials (id, kind, secret_hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, secret_hash = excluded.secret_hash`,
    );
  }

  has(id: string): boolean {
    return this.selectOne.get(id) !== undefined;
  }

  kindOf(id: string): PrincipalKind | null {
    return this.selectOne.get(id)?.kind ?? null;
  }

  /** Sets (or replaces) a principal's password; returns it. A fresh random one when none is given. */
  async setPassword(id: string, kind: PrincipalKind, password = randomSecret()): Promise<string> {
    const hash = await hashPassword(password, this.scryptN);
    this.upsert.run(id, kind, hash, Date.now() / 1000);
    return password;
  }

  /** The principal these credentials belong to, or null (unknown id and wrong password look the same). */
  async verify(id: string, password: string): Promise<Principal | null> {
    const row = this.selectOne.get(id);
    if (!row) {
      // Spend the same time as a real check so an attacker cannot probe which ids exist.
      await hashPassword(password, this.scryptN);
      return null;
    }
    return (await verifyPassword(password, row.secret_hash)) ? { id, kind: row.kind } : null;
  }
}
