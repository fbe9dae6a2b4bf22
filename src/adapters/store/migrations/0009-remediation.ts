import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

/**
 * Remediation tracking (issue 14), written only on change, never a row per open finding per scan:
 * - `remediation`: one row per finding (host, package, vulnerability) that a rescan showed fixed, with
 *   when it was first seen on the host, when the first rescan noticed it fixed, and its due date and tier
 *   at that time. Rows grow with fixes, not with the fleet's open findings.
 * - `remediation_cursor`: per host, the scan its findings were last compared at.
 * - `open_findings_daily`: open and overdue findings per day and tier (tier 0: unclassified), one row a
 *   day a tier, overwritten by the day's later runs: the "findings open over time" chart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('remediation')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('kev', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('fixed_at', 'text', (c) => c.notNull())
    .addColumn('fixed_scan_id', 'integer', (c) => c.notNull())
    .addUniqueConstraint('remediation_once', ['host', 'package', 'vuln_id', 'fixed_scan_id'])
    .execute();
  await db.schema.createIndex('remediation_fixed_at').on('remediation').column('fixed_at').execute();
  await db.schema
    .createTable('remediation_cursor')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('scan_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('open_findings_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('overdue', 'integer', (c) => c.notNull())
    .addColumn('kev', 'integer', (c) => c.notNull())
    .addColumn('hosts', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('open_findings_daily_pk', ['day', 'tier'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('open_findings_daily').ifExists().execute();
  await db.schema.dropTable('remediation_cursor').ifExists().execute();
  await db.schema.dropTable('remediation').ifExists().execute();
}
