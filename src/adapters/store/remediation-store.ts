import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The tables of migration 0009 as Kysely sees them. */
export type RemediationTables = {
  remediation: {
    id?: number;
    host: string;
    package: string;
    vuln_id: string;
    tier: number;
    kev: number;
    first_seen_at: string;
    due_at: string | null;
    fixed_at: string;
    fixed_scan_id: number;
  };
  remediation_cursor: { host: string; scan_id: number };
  open_findings_daily: {
    day: string;
    tier: number;
    open: number;
    overdue: number;
    kev: number;
    hosts: number;
    recorded_at: string;
  };
};

/** A finding a rescan showed fixed. `tier` 0: the host had no tier. */
export interface Remediation {
  host: string;
  package: string;
  vulnId: string;
  tier: number;
  kev: boolean;
  firstSeenAt: string;
  /** Absent when the finding had no due date (awaiting a fix, deferred). */
  dueAt?: string;
  fixedAt: string;
  fixedScanId: number;
}

/** Open findings of one tier on one day (the policy time zone's date). */
export interface OpenFindingsDay {
  day: string;
  tier: number;
  open: number;
  overdue: number;
  kev: number;
  hosts: number;
}

/**
 * Remediation history: fixed findings (a row each), the scan each host was last compared at, and the
 * daily open-finding counters. Written in batches by the fleet pipeline, read by the monthly report.
 */
export class RemediationStore {
  private readonly db: Kysely<Database & RemediationTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<RemediationTables>();
  }

  /** The scan each of `hosts` was last compared at, by host. */
  async cursors(hosts: readonly string[]): Promise<Map<string, number>> {
    if (hosts.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('remediation_cursor')
      .selectAll()
      .where('host', 'in', [...hosts])
      .execute();
    return new Map(rows.map((r) => [r.host, Number(r.scan_id)]));
  }

  /** Records fixes and moves cursors, in one transaction. A fix already recorded is kept as it was. */
  async record(fixes: readonly Remediation[], cursors: ReadonlyMap<string, number>): Promise<void> {
    if (fixes.length === 0 && cursors.size === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const rows = fixes.map((f) => ({
        host: f.host,
        package: f.package,
        vuln_id: f.vulnId,
        tier: f.tier,
        kev: f.kev ? 1 : 0,
        first_seen_at: f.firstSeenAt,
        due_at: f.dueAt ?? null,
        fixed_at: f.fixedAt,
        fixed_scan_id: f.fixedScanId,
      }));
      for (let i = 0; i < rows.length; i += 100)
        await tx
          .insertInto('remediation')
          .values(rows.slice(i, i + 100))
          .onConflict((oc) => oc.doNothing())
          .execute();
      const cs = [...cursors].map(([host, scan_id]) => ({ host, scan_id }));
      for (let i = 0; i < cs.length; i += 300)
        await tx
          .insertInto('remediation_cursor')
          .values(cs.slice(i, i + 300))
          .onConflict((oc) =>
            oc.column('host').doUpdateSet((eb) => ({ scan_id: eb.ref('excluded.scan_id') })),
          )
          .execute();
    });
  }

  /** Fixes noticed in [from, to), oldest first, streamed (a month of a large fleet may have millions). */
  async *fixedBetween(from: string, to: string): AsyncGenerator<Remediation> {
    const rows = this.db
      .selectFrom('remediation')
      .selectAll()
      .where('fixed_at', '>=', from)
      .where('fixed_at', '<', to)
      .orderBy('fixed_at')
      .orderBy('host')
      .stream(500);
    for await (const r of rows)
      yield {
        host: r.host,
        package: r.package,
        vulnId: r.vuln_id,
        tier: Number(r.tier),
        kev: Number(r.kev) === 1,
        firstSeenAt: r.first_seen_at,
        ...(r.due_at ? { dueAt: r.due_at } : {}),
        fixedAt: r.fixed_at,
        fixedScanId: Number(r.fixed_scan_id),
      };
  }

  /** Replaces the day's counters (a later run the same day wins). */
  async recordDay(days: readonly OpenFindingsDay[], at: string): Promise<void> {
    if (days.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('open_findings_daily').where('day', '=', days[0]!.day).execute();
      await tx
        .insertInto('open_findings_daily')
        .values(days.map((d) => ({ ...d, recorded_at: at })))
        .execute();
    });
  }

  /** The counters of days in [fromDay, toDay] (`YYYY-MM-DD`), by day then tier. */
  async days(fromDay: string, toDay: string): Promise<OpenFindingsDay[]> {
    const rows = await this.db
      .selectFrom('open_findings_daily')
      .select(['day', 'tier', 'open', 'overdue', 'kev', 'hosts'])
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .orderBy('day')
      .orderBy('tier')
      .execute();
    return rows.map((r) => ({
      day: r.day,
      tier: Number(r.tier),
      open: Number(r.open),
      overdue: Number(r.overdue),
      kev: Number(r.kev),
      hosts: Number(r.hosts),
    }));
  }
}
