import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

/**
 * Deferrals (explicit, with reason, control, owner, review date and end condition), the append-only
 * decision log of changes to them, and when each finding was first seen (deadlines count from there).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deferral')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('hosts', 'text', (c) => c.notNull())
    .addColumn('selector', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('control', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('approver', 'text')
    .addColumn('review', 'text', (c) => c.notNull())
    .addColumn('end_condition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('ended_reason', 'text')
    .addColumn('ended_by', 'text')
    .execute();

  await db.schema
    .createTable('decision_log')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  await db.schema.createIndex('decision_log_subject').on('decision_log').columns(['subject', 'id']).execute();

  await db.schema
    .createTable('finding_seen')
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_seen_pk', ['host', 'vuln_id', 'package'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['finding_seen', 'decision_log', 'deferral'])
    await db.schema.dropTable(t).ifExists().execute();
}
