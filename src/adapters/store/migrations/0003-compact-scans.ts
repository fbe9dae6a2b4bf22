import { sql, type Kysely } from 'kysely';
import type { HostState } from '../../../core/inventory/host-state.js';
import { encodeScanV1 } from '../scan-record.js';
import { blobType } from './dialect.js';

/** Rows converted per query, so a large store converts in flat memory. */
const PAGE = 200;

/**
 * Compact scans: summary columns (OS, package count, pending reboot, restart-list size, issue count) on
 * the scan row, the packages as their collector's own lines deflated into a blob, and the rest of the
 * state as JSON without them, under `record_version` 1. Every existing row is converted: a successful
 * scan's JSON state (with its package array) is rewritten in the new form; other rows only get the
 * version. Fleet reads of the latest successful scan per host get an index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: [string, 'integer' | 'text' | 'blob' | 'bytea'][] = [
    ['record_version', 'integer'],
    ['os', 'text'],
    ['package_count', 'integer'],
    ['reboot_required', 'integer'],
    ['restart_list', 'integer'],
    ['issue_count', 'integer'],
    ['package_format', 'text'],
    ['packages', blobType(db)],
  ];
  for (const [name, type] of columns) await db.schema.alterTable('scan').addColumn(name, type).execute();
  await convert(db as Kysely<OldScanDb>);
  await db.schema.createIndex('scan_status_host').on('scan').columns(['status', 'host', 'id']).execute();
}

interface OldScanDb {
  scan: {
    id: number;
    status: string;
    state: string | null;
    record_version: number | null;
    os: string | null;
    package_count: number | null;
    reboot_required: number | null;
    restart_list: number | null;
    issue_count: number | null;
    package_format: string | null;
    packages: Uint8Array | null;
  };
}

async function convert(db: Kysely<OldScanDb>): Promise<void> {
  for (let after = -1; ;) {
    const rows = await db
      .selectFrom('scan')
      .select(['id', 'status', 'state'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    for (const r of rows) {
      const values = r.status === 'ok' && r.state ? converted(r.state) : { record_version: 1, state: null };
      if (values) await db.updateTable('scan').set(values).where('id', '=', r.id).execute();
    }
    after = Number(rows[rows.length - 1]!.id);
  }
}

/**
 * A successful scan's old JSON state in the new form, or undefined when it cannot be read: the row is
 * then left without a record version, and reading it reports the scan as unusable (it is never used).
 */
function converted(state: string): ReturnType<typeof encodeScanV1> | undefined {
  try {
    return encodeScanV1(JSON.parse(state) as HostState);
  } catch {
    return undefined;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The package arrays are not restored: going down loses the successful scans' packages.
  await db.schema.dropIndex('scan_status_host').ifExists().execute();
  const columns = ['packages', 'package_format', 'issue_count', 'restart_list', 'reboot_required'];
  for (const c of [...columns, 'package_count', 'os', 'record_version'])
    await db.schema.alterTable('scan').dropColumn(c).execute();
  await sql`update scan set state = null, status = 'failed', error = 'dropped by a downgrade' where status = 'ok'`.execute(
    db,
  );
}
