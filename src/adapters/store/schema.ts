import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. Dialect-neutral on purpose: TEXT for JSON and ISO timestamps,
 * INTEGER/REAL for numbers, so the same migrations serve SQLite and PostgreSQL.
 */
export interface Database {
  feed: FeedTable;
  advisory_affected: AdvisoryAffectedTable;
  kev: KevTable;
  epss: EpssTable;
  eol: EolTable;
  host: HostTable;
  scan: ScanTable;
}

/** One row per feed source (`osv:Debian:12`, `debian-tracker:bookworm`, `kev`, `epss`, `eol:debian`). */
export interface FeedTable {
  source: string;
  kind: string;
  /** file path or URL it came from */
  origin: string;
  records: number;
  unusable: number;
  imported_at: string;
  /** the data's own date (KEV dateReleased, EPSS score_date, newest OSV modified) */
  data_date: string | null;
  /** JSON: feed-specific details (catalog version, model version, unusable breakdown) */
  meta: string;
}

export interface AdvisoryAffectedTable {
  id: Generated<number>;
  source: string;
  vuln_id: string;
  ecosystem: string;
  package: string;
  /** JSON string[] */
  aliases: string;
  /** JSON RangeEvent[][] */
  ranges: string;
  /** JSON string[] */
  versions: string;
  /** JSON SeverityVector[] */
  severity: string;
  urgency: string | null;
  summary: string | null;
  published: string | null;
  modified: string | null;
}

export interface KevTable {
  cve: string;
  vendor: string;
  product: string;
  name: string;
  date_added: string;
  due_date: string;
  ransomware: string;
  required_action: string | null;
}

export interface EpssTable {
  cve: string;
  score: number;
  percentile: number;
}

export interface EolTable {
  distro: string;
  version: string;
  codename: string;
  series: string;
  created: string | null;
  release: string | null;
  eol: string | null;
  eol_lts: string | null;
  eol_elts: string | null;
}

export interface HostTable {
  name: string;
  /** JSON: the inventory record (connection, tier, exposure, owner, tags, services, provider) */
  record: string;
  created_at: string;
  updated_at: string;
}

export interface ScanTable {
  id: Generated<number>;
  host: string;
  started_at: string;
  finished_at: string | null;
  /** ok | failed | skipped */
  status: string;
  error: string | null;
  /** Version of the stored record (1 since migration 0003; see `scan-record.ts`). */
  record_version: number | null;
  /** Summary columns of a successful scan (null otherwise), so fleet tables read no package list. */
  os: string | null;
  package_count: number | null;
  /** 0 or 1 */
  reboot_required: number | null;
  /** Stale processes (the restart list's length). */
  restart_list: number | null;
  /** Every issue the scan found; `state` keeps the first 100. */
  issue_count: number | null;
  /** dpkg-query | rpm-query | apk-installed */
  package_format: string | null;
  /** The package list in `package_format`, deflated. */
  packages: Uint8Array | null;
  /** JSON HostState without its packages (null when the scan did not succeed). */
  state: string | null;
}
