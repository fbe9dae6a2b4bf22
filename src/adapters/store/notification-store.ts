import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

/** The table of migration 0010 as Kysely sees it. */
export type NotificationTables = {
  notification_delivery: {
    id: Generated<number>;
    webhook: string;
    event: string;
    subject: string;
    dedupe_key: string;
    /** JSON: the generic event record the body is made from */
    payload: string;
    /** pending | delivered | failed */
    state: string;
    created_at: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    delivered_at: string | null;
    next_attempt_at: string | null;
  };
};

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A delivery to enqueue: one event for one webhook, once per dedupe key. */
export interface NewDelivery {
  webhook: string;
  event: string;
  subject: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
}

/** A delivery as stored (the payload is kept for the outbox, not shown). */
export interface DeliveryRecord {
  id: number;
  webhook: string;
  event: string;
  subject: string;
  state: DeliveryState;
  createdAt: string;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
  nextAttemptAt?: string;
}

/** What one attempt came to. */
export interface AttemptRecord {
  at: string;
  status?: number;
  error?: string;
  delivered: boolean;
  /** when to try again; absent with `delivered` false: given up (failed) */
  nextAttemptAt?: string;
}

type Db = Kysely<Database & NotificationTables>;
type Row = Selectable<NotificationTables['notification_delivery']>;

/**
 * The notification outbox: deliveries are enqueued (written) before they are attempted and updated after
 * every attempt, each write its own statement, so a process killed at any point leaves a row a later pass
 * delivers.
 */
export class NotificationStore {
  private readonly db: Db;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<NotificationTables>();
  }

  /** Adds the deliveries not recorded yet (by webhook and dedupe key); returns the ids of those added. */
  async enqueue(items: readonly NewDelivery[], now: string): Promise<number[]> {
    const ids: number[] = [];
    for (const d of items) {
      const r = await this.db
        .insertInto('notification_delivery')
        .values({
          webhook: d.webhook,
          event: d.event,
          subject: d.subject,
          dedupe_key: d.dedupeKey,
          payload: JSON.stringify(d.payload),
          state: 'pending',
          created_at: now,
          attempts: 0,
          next_attempt_at: now,
        })
        .onConflict((oc) => oc.columns(['webhook', 'dedupe_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (r) ids.push(r.id);
    }
    return ids;
  }

  /** Pending deliveries due at `now` (all pending ones with `ids`), oldest first, with their payloads. */
  async due(now: string, ids?: readonly number[]): Promise<(DeliveryRecord & { payload: string })[]> {
    let q = this.db.selectFrom('notification_delivery').selectAll().where('state', '=', 'pending');
    q = ids ? q.where('id', 'in', ids.length ? [...ids] : [-1]) : q.where('next_attempt_at', '<=', now);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ ...toRecord(r), payload: r.payload }));
  }

  /** Records one attempt's outcome. */
  async attempt(id: number, a: AttemptRecord): Promise<void> {
    await this.db
      .updateTable('notification_delivery')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_status: a.status ?? null,
        last_error: a.error ?? null,
        state: a.delivered ? 'delivered' : a.nextAttemptAt ? 'pending' : 'failed',
        delivered_at: a.delivered ? a.at : null,
        next_attempt_at: a.delivered ? null : (a.nextAttemptAt ?? null),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** Deliveries, newest first; only failed ones (given up, or pending after a failed attempt) with `failed`. */
  async list(o: { failed?: boolean; limit?: number; id?: number } = {}): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('notification_delivery').selectAll();
    if (o.id !== undefined) q = q.where('id', '=', o.id);
    if (o.failed)
      q = q.where((eb) =>
        eb.or([
          eb('state', '=', 'failed'),
          eb.and([eb('state', '=', 'pending'), eb('last_error', 'is not', null)]),
        ]),
      );
    const rows = await q
      .orderBy('id', 'desc')
      .limit(o.limit ?? 1000)
      .execute();
    return rows.map(toRecord);
  }

  /** Deliveries and attempts counted per (webhook, event, state), for metrics. */
  async counts(): Promise<{ webhook: string; event: string; state: string; n: number; attempts: number }[]> {
    const rows = await this.db
      .selectFrom('notification_delivery')
      .select((eb) => [
        'webhook',
        'event',
        'state',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('attempts').as('attempts'),
      ])
      .groupBy(['webhook', 'event', 'state'])
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n), attempts: Number(r.attempts) }));
  }
}

function toRecord(r: Row): DeliveryRecord {
  return {
    id: r.id,
    webhook: r.webhook,
    event: r.event,
    subject: r.subject,
    state: r.state as DeliveryState,
    createdAt: r.created_at,
    attempts: r.attempts,
    ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.delivered_at !== null ? { deliveredAt: r.delivered_at } : {}),
    ...(r.next_attempt_at !== null ? { nextAttemptAt: r.next_attempt_at } : {}),
  };
}
