import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** One feed source's bookkeeping row: where it came from, how much it held, how old it is. */
export interface FeedInfo {
  source: string;
  kind: string;
  origin: string;
  records: number;
  unusable: number;
  importedAt: string;
  dataDate: string | null;
  meta: Record<string, unknown>;
}

/** Inserts or replaces the row of `info.source`; call it in the import's transaction. */
export async function upsertFeed(trx: Transaction<Database>, info: FeedInfo): Promise<void> {
  const row = {
    kind: info.kind,
    origin: info.origin,
    records: info.records,
    unusable: info.unusable,
    imported_at: info.importedAt,
    data_date: info.dataDate,
    meta: JSON.stringify(info.meta),
  };
  await trx
    .insertInto('feed')
    .values({ source: info.source, ...row })
    .onConflict((oc) => oc.column('source').doUpdateSet(row))
    .execute();
}

/** Every feed source, by name. */
export async function listFeeds(db: Kysely<Database>): Promise<FeedInfo[]> {
  const rows = await db.selectFrom('feed').selectAll().orderBy('source').execute();
  return rows.map((r) => ({
    source: r.source,
    kind: r.kind,
    origin: r.origin,
    records: r.records,
    unusable: r.unusable,
    importedAt: r.imported_at,
    dataDate: r.data_date,
    meta: JSON.parse(r.meta) as Record<string, unknown>,
  }));
}
