import type { Kysely, Transaction } from 'kysely';
import { replaceAffected } from '../store/advisory-store.js';
import { upsertFeed } from '../store/feed-store.js';
import { replaceEol, replaceEpss, replaceKev } from '../store/intel-store.js';
import type { Database } from '../store/schema.js';
import { recordCount, type ParsedSource } from './feed-file.js';

/**
 * Replaces the rows of every source in ONE transaction, with their `feed` rows: readers see the old data
 * or the new, and a failure leaves the store exactly as it was.
 */
export async function storeSources(
  db: Kysely<Database>,
  sources: readonly ParsedSource[],
  importedAt: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const s of sources) {
      await replaceRows(trx, s);
      await upsertFeed(trx, {
        source: s.source,
        kind: s.kind,
        origin: s.origin,
        records: recordCount(s.payload),
        unusable: s.unusable.length,
        importedAt: importedAt.toISOString(),
        dataDate: s.dataDate,
        meta: s.meta,
      });
    }
  });
}

async function replaceRows(trx: Transaction<Database>, s: ParsedSource): Promise<void> {
  const p = s.payload;
  switch (p.type) {
    case 'affected':
      return replaceAffected(trx, s.source, p.records);
    case 'kev':
      return replaceKev(trx, p.entries);
    case 'epss':
      return replaceEpss(trx, p.scores);
    case 'eol':
      return replaceEol(trx, p.distro, p.releases);
  }
}
