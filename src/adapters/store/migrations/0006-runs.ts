import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

/**
 * Runs (issue 13): one `run` row per run with its spec and its controller's liveness, one `run_host`
 * row per host with its place in the order and its state, and one `run_step` row per step of a host
 * (written `running` before the step and with its outcome after), unique per (run, host, step) so a
 * resumed run finds what a killed one did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('window', 'text')
    .addColumn('occurrence', 'text')
    .addColumn('reason', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('controller_pid', 'integer')
    .addColumn('heartbeat_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createTable('run_host')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .addPrimaryKeyConstraint('run_host_pk', ['run_id', 'host'])
    .execute();
  await db.schema
    .createTable('run_step')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .addUniqueConstraint('run_step_once', ['run_id', 'host', 'step'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_step').ifExists().execute();
  await db.schema.dropTable('run_host').ifExists().execute();
  await db.schema.dropTable('run').ifExists().execute();
}
