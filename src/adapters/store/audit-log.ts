import { createHash } from 'node:crypto';
import type { Generated, Kysely } from 'kysely';

/**
 * Any handle on the store or a transaction of it, whatever other tables its type names (Kysely's types
 * are invariant in the table map, so `Kysely<Database & RunTables>` is not a `Kysely<AuditTables>`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStoreDb = Kysely<any>;

/** The decision log (migration 0002, chained by 0008) as Kysely sees it: the one audit log. */
export type AuditTables = {
  decision_log: {
    id: Generated<number>;
    at: string;
    actor: string;
    event: string;
    subject: string;
    /** JSON object, hashed as stored (the text, not a re-serialization) */
    detail: string;
    /** null only on a row written around `appendAudit`, which `audit verify` reports */
    prev_hash: string | null;
    hash: string | null;
  };
};

/** What a caller appends: who did what to which subject, when, and the particulars (why). */
export interface AuditInput {
  at: string;
  actor: string;
  event: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** One stored entry with its place in the chain. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  event: string;
  subject: string;
  /** the stored JSON text */
  detail: string;
  prevHash: string | null;
  hash: string | null;
}

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an entry: lowercase hex SHA-256 of the UTF-8 bytes of the JSON array
 * `[id, at, actor, event, subject, detail, prev_hash]` as `JSON.stringify` writes it (id a number, the
 * rest strings, detail the stored JSON text itself). docs/audit.md defines it for other implementations.
 */
export function auditHash(e: Omit<AuditEntry, 'hash' | 'prevHash'> & { prevHash: string }): string {
  const canonical = JSON.stringify([e.id, e.at, e.actor, e.event, e.subject, e.detail, e.prevHash]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Appends one entry to the audit log, chained to the entry before it, inside the caller's transaction
 * (its own when `db` is not one), so the entry commits or rolls back with the change it records.
 *
 * The row is inserted first and hashed after: the insert takes SQLite's write lock, so no other writer
 * can append between reading the previous hash and writing this one, and the chain cannot fork. (On
 * PostgreSQL the transaction would need `LOCK TABLE decision_log IN EXCLUSIVE MODE` first, and identity
 * values skipped by rolled-back transactions would read as removed entries: a gap-free counter is needed.)
 * Every write to `decision_log` goes through here; test/audit-single-writer.test.ts enforces it.
 */
export async function appendAudit(db: AnyStoreDb, entry: AuditInput): Promise<AuditEntry> {
  if (!db.isTransaction) return db.transaction().execute((tx) => appendAudit(tx, entry));
  const log = db as unknown as Kysely<AuditTables>;
  const detail = JSON.stringify(entry.detail);
  const { id } = await log
    .insertInto('decision_log')
    .values({ ...entry, detail, prev_hash: null, hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const prev = await log
    .selectFrom('decision_log')
    .select('hash')
    .where('id', '<', id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const row = { id: Number(id), ...entry, detail, prevHash };
  const hash = auditHash(row);
  await log.updateTable('decision_log').set({ prev_hash: prevHash, hash }).where('id', '=', id).execute();
  return { ...row, hash };
}

/** What to read: entries after `afterId`, at or after `since`, of one `subject`, `pageSize` a query. */
export interface AuditQuery {
  afterId?: number;
  since?: string;
  subject?: string;
  event?: string;
  pageSize?: number;
}

/** The audit log in id order, a page at a time (keyset on id), so memory stays flat in its size. */
export async function* streamAudit(db: AnyStoreDb, q: AuditQuery = {}): AsyncGenerator<AuditEntry> {
  const log = db as unknown as Kysely<AuditTables>;
  const pageSize = q.pageSize ?? 1000;
  let after = q.afterId ?? 0;
  for (;;) {
    let query = log.selectFrom('decision_log').selectAll().where('id', '>', after);
    if (q.since) query = query.where('at', '>=', q.since);
    if (q.subject) query = query.where('subject', '=', q.subject);
    if (q.event) query = query.where('event', '=', q.event);
    const rows = await query.orderBy('id').limit(pageSize).execute();
    for (const r of rows) yield toEntry(r);
    if (rows.length < pageSize) return;
    after = Number(rows.at(-1)!.id);
  }
}

/** The last entry (of one subject when given), or undefined for an empty log. */
export async function lastAudit(db: AnyStoreDb, subject?: string): Promise<AuditEntry | undefined> {
  const log = db as unknown as Kysely<AuditTables>;
  let query = log.selectFrom('decision_log').selectAll();
  if (subject) query = query.where('subject', '=', subject);
  const r = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? toEntry(r) : undefined;
}

/** The ids of the entries whose stored hash is `hash` (a full scan: only `audit verify`'s failure path). */
export async function auditIdsWithHash(db: AnyStoreDb, hash: string): Promise<number[]> {
  const log = db as unknown as Kysely<AuditTables>;
  const rows = await log.selectFrom('decision_log').select('id').where('hash', '=', hash).execute();
  return rows.map((r) => Number(r.id));
}

function toEntry(r: Omit<AuditTables['decision_log'], 'id'> & { id: number }): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    event: r.event,
    subject: r.subject,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The last `limit` entries (of one subject when given), oldest first. */
export async function recentAudit(
  db: AnyStoreDb,
  q: { subject?: string; limit: number },
): Promise<AuditEntry[]> {
  const log = db as unknown as Kysely<AuditTables>;
  let query = log.selectFrom('decision_log').selectAll();
  if (q.subject) query = query.where('subject', '=', q.subject);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.reverse().map(toEntry);
}
