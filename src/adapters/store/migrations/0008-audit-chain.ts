import type { Kysely } from 'kysely';
import { auditHash, GENESIS_HASH, type AuditTables } from '../audit-log.js';

const PAGE = 1000;

/**
 * The decision log becomes the audit log (issue 14): each entry holds the hash of the one before it
 * (`prev_hash`) and its own (`hash`, see `auditHash`), so an edited, removed or reordered entry shows.
 * Existing entries are chained here in id order, from the genesis hash.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('decision_log').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('decision_log').addColumn('hash', 'text').execute();
  const log = db as unknown as Kysely<AuditTables>;
  let prevHash = GENESIS_HASH;
  let after = 0;
  for (;;) {
    const rows = await log
      .selectFrom('decision_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      const hash = auditHash({ ...r, id: Number(r.id), prevHash });
      await log
        .updateTable('decision_log')
        .set({ prev_hash: prevHash, hash })
        .where('id', '=', r.id)
        .execute();
      prevHash = hash;
    }
    if (rows.length < PAGE) return;
    after = Number(rows.at(-1)!.id);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('decision_log').dropColumn('hash').execute();
  await db.schema.alterTable('decision_log').dropColumn('prev_hash').execute();
}
