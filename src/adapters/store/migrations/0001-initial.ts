import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('feed')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('unusable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('data_date', 'text')
    .addColumn('meta', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();

  await db.schema
    .createTable('advisory_affected')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('ranges', 'text', (c) => c.notNull())
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text')
    .addColumn('summary', 'text')
    .addColumn('published', 'text')
    .addColumn('modified', 'text')
    .execute();
  await db.schema.createIndex('advisory_affected_source').on('advisory_affected').column('source').execute();
  await db.schema
    .createIndex('advisory_affected_eco_pkg')
    .on('advisory_affected')
    .columns(['ecosystem', 'package'])
    .execute();

  await db.schema
    .createTable('kev')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('ransomware', 'text', (c) => c.notNull())
    .addColumn('required_action', 'text')
    .execute();

  await db.schema
    .createTable('epss')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('percentile', 'real', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('eol')
    .addColumn('distro', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('codename', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('created', 'text')
    .addColumn('release', 'text')
    .addColumn('eol', 'text')
    .addColumn('eol_lts', 'text')
    .addColumn('eol_elts', 'text')
    .addPrimaryKeyConstraint('eol_pk', ['distro', 'series'])
    .execute();

  await db.schema
    .createTable('host')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scan')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('state', 'text')
    .execute();
  await db.schema.createIndex('scan_host').on('scan').columns(['host', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['scan', 'host', 'eol', 'epss', 'kev', 'advisory_affected', 'feed']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
