import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

/**
 * What the scheduler did with each occurrence of each window (`opened`, `closed`, `missed`, `frozen`,
 * `override`), with when and why. At most one event of a kind per occurrence: the unique key is what
 * keeps a scheduler restarted after SIGKILL from opening a window twice. `window_watch` says up to when
 * the scheduler has looked at each window, so an occurrence that passed while it was down is found and
 * recorded as missed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('window_event')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('window', 'text', (c) => c.notNull())
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .addUniqueConstraint('window_event_once', ['window', 'occurrence', 'event'])
    .execute();
  await db.schema
    .createTable('window_watch')
    .addColumn('window', 'text', (c) => c.primaryKey())
    .addColumn('watched_until', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('window_watch').ifExists().execute();
  await db.schema.dropTable('window_event').ifExists().execute();
}
