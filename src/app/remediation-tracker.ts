import { Buffer } from 'node:buffer';
import type { Store } from '../adapters/store/open-store.js';
import {
  RemediationStore,
  type OpenFindingsDay,
  type Remediation,
} from '../adapters/store/remediation-store.js';
import { decodeOkScan } from '../adapters/store/scan-record.js';
import type { StoredScan } from '../adapters/store/scan-store.js';
import type { DecidedHost } from '../core/policy/fleet-decider.js';
import { localDate } from '../core/policy/time.js';

/** When a finding was first seen on a host, in epoch ms, if known. */
export type FirstSeenOf = (host: string, pkg: string, vulnId: string) => number | undefined;

/**
 * Notices fixed findings as the fleet pipeline goes by: for each host whose latest successful scan is
 * newer than the scan its findings were last compared at (its cursor), and whose package list changed,
 * the findings of the older scan that the newer one no longer has are recorded as fixed at the newer
 * scan. Hosts whose list did not change cost one cursor lookup; nothing is written per open finding.
 */
export class RemediationTracker {
  private readonly remediations: RemediationStore;
  private cursors = new Map<string, number>();
  private fixes: Remediation[] = [];
  private moved = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly firstSeen: FirstSeenOf,
  ) {
    this.remediations = new RemediationStore(store.db);
  }

  /** Loads the cursors of a page of hosts. */
  async loadHosts(names: readonly string[]): Promise<void> {
    this.cursors = await this.remediations.cursors(names);
  }

  /**
   * The scan to compare `latest` with, when its findings may have changed: the host's cursor, else (the
   * first time) its successful scan before `latest`. Undefined when there is nothing to compare.
   */
  async previous(latest: StoredScan): Promise<StoredScan | undefined> {
    const cursor = this.cursors.get(latest.host);
    if (cursor === latest.id) return undefined;
    this.moved.set(latest.host, latest.id);
    const db = this.store.db;
    const q = db.selectFrom('scan').selectAll().where('status', '=', 'ok');
    const row = await (
      cursor !== undefined
        ? q.where('id', '=', cursor)
        : q.where('host', '=', latest.host).where('id', '<', latest.id).orderBy('id', 'desc').limit(1)
    ).executeTakeFirst();
    if (!row) return undefined;
    const prev = decodeOkScan(row as unknown as Record<string, unknown>);
    return samePackages(prev, latest) ? undefined : prev;
  }

  /**
   * Records the findings decided on the `before` scan that `after` (the host's latest, matched) no longer
   * has, as fixed at `after`'s time, with `before`'s due dates and the host's tier. First seen: the
   * first-seen store's time (see docs/policy.md), else `beforeAt`, the older scan's time.
   */
  compare(
    before: DecidedHost,
    beforeAt: string,
    after: { scanId: number; startedAt: string; keys: ReadonlySet<string> },
  ): void {
    const fixedMs = Date.parse(after.startedAt);
    // Never decided before: the older scan is the earliest sighting known.
    const fallback = Date.parse(beforeAt);
    const tier = before.rollup.tier ?? 0;
    for (const d of before.decisions()) {
      if (after.keys.has(findingKey(d.package, d.vulnId))) continue;
      const seen = this.firstSeen(before.host, d.package, d.vulnId);
      this.fixes.push({
        host: before.host,
        package: d.package,
        vulnId: d.vulnId,
        tier,
        kev: d.kev,
        firstSeenAt: new Date(Math.min(seen ?? fallback, fixedMs)).toISOString(),
        ...(d.state === 'deferred' ? {} : { dueAt: d.dueAt }),
        fixedAt: after.startedAt,
        fixedScanId: after.scanId,
      });
    }
  }

  /** Writes the page's fixes and moved cursors. */
  async flush(): Promise<void> {
    await this.remediations.record(this.fixes, this.moved);
    this.fixes = [];
    this.moved = new Map();
  }
}

/** The key of a finding on a host: source package and vulnerability. */
export const findingKey = (pkg: string, vulnId: string): string => `${pkg}|${vulnId}`;

function samePackages(a: StoredScan, b: StoredScan): boolean {
  if (a.summary.os !== b.summary.os || a.packages.format !== b.packages.format) return false;
  const x = a.packages.bytes;
  const y = b.packages.bytes;
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
    Buffer.from(y.buffer, y.byteOffset, y.byteLength),
  );
}

/**
 * Open findings per tier over a whole run, written as the day's counters when the run went over the
 * whole fleet (tier 0: hosts without a tier).
 */
export class DailyOpenCounter {
  private readonly byTier = new Map<number, OpenFindingsDay>();
  constructor(private readonly day: string) {}

  /** The day of `now` in `timeZone`. */
  static at(now: Date, timeZone: string): DailyOpenCounter {
    return new DailyOpenCounter(localDate(now.getTime(), timeZone));
  }

  add(d: DecidedHost): void {
    const tier = d.rollup.tier ?? 0;
    let c = this.byTier.get(tier);
    if (!c) this.byTier.set(tier, (c = { day: this.day, tier, open: 0, overdue: 0, kev: 0, hosts: 0 }));
    const open = d.findings - d.rollup.deferred;
    c.open += open;
    c.overdue += d.rollup.overdue;
    c.kev += d.knownExploited;
    if (open > 0) c.hosts++;
  }

  async write(store: Store, at: Date): Promise<void> {
    await new RemediationStore(store.db).recordDay([...this.byTier.values()], at.toISOString());
  }
}
