import type { Kysely } from 'kysely';
import { OperationalError } from '../../core/errors.js';
import type { HostState, InstalledPackage } from '../../core/inventory/host-state.js';
import type { PackageFormat } from '../../core/inventory/os-families.js';
import { parsePackageList } from '../../core/inventory/package-formats.js';
import {
  decodeOkScan,
  describe,
  encodeScanV1,
  invalid,
  okScanRowSchema,
  SCAN_RECORD_VERSION,
  summaryOfColumns,
  type StoredScan,
} from './scan-record.js';
import type { Database } from './schema.js';

export type { StoredScan, StoredState } from './scan-record.js';

/** Outcomes a scan is recorded with. */
export const SCAN_STATUSES = ['ok', 'failed', 'skipped'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
export function isScanStatus(s: string): s is ScanStatus {
  return (SCAN_STATUSES as readonly string[]).includes(s);
}

/** What {@link saveScan} records: `state` when the scan succeeded, else null and the error in words. */
export interface NewScan {
  host: string;
  startedAt: string;
  finishedAt: string | null;
  status: ScanStatus;
  error: string | null;
  state: HostState | null;
}

/**
 * Records one scan (every scan is kept, failed ones too) and returns its id. A successful scan is stored
 * compactly (see `encodeScanV1`): summary columns, the packages deflated in their family's own line
 * format, the rest of the state as JSON. `db` may be a transaction, so a bulk import batches its rows.
 */
export async function saveScan(db: Kysely<Database>, scan: NewScan): Promise<number> {
  const ok = scan.status === 'ok' && scan.state;
  const row = await db
    .insertInto('scan')
    .values({
      host: scan.host,
      started_at: scan.startedAt,
      finished_at: scan.finishedAt,
      status: scan.status,
      error: scan.error,
      ...(ok ? encodeScanV1(scan.state!) : { record_version: SCAN_RECORD_VERSION, state: null }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Parses a stored package list (the default: `parsePackageList`, the family's own parser). */
export type PackageParser = (
  format: PackageFormat,
  bytes: Uint8Array,
) => { packages: readonly InstalledPackage[] };

/**
 * The full HostState of a stored scan: its state with the package list parsed by `parse`. The parse is
 * this one call, so a caller that keeps a parsing session passes it here. A list that parses to another
 * number of packages than the scan recorded is reported (OperationalError), never used.
 */
export function readHostState(stored: StoredScan, parse: PackageParser = parsePackageList): HostState {
  const packages = parse(stored.packages.format, stored.packages.bytes).packages;
  if (packages.length !== stored.summary.packageCount) {
    throw invalid(
      `scan ${stored.id} of ${stored.host}`,
      `its package list holds ${packages.length} packages, the scan recorded ${stored.summary.packageCount}`,
    );
  }
  return { ...stored.state, packages: packages as InstalledPackage[] };
}

/** One recorded scan of any status; `stored` is the decoded scan when it succeeded. */
export interface ScanRow {
  id: number;
  host: string;
  startedAt: string;
  finishedAt: string | null;
  status: ScanStatus;
  error: string | null;
  stored: StoredScan | null;
}

/** The newest scans of `host`, newest first (`limit` 2 gives the latest and the previous). */
export async function hostScans(
  db: Kysely<Database>,
  host: string,
  opts: { limit?: number; okOnly?: boolean } = {},
): Promise<ScanRow[]> {
  let q = db.selectFrom('scan').selectAll().where('host', '=', host);
  if (opts.okOnly) q = q.where('status', '=', 'ok');
  const rows = await q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 2)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    host: r.host,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: isScanStatus(r.status) ? r.status : 'failed',
    error: r.error,
    stored: r.status === 'ok' ? decodeOkScan(r) : null,
  }));
}

/**
 * The latest successful scan of every host (or of `hosts`), in host-name order, read `pageSize` hosts a
 * query (keyset on the host name, default 200): memory stays flat in the fleet's size. A row that fails
 * validation is an OperationalError naming the scan: passed to `onInvalid` (and skipped) when given,
 * else thrown.
 */
export async function* streamLatestOkScans(
  db: Kysely<Database>,
  opts: {
    hosts?: readonly string[];
    pageSize?: number;
    /** Reports an unusable row and goes on without it; without it, such a row ends the stream with the error. */
    onInvalid?: (error: OperationalError) => void;
  } = {},
): AsyncIterable<StoredScan> {
  const pageSize = opts.pageSize ?? 200;
  for (let after = ''; ;) {
    let latest = db
      .selectFrom('scan')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('status', '=', 'ok')
      .where('host', '>', after);
    if (opts.hosts) latest = latest.where('host', 'in', opts.hosts.length > 0 ? [...opts.hosts] : ['']);
    const rows = await db
      .selectFrom('scan')
      .selectAll()
      .where('id', 'in', latest.groupBy('host').orderBy('host').limit(pageSize))
      .orderBy('host')
      .execute();
    for (const r of rows) {
      const scan = decodeOrReport(r, opts.onInvalid);
      if (scan) yield scan;
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.host;
  }
}

function decodeOrReport(
  row: Record<string, unknown>,
  onInvalid: ((error: OperationalError) => void) | undefined,
): StoredScan | undefined {
  if (!onInvalid) return decodeOkScan(row);
  try {
    return decodeOkScan(row);
  } catch (e) {
    if (!(e instanceof OperationalError)) throw e;
    onInvalid(e);
    return undefined;
  }
}

/** The summary columns of a host's latest successful scan. */
export interface OkScanSummary {
  id: number;
  startedAt: string;
  os: string;
  packageCount: number;
  rebootRequired: boolean;
  restartList: number;
  issueCount: number;
}

/** One line per scanned host: its newest scan of any status, and its latest successful scan's summary. */
export interface HostScanSummary {
  host: string;
  last: {
    id: number;
    status: ScanStatus;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
  };
  lastOk: OkScanSummary | null;
}

/**
 * Every scanned host (or `hosts`), by name: its newest scan and its latest successful scan's summary
 * columns, without reading any package list (for fleet tables). Summary columns are checked; a wrong
 * one is an OperationalError naming the scan.
 */
export async function latestScanSummaries(
  db: Kysely<Database>,
  hosts?: readonly string[],
): Promise<HostScanSummary[]> {
  const only = hosts ? (hosts.length > 0 ? [...hosts] : ['']) : undefined;
  let newest = db.selectFrom('scan').select((eb) => eb.fn.max('id').as('id'));
  let newestOk = newest.where('status', '=', 'ok');
  if (only) {
    newest = newest.where('host', 'in', only);
    newestOk = newestOk.where('host', 'in', only);
  }
  const columns = ['id', 'host', 'status', 'started_at', 'finished_at', 'error'] as const;
  const last = await db
    .selectFrom('scan')
    .select(columns)
    .where('id', 'in', newest.groupBy('host'))
    .orderBy('host')
    .execute();
  const ok = await db
    .selectFrom('scan')
    .select([...columns, 'record_version', ...SUMMARY_COLUMNS])
    .where('id', 'in', newestOk.groupBy('host'))
    .execute();
  const okByHost = new Map(ok.map((r) => [r.host, checkSummary(r)]));
  return last.map((r) => {
    const o = okByHost.get(r.host);
    return {
      host: r.host,
      last: {
        id: Number(r.id),
        status: isScanStatus(r.status) ? r.status : 'failed',
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        error: r.error,
      },
      lastOk: o ?? null,
    };
  });
}

const SUMMARY_COLUMNS = ['os', 'package_count', 'reboot_required', 'restart_list', 'issue_count'] as const;

const summaryRowSchema = okScanRowSchema.pick({
  id: true,
  host: true,
  started_at: true,
  record_version: true,
  os: true,
  package_count: true,
  reboot_required: true,
  restart_list: true,
  issue_count: true,
});

/** A successful scan's summary columns, checked like every stored row (an OperationalError when wrong). */
function checkSummary(row: Record<string, unknown>): OkScanSummary {
  const r = summaryRowSchema.safeParse(row);
  if (!r.success)
    throw invalid(
      `scan ${String(row.id)} of ${JSON.stringify(String(row.host)).slice(0, 80)}`,
      describe(r.error),
    );
  return { id: r.data.id, startedAt: r.data.started_at, ...summaryOfColumns(r.data) };
}

/** One line per scanned host: the newest scan of any status and when the host last scanned ok. */
export interface ScannedHost {
  host: string;
  lastStatus: ScanStatus;
  lastScanAt: string;
  lastError: string | null;
  lastOkAt: string | null;
}

/** Every host that has ever been scanned, by name (from {@link latestScanSummaries}). */
export async function listScannedHosts(db: Kysely<Database>): Promise<ScannedHost[]> {
  return (await latestScanSummaries(db)).map((s) => ({
    host: s.host,
    lastStatus: s.last.status,
    lastScanAt: s.last.startedAt,
    lastError: s.last.error,
    lastOkAt: s.lastOk?.startedAt ?? null,
  }));
}
