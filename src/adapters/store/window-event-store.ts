import type { Kysely } from 'kysely';
import type { WindowEvent, WindowEventKind } from '../../core/windows/scheduler.js';
import type { Generated } from 'kysely';
import type { Database } from './schema.js';

/** The tables of migration 0005 as Kysely sees them. */
export type WindowEventTables = {
  window_event: {
    id: Generated<number>;
    window: string;
    /** the occurrence's start, ISO 8601 UTC */
    occurrence: string;
    event: string;
    at: string;
    reason: string;
    /** JSON object */
    detail: string;
  };
  window_watch: { window: string; watched_until: string };
};

type Row = Omit<WindowEventTables['window_event'], 'id'>;

const toEvent = (r: Row): WindowEvent => ({
  window: r.window,
  occurrence: r.occurrence,
  event: r.event as WindowEventKind,
  at: r.at,
  reason: r.reason,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});

/**
 * The scheduler's record: one row per (window, occurrence, event), never two (a unique key), and up to
 * when each window has been looked at. Rows are only ever added.
 */
export class WindowEventStore {
  private readonly db: Kysely<Database & WindowEventTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<WindowEventTables>();
  }

  /** Up to when the scheduler has looked at each window. */
  async watched(): Promise<Map<string, Date>> {
    const rows = await this.db.selectFrom('window_watch').selectAll().execute();
    return new Map(rows.map((r) => [r.window, new Date(r.watched_until)]));
  }

  /**
   * The events a pass decides from: those of occurrences starting at or after `since` (ISO UTC), and
   * every `opened` occurrence not yet closed, however old.
   */
  async relevant(since: string): Promise<WindowEvent[]> {
    const recent = await this.db
      .selectFrom('window_event')
      .selectAll()
      .where('occurrence', '>=', since)
      .execute();
    const open = await this.db
      .selectFrom('window_event as o')
      .selectAll('o')
      .where('o.event', '=', 'opened')
      .where('o.occurrence', '<', since)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('window_event as c')
              .select('c.id')
              .whereRef('c.window', '=', 'o.window')
              .whereRef('c.occurrence', '=', 'o.occurrence')
              .where('c.event', '=', 'closed'),
          ),
        ),
      )
      .execute();
    return [...recent, ...open].map(toEvent);
  }

  /**
   * Records a pass in one transaction: each event unless one of its kind is already recorded for the
   * occurrence (then it is left as it was), and the windows' new watch marks (never moved back).
   * Returns the events this call added, so each is reported once whoever else recorded it.
   */
  async record(events: readonly WindowEvent[], watched: ReadonlyMap<string, Date>): Promise<WindowEvent[]> {
    return this.db.transaction().execute(async (tx) => {
      const added: WindowEvent[] = [];
      for (const e of events) {
        const row = await tx
          .insertInto('window_event')
          .values({ ...e, detail: JSON.stringify(e.detail) })
          .onConflict((oc) => oc.columns(['window', 'occurrence', 'event']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (row) added.push(e);
      }
      for (const [window, at] of watched) {
        const iso = at.toISOString();
        await tx
          .insertInto('window_watch')
          .values({ window, watched_until: iso })
          .onConflict((oc) =>
            oc
              .column('window')
              .doUpdateSet({ watched_until: iso })
              .where('window_watch.watched_until', '<', iso),
          )
          .execute();
      }
      return added;
    });
  }

  /** Adds `patch` to the detail of one recorded event (the run a window's opening started). */
  async addDetail(
    e: Pick<WindowEvent, 'window' | 'occurrence' | 'event'>,
    patch: Record<string, unknown>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('window_event')
        .select(['id', 'detail'])
        .where('window', '=', e.window)
        .where('occurrence', '=', e.occurrence)
        .where('event', '=', e.event)
        .executeTakeFirst();
      if (!row) return;
      const detail = { ...(JSON.parse(row.detail) as Record<string, unknown>), ...patch };
      await tx
        .updateTable('window_event')
        .set({ detail: JSON.stringify(detail) })
        .where('id', '=', row.id)
        .execute();
    });
  }

  /** Recorded events, oldest first; only `window`'s when given. */
  async list(window?: string): Promise<WindowEvent[]> {
    let q = this.db.selectFrom('window_event').selectAll().orderBy('at').orderBy('id');
    if (window) q = q.where('window', '=', window);
    return (await q.execute()).map(toEvent);
  }
}
