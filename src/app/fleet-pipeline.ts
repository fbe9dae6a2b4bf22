import { loadAffected } from '../adapters/store/advisory-store.js';
import { DeferralStore } from '../adapters/store/deferral-store.js';
import { FirstSeenStore, vulnKey } from '../adapters/store/first-seen-store.js';
import { loadEol, loadEpss, loadKev } from '../adapters/store/intel-store.js';
import type { Store } from '../adapters/store/open-store.js';
import { cveIds } from '../core/advisories/advisory.js';
import { buildAdvisoryIndex, type AdvisoryIndex } from '../core/advisories/advisory-index.js';
import { matchHostCompact, type CompactMatch } from '../core/advisories/match-compact.js';
import { FindingMaker, type MatchIntel } from '../core/advisories/match-host.js';
import { OperationalError, UserError } from '../core/errors.js';
import type { Host } from '../core/inventory/host.js';
import type { HostState } from '../core/inventory/host-state.js';
import { FleetDecider, type DecidedHost } from '../core/policy/fleet-decider.js';
import { defaultPolicy, type Policy } from '../core/policy/policy-schema.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';
import { HostWindows, type HostNextWindow } from '../core/windows/host-windows.js';
import { hostInScope } from '../core/windows/window-scope.js';
import { loadInventory, type Inventory, type InventoryInputs } from './inventory.js';
import {
  latestScanSummaries,
  readHostState,
  streamLatestOkScans,
  type StoredScan,
} from '../adapters/store/scan-store.js';
import { PackageListReader } from '../core/inventory/package-formats.js';
import { DailyOpenCounter, RemediationTracker, findingKey } from './remediation-tracker.js';

/** The hint every "no advisories" error gives. */
export const IMPORT_HINT = 'Import the bundled offline snapshot: patchwise feeds import feeds/snapshot';

/** How to run the fleet pipeline. */
export interface FleetRunOptions {
  /** The inventory, when the caller has loaded it already (it is read once per command). */
  inventory?: Inventory;
  /** Only these hosts (their latest successful scans); all scanned hosts when absent. */
  hosts?: readonly string[];
  /** The clock: deadlines, overdue states and end-of-life are judged at this instant. Default: now. */
  now?: Date;
  /**
   * Decide each host (default true). False only matches: `decided` is absent, nothing is recorded.
   */
  decide?: boolean;
  /**
   * Record first-seen times of findings met for the first time (default true). A run with a clock set
   * by hand (`--now`) answers "what if" and records nothing.
   */
  record?: boolean;
  /**
   * Only the hosts of the inventory this window's scope covers. @throws UserError when no window has the
   * name, or its scope covers no host of the inventory.
   */
  window?: string;
  /**
   * Loads the advisory index and intel for the scanned ecosystems (default {@link loadMatching}). A
   * long-lived caller (the API server) passes one that reuses an index while the feeds are unchanged.
   */
  matching?: typeof loadMatching;
}

/** One host as it leaves the pipeline: its scan, its match and (when deciding) its decisions. */
export interface FleetHost {
  /** The inventory record, or an unclassified one for a host scanned but not in the inventory. */
  host: Host;
  /** The stored scan, its package list parsed. */
  scan: { id: number; startedAt: string; summary: StoredScan['summary']; state: HostState };
  compact: CompactMatch;
  /** The host's findings, made group by group on demand. */
  findings: FindingMaker;
  decided?: DecidedHost;
  /** The host's next maintenance window (the next open occurrence of a window covering it), if any. */
  window?: HostNextWindow;
}

/**
 * The per-host step of the fleet pipeline, with the state it keeps from host to host (the package-list
 * reader's line table, the index's match scratch, the decider's shared decisions): parse the stored
 * package list → compact match → decide. `FleetRun` feeds it from the store; `bench:match` feeds it
 * generated hosts, so the benchmark measures the code the commands run.
 */
export class HostPipeline {
  private readonly reader = new PackageListReader();
  constructor(
    private readonly index: AdvisoryIndex,
    private readonly intel: MatchIntel,
    private readonly now: Date,
    private readonly decider?: FleetDecider,
    private readonly windows?: HostWindows,
  ) {}

  /**
   * One host through the pipeline: {@link read}, {@link match}, {@link decide}. `since(source)` is when the
   * host first had a source package affected (see FleetDecider.decide).
   * @throws OperationalError when the stored package list does not read back.
   */
  process(stored: StoredScan, host: Host, since?: (source: string) => number | undefined): FleetHost {
    const state = this.read(stored);
    return this.decide(stored, state, this.match(state), host, since);
  }

  /** The stored scan's full state, its package list parsed by the run's reader (shared records). */
  read(stored: StoredScan): HostState {
    return readHostState(stored, this.reader.parse);
  }

  /** The host matched against the run's index. */
  match(state: HostState): CompactMatch {
    return matchHostCompact(state, this.index);
  }

  /** The host as it leaves the pipeline, decided when the pipeline has a decider. */
  decide(
    stored: StoredScan,
    state: HostState,
    compact: CompactMatch,
    host: Host,
    since?: (source: string) => number | undefined,
  ): FleetHost {
    const out: FleetHost = {
      host,
      scan: { id: stored.id, startedAt: stored.startedAt, summary: stored.summary, state },
      compact,
      findings: new FindingMaker(compact, this.intel, this.now),
    };
    const window = this.windows?.nextFor(host);
    if (window) out.window = window;
    if (this.decider)
      out.decided = this.decider.decide(host, compact, since ?? NEVER, window?.at, out.findings);
    return out;
  }
}

const NEVER = (): undefined => undefined;

/**
 * One pass of the fleet pipeline: hosts stream through parse → compact match → decide → roll up, one
 * host at a time (read a page at a time), with memory flat in the fleet size. Everything a command, the
 * server or a benchmark needs of the fleet comes through here; a `Finding` or `Decision` is built only for
 * a row someone asks for.
 */
export class FleetRun {
  private constructor(
    readonly now: Date,
    readonly policy: Policy,
    readonly timeZone: string,
    readonly notes: string[],
    /** The configuration's windows, expanded once at the run's clock. */
    readonly windows: HostWindows,
    /** Hosts with a successful scan that this run covers, by name (in the order they come). */
    readonly scanned: readonly { host: string; os: string }[],
    private readonly store: Store,
    private readonly inventory: ReadonlyMap<string, Host>,
    private readonly pipeline: HostPipeline,
    readonly intel: MatchIntel,
    private readonly firstSeen: FirstSeenTracker | undefined,
    private readonly only: readonly string[] | undefined,
    /** Fixed findings and daily open counts, recorded when the run records (see docs/reports.md). */
    private readonly history?: { remediation: RemediationTracker; daily?: DailyOpenCounter },
  ) {}

  /**
   * Opens a run: inventory, policy, deferrals, advisories (only for the OSes scanned), KEV, EPSS and
   * end-of-life data. @throws UserError when nothing (or not `hosts`) is scanned or no advisory fits.
   */
  static async open(inputs: InventoryInputs, opts: FleetRunOptions = {}): Promise<FleetRun> {
    const now = opts.now ?? new Date();
    const inventory = opts.inventory ?? (await loadInventory(inputs));
    const policy = inventory.config.config.policy ?? defaultPolicy();
    const { windows: ws, freezes, releases } = inventory.config.config;
    const windows = new HostWindows(ws, now, { freezes, releases });
    const only = opts.window ? windowHosts(windows, opts.window, inventory.hosts, opts.hosts) : opts.hosts;
    const store = await inputs.openStore();
    await requireAdvisories(store);
    const scanned: { host: string; os: string }[] = [];
    for (const s of await latestScanSummaries(store.db, only))
      if (s.lastOk) scanned.push({ host: s.host, os: s.lastOk.os });
    if (scanned.length === 0) throw nothingScanned(only?.[0]);
    const notes = [...inventory.warnings];
    const { index, intel } = await (opts.matching ?? loadMatching)(
      store,
      await coveredEcosystems(store, scanned, notes),
    );
    let decider: FleetDecider | undefined;
    let tracker: FirstSeenTracker | undefined;
    if (opts.decide !== false) {
      tracker = new FirstSeenTracker(new FirstSeenStore(store.db), now, opts.record !== false);
      await tracker.load();
      decider = new FleetDecider({
        policy,
        now,
        intel,
        deferrals: await new DeferralStore(store.db).list(),
        vulnSeen: (pkg, vulnId) => tracker!.vuln(pkg, vulnId),
      });
    }
    const byName = new Map(inventory.hosts.map((h) => [h.name, h]));
    const history =
      tracker && opts.record !== false
        ? {
            remediation: new RemediationTracker(store, (host, pkg, vulnId) =>
              tracker.known(host, pkg, vulnId),
            ),
            ...(only ? {} : { daily: DailyOpenCounter.at(now, policy.timeZone) }),
          }
        : undefined;
    return new FleetRun(
      now,
      policy,
      policy.timeZone,
      notes,
      windows,
      scanned,
      store,
      byName,
      new HostPipeline(index, intel, now, decider, windows),
      intel,
      tracker,
      only,
      history,
    );
  }

  /** The inventory record of a host, or an unclassified one (decided as tier 1, internet-facing). */
  hostRecord(name: string): Host {
    return this.inventory.get(name) ?? { name, services: [], tags: {} };
  }

  /**
   * Every covered host, in host-name order, matched and (when deciding) decided. First-seen times are
   * recorded page by page as hosts go by. Each host's objects may be kept (a ranked table keeps a few);
   * the run keeps none of them.
   */
  async *hosts(): AsyncGenerator<FleetHost> {
    const page: StoredScan[] = [];
    const scans = streamLatestOkScans(this.store.db, {
      ...(this.only ? { hosts: this.only } : {}),
      pageSize: PAGE,
      // A stored scan that does not read back is reported and passed over: the rest of the fleet goes on.
      onInvalid: (e) => this.notes.push(e.message),
    });
    for await (const scan of scans) {
      page.push(scan);
      if (page.length < PAGE) continue;
      yield* this.page(page);
      page.length = 0;
    }
    yield* this.page(page);
    await this.history?.daily?.write(this.store, this.now);
  }

  private async *page(scans: readonly StoredScan[]): AsyncGenerator<FleetHost> {
    if (scans.length === 0) return;
    const tracker = this.firstSeen;
    if (tracker) await tracker.loadHosts(scans.map((s) => s.host));
    await this.history?.remediation.loadHosts(scans.map((s) => s.host));
    for (const stored of scans) {
      let h: FleetHost;
      try {
        const seen = tracker?.host(stored.host);
        h = this.pipeline.process(stored, this.hostRecord(stored.host), seen && ((pkg) => seen.get(pkg)));
      } catch (e) {
        if (!(e instanceof OperationalError)) throw e;
        this.notes.push(e.message);
        continue;
      }
      if (h.decided) {
        tracker?.packagesMet(stored.host, h.decided.newPackages);
        this.history?.daily?.add(h.decided);
        await this.noticeFixes(stored, h);
      }
      yield h;
    }
    await tracker?.flush();
    await this.history?.remediation.flush();
  }

  /**
   * Records the findings of the host's previously compared scan that its latest no longer has (only
   * when its package list changed: the older scan is matched and decided again, once).
   */
  private async noticeFixes(stored: StoredScan, h: FleetHost): Promise<void> {
    const remediation = this.history?.remediation;
    if (!remediation) return;
    try {
      const prev = await remediation.previous(stored);
      if (!prev) return;
      const seen = this.firstSeen?.host(stored.host);
      const before = this.pipeline.process(prev, h.host, seen && ((pkg) => seen.get(pkg)));
      const keys = new Set<string>();
      for (const g of h.compact.groups)
        for (const f of h.findings.group(g)) keys.add(findingKey(f.package, f.vulnId));
      if (before.decided)
        remediation.compare(before.decided, prev.startedAt, {
          scanId: stored.id,
          startedAt: stored.startedAt,
          keys,
        });
    } catch (e) {
      if (!(e instanceof OperationalError)) throw e;
      this.notes.push(`${stored.host}: fixed findings not compared: ${e.message}`);
    }
  }
}

/** Hosts read (and first-seen times written) per round trip to the store. */
const PAGE = 200;

/**
 * First-seen times for the run: every (package, vulnerability) pair, and the affected packages of the
 * current page of hosts. New ones get the run's clock and are written when a page is done.
 */
class FirstSeenTracker {
  private vulns = new Map<string, number>();
  private hosts = new Map<string, Map<string, number>>();
  private newVulns: { package: string; vulnId: string; at: string }[] = [];
  private dirty = new Map<string, Map<string, number>>();
  private readonly nowMs: number;

  constructor(
    private readonly store: FirstSeenStore,
    private readonly now: Date,
    private readonly record: boolean,
  ) {
    this.nowMs = now.getTime();
  }

  async load(): Promise<void> {
    this.vulns = await this.store.vulns();
  }

  async loadHosts(names: readonly string[]): Promise<void> {
    this.hosts = await this.store.packages(names);
  }

  vuln(pkg: string, vulnId: string): number {
    const key = vulnKey(pkg, vulnId);
    const at = this.vulns.get(key);
    if (at !== undefined) return at;
    this.vulns.set(key, this.nowMs);
    if (this.record) this.newVulns.push({ package: pkg, vulnId, at: this.now.toISOString() });
    return this.nowMs;
  }

  /** When a finding was first seen on a host: the later of its package there and its vulnerability anywhere. */
  known(host: string, pkg: string, vulnId: string): number | undefined {
    const a = this.hosts.get(host)?.get(pkg);
    const b = this.vulns.get(vulnKey(pkg, vulnId));
    return a === undefined ? b : b === undefined ? a : Math.max(a, b);
  }

  host(name: string): Map<string, number> {
    let seen = this.hosts.get(name);
    if (!seen) this.hosts.set(name, (seen = new Map()));
    return seen;
  }

  packagesMet(host: string, packages: readonly string[]): void {
    if (packages.length === 0) return;
    const seen = this.host(host);
    for (const p of packages) seen.set(p, this.nowMs);
    this.dirty.set(host, seen);
  }

  async flush(): Promise<void> {
    if (this.record) await this.store.record(this.newVulns, this.dirty);
    this.newVulns = [];
    this.dirty = new Map();
  }
}

/**
 * The advisory index of `ecosystems` (the records are dropped once it is built) with the KEV, EPSS and
 * end-of-life data matching enriches findings with: built once per run, shared by every host of it.
 */
export async function loadMatching(
  store: Store,
  ecosystems: readonly string[],
): Promise<{ index: AdvisoryIndex; intel: MatchIntel }> {
  const records = await loadAffected(store.db, [...ecosystems]);
  const index = buildAdvisoryIndex(records, ecosystems);
  const cves = [...new Set(records.flatMap((r) => cveIds(r)))];
  records.length = 0;
  const intel: MatchIntel = {
    kev: await loadKev(store.db, cves),
    epss: await loadEpss(store.db, cves),
    eolReleases: await loadEol(store.db),
  };
  return { index, intel };
}

/** Throws the "import feeds first" error when the store holds no advisory at all. */
export async function requireAdvisories(store: Store): Promise<void> {
  const any = await store.db.selectFrom('advisory_affected').select('id').limit(1).executeTakeFirst();
  if (!any)
    throw new UserError('no-advisories', 'The store has no advisories to match against.', IMPORT_HINT);
}

/**
 * The OSV ecosystems of the scanned hosts that the store has advisories for; a note per host whose OS
 * cannot be matched or has none. @throws UserError when no host's OS has advisories.
 */
async function coveredEcosystems(
  store: Store,
  scanned: readonly { host: string; os: string }[],
  notes: string[],
): Promise<string[]> {
  const byHost = new Map<string, string>();
  for (const s of scanned) {
    try {
      byHost.set(s.host, ecosystemForOs(s.os).osv);
    } catch {
      notes.push(`${s.host}: patchwise cannot match the OS ${s.os}; it shows no findings.`);
    }
  }
  const wanted = [...new Set(byHost.values())];
  const present = wanted.length
    ? await store.db
        .selectFrom('advisory_affected')
        .select('ecosystem')
        .distinct()
        .where('ecosystem', 'in', wanted)
        .execute()
    : [];
  const covered = new Set(present.map((r) => r.ecosystem));
  for (const [host, eco] of byHost) {
    if (!covered.has(eco))
      notes.push(`${host}: no advisories for ${eco} in the store; it shows no findings.`);
  }
  if (covered.size === 0) {
    throw new UserError(
      'no-advisories',
      `The store has no advisories for ${wanted.join(', ') || 'the scanned hosts'}.`,
      IMPORT_HINT,
    );
  }
  return [...covered];
}

/** The inventory hosts (of `hosts`, when given) the window's scope covers, by name. */
function windowHosts(
  windows: HostWindows,
  name: string,
  inventory: readonly Host[],
  hosts: readonly string[] | undefined,
): string[] {
  const w = windows.byName(name);
  if (!w) {
    const names = windows.windows.map((x) => x.window.name);
    throw new UserError(
      'window-unknown',
      `No window named "${name}" in the configuration.`,
      names.length
        ? `Windows: ${names.join(', ')}. See: patchwise windows list`
        : 'Add one under windows: in patchwise.yaml; see docs/windows.md.',
    );
  }
  const only = hosts && new Set(hosts);
  const out = inventory
    .filter((h) => (!only || only.has(h.name)) && hostInScope(w.window.scope, h))
    .map((h) => h.name);
  if (out.length === 0)
    throw new UserError(
      'window-no-hosts',
      `The window "${name}" covers no host of the inventory.`,
      'Check its scope (tiers, tags, names, environments) against the hosts: patchwise windows list',
    );
  return out;
}

function nothingScanned(host?: string): UserError {
  return host
    ? new UserError(
        'host-not-scanned',
        `The host ${host} has no successful scan.`,
        `Scan it first: patchwise scan ${host}`,
      )
    : new UserError(
        'nothing-scanned',
        'No host has been scanned yet.',
        'Scan this machine with `patchwise scan --local`, or a copied status file with `patchwise scan --from-status FILE --os debian:12 --name NAME`.',
      );
}

export type { HostState };
