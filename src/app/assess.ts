import type { Store } from '../adapters/store/open-store.js';
import { listScannedHosts } from '../adapters/store/scan-store.js';
import { transportFactory } from '../adapters/transport/transport-for-host.js';
import { OperationalError, UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import type { FindingsSummary } from '../core/findings/summarize-findings.js';
import { TopFindings } from '../core/findings/top-findings.js';
import { ACTIONS, type Action } from '../core/policy/actions.js';
import type { Decision } from '../core/policy/decide-finding.js';
import type { DecidedHost } from '../core/policy/fleet-decider.js';
import type { HostRollup } from '../core/policy/rollup-host.js';
import { byRollupUrgency, rollupAtLeast } from './decide.js';
import { FleetRun, requireAdvisories, type FleetHost } from './fleet-pipeline.js';
import { scanFleet, type FleetScanResult } from './fleet-scan.js';
import { loadInventory, type InventoryInputs } from './inventory.js';
import { WindowTally, type WindowCounts } from './window-tally.js';
import { scanLocal } from './scan.js';

/** One row of the assess/findings table, as data (the CLI only formats it). */
export interface FindingRow {
  host: string;
  package: string;
  installed: string;
  fixed: string;
  cve: string;
  kev: string;
  epss: string;
  cvss: string;
  urgency: string;
  action?: string;
  due?: string;
}

/** One row of the fleet table: a host's most urgent action and what is pending on it. */
export interface HostRow {
  host: string;
  tier: string;
  exposure: string;
  owner: string;
  action: string;
  due: string;
  findings: number;
  knownExploited: number;
  worst: string;
  rebootPending: string;
  restartList: number | '';
  flags: string;
}

/** A scan `assess` ran, in the shape of a fleet-scan result. */
export type AssessScan = Pick<FleetScanResult, 'host' | 'status' | 'message' | 'packages' | 'issues'>;

/** One of the most pressing findings, with its decision. */
export interface RankedRow {
  finding: Finding;
  decision: Decision;
}

/** What `assess` produced: scans run, host rows, the most pressing findings and fleet counters. */
export interface AssessResult {
  now: string;
  timeZone: string;
  scans: AssessScan[];
  hostRows: HostRow[];
  /** The `limit` most pressing findings (every finding without a limit), ranked, with their decisions. */
  top: RankedRow[];
  rows: FindingRow[];
  summary: FindingsSummary;
  actionCounts: Partial<Record<Action, number>>;
  notes: string[];
  /** Findings due before their host's next window, hosts no window covers (see docs/windows.md). */
  windows: WindowCounts;
  /** The same in sentences, for people. */
  windowNotes: string[];
  /** True when `failOn` was given and an open decision is at least that urgent. */
  failed: boolean;
}

export interface AssessOptions {
  /** Scan this machine (instead of the inventory). */
  local?: boolean;
  name?: string;
  /** Scan inventory hosts first (default true); false uses the latest scans as they are. */
  scan?: boolean;
  concurrency?: number;
  perHostTimeoutMs?: number;
  /** Finding rows to keep, most pressing first (0: none); every finding when absent. */
  limit?: number;
  failOn?: Action;
  now?: Date;
  /** Record first-seen times (default true; a clock set by hand records nothing). */
  record?: boolean;
  onScan?: (r: FleetScanResult, done: number, total: number) => void;
  /** Called with each host as it leaves the pipeline (for output that streams every finding). */
  onHost?: (h: FleetHost) => void | Promise<void>;
}

/**
 * Scan + match + decide for the fleet. Scans this machine when `local` is set (or when the inventory has no
 * reachable hosts and nothing was ever scanned), else every inventory host with a connection; then streams
 * every host's latest successful scan through the fleet pipeline, keeping per-host rows, fleet counters
 * and the most pressing findings: memory stays flat in the number of findings.
 */
export async function assess(
  inputs: InventoryInputs & { dataDir: string },
  opts: AssessOptions = {},
): Promise<AssessResult> {
  const store = await inputs.openStore();
  await requireAdvisories(store);
  const scans = await runScans(store, inputs, opts);
  const run = await FleetRun.open(inputs, {
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.record === false ? { record: false } : {}),
  }).catch((e: unknown) => {
    const failed = scans.find((s) => s.status !== 'ok');
    if (failed && e instanceof UserError && e.code === 'nothing-scanned') {
      throw new OperationalError('scan-failed', `Scanning ${failed.host} failed: ${failed.message ?? ''}`);
    }
    throw e;
  });
  // At least one kept: the most pressing finding is the summary's worst.
  const top = new TopFindings<RankedRow>(Math.max(1, opts.limit ?? Infinity));
  const summary: FindingsSummary = { hosts: 0, findings: 0, knownExploited: 0, fixable: 0, noFix: 0 };
  const actionCounts: Partial<Record<Action, number>> = {};
  const planned: HostRow[] = [];
  const clear: HostRow[] = [];
  // What sorting the host rows needs of each rollup (not the rollup: its package lists would stay alive).
  const urgency = new Map<HostRow, Pick<HostRollup, 'action' | 'dueAt' | 'host'>>();
  let failed = false;
  const tally = new WindowTally(run.windows);
  for await (const h of run.hosts()) {
    const d = h.decided!;
    tally.add(h);
    summary.hosts++;
    summary.findings += d.findings;
    summary.knownExploited += d.knownExploited;
    summary.fixable += d.fixable;
    summary.noFix += d.findings - d.fixable;
    for (const a in d.rollup.counts)
      actionCounts[a as Action] = (actionCounts[a as Action] ?? 0) + d.rollup.counts[a as Action]!;
    if (opts.failOn && rollupAtLeast(d.rollup, opts.failOn)) failed = true;
    d.offerRanked((key, make) => {
      if (!top.wants(key, d.host)) return false;
      top.add(key, d.host, make());
      return true;
    });
    const row = hostRow(h, d);
    if (d.findings === 0) clear.push(row);
    else {
      planned.push(row);
      urgency.set(row, { action: d.rollup.action, dueAt: d.rollup.dueAt, host: d.rollup.host });
    }
    await opts.onHost?.(h);
  }
  planned.sort((a, b) => byRollupUrgency(urgency.get(a)!, urgency.get(b)!));
  const kept = top.values();
  if (kept[0]) summary.worst = kept[0].finding;
  const ranked = kept.slice(0, opts.limit ?? Infinity);
  return {
    now: run.now.toISOString(),
    timeZone: run.timeZone,
    scans,
    hostRows: [...planned, ...clear],
    top: ranked,
    rows: ranked.map((r) => findingRow(r.finding, r.decision)),
    summary,
    actionCounts: ordered(actionCounts),
    notes: run.notes,
    windows: tally.counts,
    windowNotes: tally.notes(),
    failed,
  };
}

function ordered(counts: Partial<Record<Action, number>>): Partial<Record<Action, number>> {
  const out: Partial<Record<Action, number>> = {};
  for (const a of ACTIONS) if (counts[a] !== undefined) out[a] = counts[a];
  return out;
}

async function runScans(
  store: Store,
  inputs: InventoryInputs & { dataDir: string },
  opts: AssessOptions,
): Promise<AssessScan[]> {
  if (opts.local) return [fromLocal(await scanLocal(store, { name: opts.name, now: opts.now }))];
  if (opts.scan === false) return [];
  const inv = await loadInventory(inputs);
  const reachable = inv.hosts.filter((h) => h.connection);
  if (reachable.length > 0) {
    return scanFleet(reachable, {
      concurrency: opts.concurrency ?? 10,
      perHostTimeoutMs: opts.perHostTimeoutMs ?? 120_000,
      transportFor: transportFactory(inputs.dataDir, inv.config.config.ssh ?? {}),
      store,
      ...(opts.onScan ? { onResult: opts.onScan } : {}),
    });
  }
  if ((await listScannedHosts(store.db)).length === 0) {
    return [fromLocal(await scanLocal(store, { name: opts.name, now: opts.now }))];
  }
  return [];
}

function fromLocal(r: Awaited<ReturnType<typeof scanLocal>>): AssessScan {
  return {
    host: r.host,
    status: r.status,
    message: r.message ?? r.reason,
    packages: r.packages,
    issues: r.issues,
  };
}

/** A host's row of the fleet table: its most urgent action and what is pending on it. */
function hostRow(h: FleetHost, d: DecidedHost): HostRow {
  const p = d.rollup;
  const s = h.scan.state;
  const w = d.findings > 0 ? d.worst() : undefined;
  return {
    host: h.host.name,
    tier: p.tier ? String(p.tier) : '',
    exposure: p.exposure ?? '',
    owner: p.owner ?? '',
    action: p.action ?? 'clear',
    due: p.dueLocal ?? '',
    findings: d.findings,
    knownExploited: d.knownExploited,
    worst: w ? `${w.cves[0] ?? w.vulnId} ${w.package}` : '',
    rebootPending: s.reboot ? (s.reboot.required ? 'yes' : 'no') : '',
    restartList: s.staleProcesses ? s.staleProcesses.length : '',
    flags: d.findings > 0 ? hostFlags(p) : '',
  };
}

function hostFlags(p: HostRollup): string {
  const flags: string[] = [...p.assumed];
  if (p.noWindowBeforeDueCount) flags.push(`no window before due (${p.noWindowBeforeDueCount})`);
  return flags.join(', ');
}

/** The table row of one finding, with its decision when there is one. */
export function findingRow(f: Finding, d?: Decision): FindingRow {
  return {
    host: f.host,
    package: f.package,
    installed: f.installedVersion,
    fixed: f.fixedVersion ?? '(no fix)',
    cve: f.cves[0] ?? f.vulnId,
    kev: f.kev ? 'KEV' : '',
    epss: f.epss ? f.epss.score.toFixed(3) : '',
    cvss: f.cvss ? f.cvss.score.toFixed(1) : '',
    urgency: f.urgency ?? '',
    ...(d ? { action: d.state === 'deferred' ? `${d.action} (deferred)` : d.action, due: d.dueLocal } : {}),
  };
}
