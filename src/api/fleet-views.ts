import fs from 'node:fs';
import { sql } from 'kysely';
import { FleetRun, loadMatching, type FleetRunOptions } from '../app/fleet-pipeline.js';
import type { Store } from '../adapters/store/open-store.js';
import type { RunInputs } from '../app/rollout/run-app.js';
import { latestScanSummaries } from '../adapters/store/scan-store.js';
import type { Action } from '../core/policy/actions.js';
import type { Decision } from '../core/policy/decide-finding.js';
import type { Finding } from '../core/findings/finding.js';
import { TopFindings } from '../core/findings/top-findings.js';
import { loadInventory } from '../app/inventory.js';

/** The fleet's posture in numbers, as `GET /api/summary` answers. */
export interface Summary {
  generatedAt: string;
  hosts: { inventory: number; scanned: number; withFindings: number; notScannedRecently: number };
  findings: {
    total: number;
    byAction: Partial<Record<Action, number>>;
    overdue: number;
    deferred: number;
    awaitingFix: number;
  };
  hostsByState: Record<string, number>;
  kev: { findings: number; hosts: number };
  notScannedRecently: { host: string; lastOkAt: string | null }[];
  notes: string[];
}

/** One row of `GET /api/findings`: the finding and what was decided about it. */
export type FindingItem = Finding & Pick<Decision, 'action' | 'state' | 'dueAt'>;

/** A host not scanned successfully for this long is "not scanned recently". */
export const STALE_SCAN_MS = 7 * 86_400_000;
/** Ranked findings a cached list keeps; pages past it are computed on demand. */
export const CACHED_FINDINGS = 1000;
/** The longest a cached view is served: decisions move with the clock (due becomes overdue). */
const MAX_AGE_MS = 60_000;
/** Cached views at most (the fleet views and the most recent host details). */
const CACHED_SUBJECTS = 1000;
/** How long a read of the store's fingerprint is reused: a change shows within a second. */
const VERSION_TTL_MS = 1000;
/** Hosts `notScannedRecently` lists by name (the count covers all). */
const STALE_LISTED = 50;

export interface FindingsFilter {
  host?: string;
  action?: Action;
  kev?: boolean;
}

interface Cached<T> {
  key: string;
  at: number;
  value: Promise<T>;
}

/**
 * Fleet-wide views computed by streaming the fleet pipeline (never the fleet's findings in memory) and
 * cached until the store or the configuration changes (or a minute passes). Concurrent requests for a
 * view being computed share the one computation.
 */
export class FleetViews {
  private readonly cache = new Map<string, Cached<unknown>>();
  private stamp?: { at: number; value: Promise<string> };
  private index?: { key: string; value: ReturnType<typeof loadMatching> };
  constructor(
    private readonly inputs: RunInputs,
    private readonly clock: () => Date,
  ) {}

  /**
   * A fingerprint of everything the views depend on: scans, deferrals, the decision log, feeds, stored
   * hosts and the configuration file. Cheap (a few indexed maxima).
   */
  async version(): Promise<string> {
    const now = Date.now();
    if (this.stamp && now - this.stamp.at < VERSION_TTL_MS) return this.stamp.value;
    const value = this.readVersion();
    this.stamp = { at: now, value };
    return value;
  }

  private async readVersion(): Promise<string> {
    const { db } = await this.inputs.openStore();
    const r = await sql<Record<string, unknown>>`select
      (select max(id) from scan) as scan,
      (select max(id) from decision_log) as log,
      (select count(*) from deferral) as deferrals,
      (select max(imported_at) from feed) as feed,
      (select max(updated_at) || count(*) from host) as hosts`.execute(db);
    let mtime = 0;
    try {
      mtime = fs.statSync(this.inputs.configPath).mtimeMs;
    } catch {
      // no configuration file: the inventory is the store's
    }
    return `${JSON.stringify(r.rows[0])}:${mtime}`;
  }

  /**
   * Options for a FleetRun of this server: the clock, and the advisory index built once and reused while
   * the feeds (and the ecosystems scanned) are unchanged; building it is most of a request's cost.
   */
  runOptions(): Pick<FleetRunOptions, 'now' | 'matching'> {
    return { now: this.clock(), matching: (store, ecosystems) => this.matching(store, ecosystems) };
  }

  private async matching(store: Store, ecosystems: readonly string[]): ReturnType<typeof loadMatching> {
    const feeds = await sql<{ at: string | null }>`select max(imported_at) as at from feed`.execute(store.db);
    const key = `${feeds.rows[0]?.at ?? ''}:${[...ecosystems].sort().join(',')}`;
    if (this.index?.key !== key) {
      const value = loadMatching(store, ecosystems);
      this.index = { key, value };
      value.catch(() => (this.index = undefined));
    }
    return this.index.value;
  }

  /** The posture summary. */
  summary(): Promise<Summary> {
    return this.cached('summary', () => this.computeSummary());
  }

  /** A page of the fleet's findings, most pressing first, from `offset`. */
  async findings(
    f: FindingsFilter,
    offset: number,
    limit: number,
  ): Promise<{ items: FindingItem[]; total: number | null }> {
    const want = offset + limit;
    const key = `findings:${f.host ?? ''}:${f.action ?? ''}:${f.kev ?? ''}`;
    const compute = (n: number) => this.topFindings(f, n);
    const top =
      want <= CACHED_FINDINGS ? await this.cached(key, () => compute(CACHED_FINDINGS)) : await compute(want);
    return { items: top.items.slice(offset, want), total: top.total };
  }

  /**
   * A view of one subject (a host's detail), cached like the fleet views; the most recent
   * {@link CACHED_SUBJECTS} subjects are kept.
   */
  subject<T>(name: string, make: () => Promise<T>): Promise<T> {
    return this.cached(`subject:${name}`, make);
  }

  private async cached<T>(name: string, make: () => Promise<T>): Promise<T> {
    const key = await this.version();
    const hit = this.cache.get(name) as Cached<T> | undefined;
    if (hit && hit.key === key && Date.now() - hit.at < MAX_AGE_MS) return hit.value;
    const value = make();
    this.cache.delete(name);
    this.cache.set(name, { key, at: Date.now(), value });
    // Oldest first in a Map: drop the oldest past the bound.
    if (this.cache.size > CACHED_SUBJECTS) this.cache.delete(this.cache.keys().next().value!);
    value.catch(() => this.cache.delete(name));
    return value;
  }

  /**
   * The `n` most pressing findings matching `f`, and how many match in all (null when filtered by action:
   * counting those would decide every finding of the fleet).
   */
  private async topFindings(
    f: FindingsFilter,
    n: number,
  ): Promise<{ items: FindingItem[]; total: number | null }> {
    const run = await FleetRun.open(this.inputs, {
      ...this.runOptions(),
      record: false,
      ...(f.host ? { hosts: [f.host] } : {}),
    });
    const top = new TopFindings<FindingItem>(n);
    let total = 0;
    for await (const h of run.hosts()) {
      const d = h.decided!;
      d.offerRanked((key, make) => {
        if (f.kev === true && !key.kev) return false; // KEV ranks first: the rest of the package is not
        if (f.kev === false && key.kev) return true;
        if (f.action === undefined) total++;
        if (!top.wants(key, d.host)) return f.action === undefined;
        const { finding, decision } = make();
        if (f.action !== undefined && decision.action !== f.action) return true;
        top.add(key, d.host, {
          ...finding,
          action: decision.action,
          state: decision.state,
          dueAt: decision.dueAt,
        });
        return true;
      });
    }
    return { items: top.values(), total: f.action === undefined ? total : null };
  }

  private async computeSummary(): Promise<Summary> {
    const now = this.clock();
    const inv = await loadInventory(this.inputs);
    const { db } = await this.inputs.openStore();
    const scans = await latestScanSummaries(db);
    const okAt = new Map(scans.map((s) => [s.host, s.lastOk?.startedAt ?? null]));
    const stale = inv.hosts
      .map((h) => ({ host: h.name, lastOkAt: okAt.get(h.name) ?? null }))
      .filter((s) => !s.lastOkAt || now.getTime() - new Date(s.lastOkAt).getTime() > STALE_SCAN_MS);
    const out: Summary = {
      generatedAt: now.toISOString(),
      hosts: { inventory: inv.hosts.length, scanned: 0, withFindings: 0, notScannedRecently: stale.length },
      findings: { total: 0, byAction: {}, overdue: 0, deferred: 0, awaitingFix: 0 },
      hostsByState: {},
      kev: { findings: 0, hosts: 0 },
      notScannedRecently: stale.slice(0, STALE_LISTED),
      notes: [],
    };
    if (!scans.some((s) => s.lastOk)) return { ...out, notes: ['No host has a successful scan yet.'] };
    const run = await FleetRun.open(this.inputs, { ...this.runOptions(), now });
    for await (const h of run.hosts()) {
      const r = h.decided!.rollup;
      out.hosts.scanned++;
      if (r.findings > 0) out.hosts.withFindings++;
      out.hostsByState[r.state] = (out.hostsByState[r.state] ?? 0) + 1;
      out.findings.total += r.findings;
      out.findings.overdue += r.overdue;
      out.findings.deferred += r.deferred;
      out.findings.awaitingFix += r.awaitingFix;
      for (const [a, n] of Object.entries(r.counts))
        out.findings.byAction[a as Action] = (out.findings.byAction[a as Action] ?? 0) + n;
      let kev = 0;
      // Ranked findings come KEV first: stop each package at its first finding not in KEV.
      h.decided!.offerRanked((key) => (key.kev ? (kev++, true) : false));
      out.kev.findings += kev;
      if (kev) out.kev.hosts++;
    }
    out.notes = run.notes;
    return out;
  }
}
