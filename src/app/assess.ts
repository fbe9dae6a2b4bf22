import type { Store } from '../adapters/store/open-store.js';
import { latestOkScans, listScannedHosts } from '../adapters/store/scan-store.js';
import { transportFactory } from '../adapters/transport/transport-for-host.js';
import { OperationalError, UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import { summarizeFindings, type FindingsSummary } from '../core/findings/summarize-findings.js';
import type { Action } from '../core/policy/actions.js';
import type { Decision } from '../core/policy/decide-finding.js';
import type { HostState } from '../core/inventory/host-state.js';
import { seenKey } from '../adapters/store/deferral-store.js';
import { anyAtLeast, loadFleetDecisions, type HostPlan } from './decide.js';
import { requireAdvisories } from './findings.js';
import { scanFleet, type FleetScanResult } from './fleet-scan.js';
import { loadInventory, type InventoryInputs } from './inventory.js';
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

/** What `assess` produced: scans run, decisions, the rows to show and the summary. */
export interface AssessResult {
  scans: AssessScan[];
  findings: Finding[];
  decisions: Decision[];
  hosts: HostPlan[];
  hostRows: HostRow[];
  rows: FindingRow[];
  summary: FindingsSummary;
  actionCounts: Partial<Record<Action, number>>;
  notes: string[];
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
  limit?: number;
  failOn?: Action;
  now?: Date;
  onScan?: (r: FleetScanResult, done: number, total: number) => void;
}

/**
 * Scan + match + decide for the fleet. Scans this machine when `local` is set (or when the inventory has no
 * reachable hosts and nothing was ever scanned), else every inventory host with a connection; then decides
 * every finding of every host's latest successful scan.
 */
export async function assess(
  inputs: InventoryInputs & { dataDir: string },
  opts: AssessOptions = {},
): Promise<AssessResult> {
  const store = await inputs.openStore();
  await requireAdvisories(store);
  const scans = await runScans(store, inputs, opts);
  const fleet = await loadFleetDecisions(inputs, { now: opts.now }).catch((e: unknown) => {
    const failed = scans.find((s) => s.status !== 'ok');
    if (failed && e instanceof UserError && e.code === 'nothing-scanned') {
      throw new OperationalError('scan-failed', `Scanning ${failed.host} failed: ${failed.message ?? ''}`);
    }
    throw e;
  });
  const byKey = new Map(fleet.decisions.map((d) => [seenKey(d.host, d.vulnId, d.package), d]));
  const decisionOf = (f: Finding) => byKey.get(seenKey(f.host, f.vulnId, f.package));
  const shown = opts.limit === undefined ? fleet.findings : fleet.findings.slice(0, opts.limit);
  const actionCounts: Partial<Record<Action, number>> = {};
  for (const d of fleet.decisions)
    if (d.state !== 'deferred') actionCounts[d.action] = (actionCounts[d.action] ?? 0) + 1;
  const states = new Map((await latestOkScans(store.db)).map((s) => [s.host, s.state]));
  return {
    scans,
    findings: fleet.findings,
    decisions: fleet.decisions,
    hosts: fleet.hosts,
    hostRows: hostRows(fleet.hosts, fleet.findings, states),
    rows: shown.map((f) => findingRow(f, decisionOf(f))),
    summary: summarizeFindings(fleet.findings, Math.max(states.size, fleet.hosts.length)),
    actionCounts,
    notes: fleet.notes,
    failed: opts.failOn !== undefined && anyAtLeast(fleet.decisions, opts.failOn),
  };
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

function hostRows(
  plans: readonly HostPlan[],
  findings: readonly Finding[],
  states: ReadonlyMap<string, HostState | null>,
): HostRow[] {
  const kev = new Map<string, number>();
  const worst = new Map<string, Finding>();
  for (const f of findings) {
    if (f.kev) kev.set(f.host, (kev.get(f.host) ?? 0) + 1);
    if (!worst.has(f.host)) worst.set(f.host, f); // findings come ranked, most pressing first
  }
  const planned = new Set(plans.map((p) => p.host));
  const clear = [...states.keys()].filter((h) => !planned.has(h)).sort();
  const row = (host: string, p?: HostPlan): HostRow => {
    const s = states.get(host);
    const w = worst.get(host);
    return {
      host,
      tier: p?.tier ? String(p.tier) : '',
      exposure: p?.exposure ?? '',
      owner: p?.owner ?? '',
      action: p?.action ?? 'clear',
      due: p?.dueLocal ?? '',
      findings: p?.findings ?? 0,
      knownExploited: kev.get(host) ?? 0,
      worst: w ? `${w.cves[0] ?? w.vulnId} ${w.package}` : '',
      rebootPending: s?.reboot ? (s.reboot.required ? 'yes' : 'no') : '',
      restartList: s?.staleProcesses ? s.staleProcesses.length : '',
      flags: p?.assumed.join(', ') ?? '',
    };
  };
  return [...plans.map((p) => row(p.host, p)), ...clear.map((h) => row(h))];
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
