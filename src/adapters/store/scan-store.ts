import type { Kysely, Selectable } from 'kysely';
import type { HostState } from '../../core/inventory/host-state.js';
import type { Database, ScanTable } from './schema.js';

/** Outcomes a scan is recorded with. */
export const SCAN_STATUSES = ['ok', 'failed', 'skipped'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
export function isScanStatus(s: string): s is ScanStatus {
  return (SCAN_STATUSES as readonly string[]).includes(s);
}

/** One recorded scan. `state` is present when the scan succeeded. */
export interface ScanRecord {
  id: number;
  host: string;
  startedAt: string;
  finishedAt: string | null;
  status: ScanStatus;
  error: string | null;
  state: HostState | null;
}

/** What {@link saveScan} stores. */
export type NewScan = Omit<ScanRecord, 'id'>;

/** Records one scan (every scan is kept, failed ones too); returns its id. */
export async function saveScan(db: Kysely<Database>, scan: NewScan): Promise<number> {
  const row = await db
    .insertInto('scan')
    .values({
      host: scan.host,
      started_at: scan.startedAt,
      finished_at: scan.finishedAt,
      status: scan.status,
      error: scan.error,
      state: scan.state ? JSON.stringify(scan.state) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The newest scans of `host`, newest first (`limit` 2 gives the latest and the previous). */
export async function hostScans(
  db: Kysely<Database>,
  host: string,
  opts: { limit?: number; okOnly?: boolean } = {},
): Promise<ScanRecord[]> {
  let q = db.selectFrom('scan').selectAll().where('host', '=', host);
  if (opts.okOnly) q = q.where('status', '=', 'ok');
  const rows = await q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 2)
    .execute();
  return rows.map(fromRow);
}

/** The latest successful scan of every host (or of `hosts`), by host name. */
export async function latestOkScans(db: Kysely<Database>, hosts?: readonly string[]): Promise<ScanRecord[]> {
  let latest = db
    .selectFrom('scan')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('status', '=', 'ok');
  if (hosts) latest = latest.where('host', 'in', hosts.length > 0 ? [...hosts] : ['']);
  const rows = await db
    .selectFrom('scan')
    .selectAll()
    .where('id', 'in', latest.groupBy('host'))
    .orderBy('host')
    .execute();
  return rows.map(fromRow);
}

/** One line per scanned host: the newest scan of any status and when the host last scanned ok. */
export interface ScannedHost {
  host: string;
  lastStatus: ScanStatus;
  lastScanAt: string;
  lastError: string | null;
  lastOkAt: string | null;
}

/** Every host that has ever been scanned, by name. */
export async function listScannedHosts(db: Kysely<Database>): Promise<ScannedHost[]> {
  const newest = db
    .selectFrom('scan')
    .select((eb) => eb.fn.max('id').as('id'))
    .groupBy('host');
  const rows = await db
    .selectFrom('scan')
    .select(['host', 'status', 'started_at', 'error'])
    .where('id', 'in', newest)
    .orderBy('host')
    .execute();
  const ok = await db
    .selectFrom('scan')
    .select(['host', (eb) => eb.fn.max('started_at').as('at')])
    .where('status', '=', 'ok')
    .groupBy('host')
    .execute();
  const okAt = new Map(ok.map((r) => [r.host, r.at as string]));
  return rows.map((r) => ({
    host: r.host,
    lastStatus: isScanStatus(r.status) ? r.status : 'failed',
    lastScanAt: r.started_at,
    lastError: r.error,
    lastOkAt: okAt.get(r.host) ?? null,
  }));
}

function fromRow(r: Selectable<ScanTable>): ScanRecord {
  return {
    id: Number(r.id),
    host: r.host,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: isScanStatus(r.status) ? r.status : 'failed',
    error: r.error,
    state: r.state ? (JSON.parse(r.state) as HostState) : null,
  };
}
