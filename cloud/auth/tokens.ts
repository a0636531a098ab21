/**
 * HTTP API tokens with roles. A token is shown once when created ("swt_" + 43 random characters) and only
 * its SHA-256 is stored. Roles are ordered: viewer reads, operator also sends commands, admin also
 * registers robots and manages tokens.
 */
import { z } from 'zod';
import type { CloudDb } from '../db/database.ts';
import { randomSecret, sha256Hex } from './secrets.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

export interface TokenInfo {
  id: string;
  role: Role;
  label: string;
}

const TOKEN_PREFIX = 'swt_';

export class ApiTokens {
  private readonly byHash;
  private readonly insert;
  private readonly countAll;

  constructor(private readonly db: CloudDb) {
    this.byHash = db.prepare<[string], TokenInfo>(
      'SELECT id, role, label FROM api_tokens WHERE token_sha256 = ?',
    );
    this.insert = db.prepare<[string, string, Role, string, number]>(
      'INSERT INTO api_tokens (id, token_sha256, role, label, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM api_tokens');
  }

  count(): number {
    return this.countAll.get()!.n;
  }

  /** Creates a token; the returned `token` is the only time its secret exists outside the caller. */
  create(
    role: Role,
    label: string,
    token = `${TOKEN_PREFIX}${randomSecret()}`,
  ): TokenInfo & { token: string } {
    const id = randomSecret(9);
    this.insert.run(id, sha256Hex(token), role, label, Date.now() / 1000);
    return { id, role, label, token };
  }

  verify(token: string): TokenInfo | null {
    if (token.length < 24 || token.length > 200) return null;
    return this.byHash.get(sha256Hex(token)) ?? null;
  }
}
