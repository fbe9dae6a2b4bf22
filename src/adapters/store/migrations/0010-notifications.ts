import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

/**
 * Notifications (issue 14): the durable outbox of webhook deliveries. A row is written before the first
 * attempt (so a crash loses nothing) and updated after every attempt, so failures stay visible. Unique per
 * (webhook, dedupe key): an emergency, an overdue finding or an expiring deferral is notified once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_delivery')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('webhook', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('next_attempt_at', 'text')
    .addUniqueConstraint('notification_delivery_once', ['webhook', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('notification_delivery_due')
    .on('notification_delivery')
    .columns(['state', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_delivery').ifExists().execute();
}
