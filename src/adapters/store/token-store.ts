import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../../core/access/roles.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './schema.js';

/** The tables of migration 0007 as Kysely sees them. */
export type ApiTables = {
  api_token: {
    id: string;
    name: string;
    role: string;
    hash: string;
    created_at: string;
    created_by: string;
    expires_at: string | null;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  api_request: {
    id: string;
    kind: string;
    state: string;
    body: string;
    requested_by: string;
    requested_by_name: string;
    created_at: string;
    decided_by: string | null;
    decided_at: string | null;
    result: string | null;
  };
};

/** A stored token as it may be shown: never the secret, never its hash. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** The prefix of every token secret (so a leaked one is recognisable by secret scanners). */
export const TOKEN_PREFIX = 'pw_';

/** The sha256 (hex) of a token secret: what the store keeps. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

type Row = ApiTables['api_token'];

function record(r: Row): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    createdAt: r.created_at,
    createdBy: r.created_by,
    ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    ...(r.last_used_at ? { lastUsedAt: r.last_used_at } : {}),
  };
}

/**
 * API tokens: a 32-byte random secret shown once, stored as its sha256. Tokens are never deleted:
 * revoking one sets `revoked_at`, so who had access stays on record.
 */
export class TokenStore {
  private readonly db: Kysely<Database & ApiTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ApiTables>();
  }

  /** Creates a token; returns the secret (the only time it exists outside its holder) and the record. */
  async create(
    t: { name: string; role: Role; expiresAt?: string },
    actor: string,
    now: Date,
  ): Promise<{ token: string; record: TokenRecord }> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: Row = {
      id: `T-${randomBytes(5).toString('hex')}`,
      name: t.name,
      role: t.role,
      hash: hashToken(token),
      created_at: now.toISOString(),
      created_by: actor,
      expires_at: t.expiresAt ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    // The token and its audit entry commit together (never the secret or its hash in the entry).
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('api_token').values(row).execute();
      await appendAudit(tx, {
        at: row.created_at,
        actor,
        event: 'token-created',
        subject: row.id,
        detail: { name: row.name, role: row.role, expiresAt: row.expires_at },
      });
    });
    return { token, record: record(row) };
  }

  /** Every token, oldest first. */
  async list(): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('api_token').selectAll().orderBy('created_at').execute()).map(record);
  }

  /** The token named or numbered `nameOrId`, if any. */
  async find(nameOrId: string): Promise<TokenRecord | undefined> {
    const r = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', nameOrId), eb('name', '=', nameOrId)]))
      .executeTakeFirst();
    return r && record(r);
  }

  /** Revokes a token, on the audit log; false when it was revoked already. */
  async revoke(id: string, now: Date, actor = 'unknown'): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('api_token')
        .set({ revoked_at: now.toISOString() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await appendAudit(tx, {
        at: now.toISOString(),
        actor,
        event: 'token-revoked',
        subject: id,
        detail: {},
      });
      return true;
    });
  }

  /** The live token whose secret this is: not revoked, not expired at `now`; undefined otherwise. */
  async verify(secret: string, now: Date): Promise<TokenRecord | undefined> {
    if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
    const r = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where('hash', '=', hashToken(secret))
      .executeTakeFirst();
    if (!r || r.revoked_at) return undefined;
    if (r.expires_at && new Date(r.expires_at).getTime() <= now.getTime()) return undefined;
    return record(r);
  }
}
