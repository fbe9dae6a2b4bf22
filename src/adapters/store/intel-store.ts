import type { Kysely, Selectable, Transaction } from 'kysely';
import type { EpssScore, KevEntry } from '../../core/findings/finding.js';
import { isEolDistro, type EolDistro, type EolRelease } from '../../core/intel/eol.js';
import { bulkInsert, chunks, MAX_PARAMS } from './chunked.js';
import type { Database, EolTable, KevTable } from './schema.js';

/** Replaces the whole KEV catalog (one transaction, with the feed row). */
export async function replaceKev(trx: Transaction<Database>, entries: readonly KevEntry[]): Promise<void> {
  await trx.deleteFrom('kev').execute();
  const rows = dedupe(entries, (e) => e.cve).map((e) => ({
    cve: e.cve,
    vendor: e.vendor,
    product: e.product,
    name: e.name,
    date_added: e.dateAdded,
    due_date: e.dueDate,
    ransomware: e.knownRansomwareCampaignUse,
    required_action: e.requiredAction ?? null,
  }));
  await bulkInsert(trx, 'kev', rows);
}

/** Replaces all EPSS scores. */
export async function replaceEpss(trx: Transaction<Database>, scores: readonly EpssScore[]): Promise<void> {
  await trx.deleteFrom('epss').execute();
  const rows = dedupe(scores, (s) => s.cve);
  await bulkInsert(trx, 'epss', rows);
}

/** Replaces the release table of one distribution. */
export async function replaceEol(
  trx: Transaction<Database>,
  distro: EolDistro,
  releases: readonly EolRelease[],
): Promise<void> {
  await trx.deleteFrom('eol').where('distro', '=', distro).execute();
  const rows = dedupe(releases, (r) => r.series).map((r) => ({
    distro,
    version: r.version,
    codename: r.codename,
    series: r.series,
    created: r.created ?? null,
    release: r.release ?? null,
    eol: r.eol ?? null,
    eol_lts: r.eolLts ?? null,
    eol_elts: r.eolElts ?? null,
  }));
  await bulkInsert(trx, 'eol', rows);
}

/** KEV entries by CVE id: all of them, or only those of `cves`. */
export async function loadKev(db: Kysely<Database>, cves?: string[]): Promise<Map<string, KevEntry>> {
  const rows: Selectable<KevTable>[] = [];
  if (!cves) rows.push(...(await db.selectFrom('kev').selectAll().execute()));
  else {
    for (const chunk of chunks([...new Set(cves)], MAX_PARAMS)) {
      rows.push(...(await db.selectFrom('kev').selectAll().where('cve', 'in', chunk).execute()));
    }
  }
  return new Map(rows.map((r) => [r.cve, kevFromRow(r)]));
}

/** EPSS scores of `cves`, by CVE id (CVEs without a score are absent). */
export async function loadEpss(db: Kysely<Database>, cves: string[]): Promise<Map<string, EpssScore>> {
  const out = new Map<string, EpssScore>();
  for (const chunk of chunks([...new Set(cves)], MAX_PARAMS)) {
    const rows = await db.selectFrom('epss').selectAll().where('cve', 'in', chunk).execute();
    for (const r of rows) out.set(r.cve, { cve: r.cve, score: r.score, percentile: r.percentile });
  }
  return out;
}

/** Every stored distribution release with its support dates. */
export async function loadEol(db: Kysely<Database>): Promise<EolRelease[]> {
  const rows = await db.selectFrom('eol').selectAll().orderBy('distro').orderBy('created').execute();
  return rows.filter((r) => isEolDistro(r.distro)).map(eolFromRow);
}

function kevFromRow(r: Selectable<KevTable>): KevEntry {
  const e: KevEntry = {
    cve: r.cve,
    vendor: r.vendor,
    product: r.product,
    name: r.name,
    dateAdded: r.date_added,
    dueDate: r.due_date,
    knownRansomwareCampaignUse: r.ransomware === 'Known' ? 'Known' : 'Unknown',
  };
  if (r.required_action !== null) e.requiredAction = r.required_action;
  return e;
}

function eolFromRow(r: Selectable<EolTable>): EolRelease {
  const e: EolRelease = {
    distro: r.distro as EolDistro,
    version: r.version,
    codename: r.codename,
    series: r.series,
  };
  if (r.created) e.created = r.created;
  if (r.release) e.release = r.release;
  if (r.eol) e.eol = r.eol;
  if (r.eol_lts) e.eolLts = r.eol_lts;
  if (r.eol_elts) e.eolElts = r.eol_elts;
  return e;
}

/** Keeps the last item per key (the primary key forbids duplicates; feeds occasionally repeat a CVE). */
function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()];
}
