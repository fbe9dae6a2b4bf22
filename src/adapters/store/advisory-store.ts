import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AffectedPackage, RangeEvent, SeverityVector } from '../../core/advisories/advisory.js';
import { bulkInsert, chunks, MAX_PARAMS } from './chunked.js';
import type { AdvisoryAffectedTable, Database } from './schema.js';

type Row = Omit<AdvisoryAffectedTable, 'id'>;

/**
 * Replaces every advisory row of `source` (`osv:Debian:12`, `debian-tracker:bookworm`) with `records`.
 * Call it inside the import's transaction so readers see the old rows or the new, never a mix.
 */
export async function replaceAffected(
  trx: Transaction<Database>,
  source: string,
  records: readonly AffectedPackage[],
): Promise<void> {
  await trx.deleteFrom('advisory_affected').where('source', '=', source).execute();
  await bulkInsert(
    trx,
    'advisory_affected',
    records.map((r) => toRow(source, r)),
  );
}

/**
 * Every stored advisory record, or only those of the given OSV ecosystems (`Debian:12`), for the matcher.
 * Records of all sources are returned; the matcher merges what several sources say about one package.
 */
export async function loadAffected(db: Kysely<Database>, ecosystems?: string[]): Promise<AffectedPackage[]> {
  if (ecosystems && ecosystems.length === 0) return [];
  const base = db.selectFrom('advisory_affected').selectAll().orderBy('id');
  if (!ecosystems) return (await base.execute()).map(fromRow);
  const out: AffectedPackage[] = [];
  for (const chunk of chunks([...new Set(ecosystems)], MAX_PARAMS)) {
    const rows = await base.where('ecosystem', 'in', chunk).execute();
    for (const r of rows) out.push(fromRow(r));
  }
  return out;
}

function toRow(source: string, r: AffectedPackage): Row {
  return {
    source,
    vuln_id: r.vulnId,
    ecosystem: r.ecosystem,
    package: r.package,
    aliases: JSON.stringify(r.aliases),
    ranges: JSON.stringify(r.ranges),
    versions: JSON.stringify(r.versions),
    severity: JSON.stringify(r.severity),
    urgency: r.urgency ?? null,
    summary: r.summary ?? null,
    published: r.published ?? null,
    modified: r.modified ?? null,
  };
}

function fromRow(r: Selectable<AdvisoryAffectedTable>): AffectedPackage {
  const out: AffectedPackage = {
    source: r.source,
    vulnId: r.vuln_id,
    aliases: JSON.parse(r.aliases) as string[],
    ecosystem: r.ecosystem,
    package: r.package,
    ranges: JSON.parse(r.ranges) as RangeEvent[][],
    versions: JSON.parse(r.versions) as string[],
    severity: JSON.parse(r.severity) as SeverityVector[],
  };
  if (r.urgency !== null) out.urgency = r.urgency;
  if (r.summary !== null) out.summary = r.summary;
  if (r.published !== null) out.published = r.published;
  if (r.modified !== null) out.modified = r.modified;
  return out;
}
