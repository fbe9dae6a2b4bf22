import type { Exposure, Host, Tier } from '../inventory/host.js';
import { compareVersions } from '../versions/compare-versions.js';
import { ecosystemForOs } from '../versions/ecosystem.js';
import {
  ACTIONS,
  actionRank,
  ROLLBACK_REQUIREMENTS,
  type Action,
  type RollbackRequirement,
} from './actions.js';
import { COMPENSATING_CONTROLS, type CompensatingControl } from './compensating-controls.js';
import { decisionImpact, type Decision, type DecisionState } from './decide-finding.js';

/**
 * One package to change on a host: the source package, its installed binaries, and the target version.
 * May be shared by the rollups of every host with the same package summary: read it, never change it.
 *
 * A class rather than an object literal: a fleet keeps one per package per host summary, and V8 allocates
 * these faster than the equivalent literal, which it moves straight to the old generation.
 */
export class PackageChange {
  package: string;
  binaries: string[];
  from: string;
  to: string;
  /** The most urgent action among the findings this change fixes. */
  action: Action;
  dueAt: string;
  vulnIds: string[];
  needsReboot: boolean;
  /** The change its first decision asks for: to `to`. */
  constructor(d: RolledDecision, to: string) {
    this.package = d.package;
    this.binaries = d.binaries;
    this.from = d.installedVersion;
    this.to = to;
    this.action = d.action;
    this.dueAt = d.dueAt;
    this.vulnIds = [d.vulnId];
    this.needsReboot = d.needsReboot;
  }
}

/** What rolling up reads of a decision (a {@link Decision} has it all). */
export type RolledDecision = Pick<
  Decision,
  | 'os'
  | 'package'
  | 'binaries'
  | 'installedVersion'
  | 'fixedVersion'
  | 'vulnId'
  | 'action'
  | 'state'
  | 'dueAt'
  | 'dueLocal'
  | 'needsReboot'
  | 'rollback'
  | 'controls'
>;

/** The most urgent open decision of a package summary, and what breaks a tie with another. */
export interface FirstOpen<Tie> {
  action: Action;
  dueAt: string;
  dueLocal: string;
  state: DecisionState;
  tie: Tie;
}

/**
 * What the decisions of ONE source package on a host add to the host's rollup: counts, the most urgent
 * open decision, the change to make. It depends only on the decisions, so hosts whose decisions of the
 * package are alike share one. Read it, never change it.
 */
export interface PackageSummary<Tie = number> {
  package: string;
  findings: number;
  deferred: number;
  overdue: number;
  awaitingFix: number;
  counts: Partial<Record<Action, number>>;
  first: FirstOpen<Tie> | undefined;
  /** The change the open decisions with a fix ask for. */
  change: PackageChange | undefined;
  /** The change touches a shared library every service uses. */
  restartsAll: boolean;
  rollbackLists: ReadonlySet<readonly RollbackRequirement[]>;
  controlLists: ReadonlySet<readonly CompensatingControl[]>;
}

/** A host's plan at a glance: the most urgent action, what changes, and what it will disturb. */
export interface HostRollup {
  host: string;
  tier?: Tier;
  exposure?: Exposure;
  owner?: string;
  /** Classification gaps (tier, exposure, owner) the decisions filled in with the worse case. */
  assumed: string[];
  /** Most urgent action among findings that are not deferred; null when nothing is open. */
  action: Action | null;
  dueAt: string | null;
  dueLocal: string | null;
  state: DecisionState | 'clear';
  counts: Partial<Record<Action, number>>;
  findings: number;
  deferred: number;
  overdue: number;
  awaitingFix: number;
  packages: PackageChange[];
  rebootExpected: boolean;
  rebootPackages: string[];
  restartServices: string[];
  rollback: RollbackRequirement[];
  controls: CompensatingControl[];
  /** ISO 8601 UTC start of the host's next maintenance window; absent when no window covers the host. */
  nextWindowAt?: string;
  /** Set when open findings are due before the next window opens (see `noWindowBeforeDueCount`). */
  noWindowBeforeDue?: true;
  /** How many open findings are due before the next window covering the host opens. */
  noWindowBeforeDueCount?: number;
}

/** Binary packages whose service name differs from the package's. */
const SERVICE_ALIASES = new Map<string, readonly string[]>([
  ['openssh-server', ['ssh', 'sshd']],
  ['apache2-bin', ['apache2', 'httpd']],
  ['bind9', ['named', 'bind9']],
  ['mariadb-server-core', ['mariadb', 'mysql']],
]);

/**
 * Rolls a host's decisions up: the most urgent open action (deferred findings are counted, listed, and
 * left out of the action), the packages to change with target versions, whether a reboot is expected and
 * which of the host's services will restart. Among equally urgent decisions the first listed wins.
 */
export function rollupHost(host: Host, decisions: readonly Decision[]): HostRollup {
  const byPkg = new Map<string, { ds: Decision[]; at: number[] }>();
  decisions.forEach((d, i) => {
    const g = byPkg.get(d.package);
    if (g) {
      g.ds.push(d);
      g.at.push(i);
    } else byPkg.set(d.package, { ds: [d], at: [i] });
  });
  const summaries = [...byPkg.values()].map((g) =>
    summarizePackage(g.ds, (_d, k) => g.at[k]!, decisionImpact(g.ds[0]!).restartsAll),
  );
  return rollupFromSummaries(host, summaries, (a, b) => a - b, decisions[0]?.assumed ?? []);
}

/**
 * The summary of one source package's decisions on a host, `decisions` in the order the host lists them
 * (most urgent first, for a change's finding list), which also breaks ties: the first listed of equally
 * urgent ones wins, and `tie` names its place for comparisons across packages. `restartsAll`: whether changing the package restarts every service (its impact).
 */
export function summarizePackage<Tie>(
  decisions: readonly RolledDecision[],
  tie: (d: RolledDecision, i: number) => Tie,
  restartsAll: boolean,
): PackageSummary<Tie> {
  let first: RolledDecision | undefined;
  let firstAt = -1;
  const counts: Partial<Record<Action, number>> = {};
  let overdue = 0;
  let awaitingFix = 0;
  let deferred = 0;
  let change: PackageChange | undefined;
  let ownBinaries = false;
  let firstBinaries: readonly string[] | undefined;
  let binarySet: Set<string> | undefined;
  let fixable = false;
  // Decisions share their rollback and control arrays: union each distinct array once.
  const rollbackLists = new Set<readonly RollbackRequirement[]>();
  const controlLists = new Set<readonly CompensatingControl[]>();
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    if (d.state === 'deferred') {
      deferred++;
      continue;
    }
    if (!first || moreUrgentDecision(d, first)) {
      first = d;
      firstAt = i;
    }
    counts[d.action] = (counts[d.action] ?? 0) + 1;
    if (d.state === 'overdue') overdue++;
    else if (d.state === 'awaiting-fix') awaitingFix++;
    rollbackLists.add(d.rollback);
    controlLists.add(d.controls);
    if (d.fixedVersion === null) continue;
    fixable = true;
    if (!change) {
      change = new PackageChange(d, d.fixedVersion);
      firstBinaries = d.binaries;
      continue;
    }
    if (newer(d.os, d.fixedVersion, change.to)) change.to = d.fixedVersion;
    if (actionRank(d.action) < actionRank(change.action)) change.action = d.action;
    if (d.dueAt < change.dueAt) change.dueAt = d.dueAt;
    // Decisions of one group share their binaries array: only another array can add a name. A set of
    // the names, made on first need, keeps a source with tens of thousands of binaries linear.
    if (d.binaries !== change.binaries && d.binaries !== firstBinaries) {
      binarySet ??= new Set(change.binaries);
      for (const b of d.binaries) {
        if (binarySet.has(b)) continue;
        binarySet.add(b);
        // A change starts with its first decision's binaries array and copies it only when another adds one.
        if (!ownBinaries) {
          change.binaries = [...change.binaries];
          ownBinaries = true;
        }
        change.binaries.push(b);
      }
    }
    change.vulnIds.push(d.vulnId);
  }
  return {
    package: decisions[0]?.package ?? '',
    findings: decisions.length,
    deferred,
    overdue,
    awaitingFix,
    counts,
    first: first
      ? {
          action: first.action,
          dueAt: first.dueAt,
          dueLocal: first.dueLocal,
          state: first.state,
          tie: tie(first, firstAt),
        }
      : undefined,
    change,
    restartsAll: fixable && restartsAll,
    rollbackLists,
    controlLists,
  };
}

/**
 * A host's rollup from the summaries of its packages (one per source package). `tie` orders equally
 * urgent first decisions of different packages; `assumed` is the host's classification gaps (listed when
 * it has any decision).
 */
export function rollupFromSummaries<Tie>(
  host: Host,
  summaries: readonly PackageSummary<Tie>[],
  tie: (a: Tie, b: Tie) => number,
  assumed: string[],
): HostRollup {
  let first: FirstOpen<Tie> | undefined;
  const counts: Partial<Record<Action, number>> = {};
  let findings = 0;
  let deferred = 0;
  let overdue = 0;
  let awaitingFix = 0;
  let restartsAll = false;
  const packages: PackageChange[] = [];
  const rollbackLists = new Set<readonly RollbackRequirement[]>();
  const controlLists = new Set<readonly CompensatingControl[]>();
  for (const s of summaries) {
    findings += s.findings;
    deferred += s.deferred;
    overdue += s.overdue;
    awaitingFix += s.awaitingFix;
    for (const a in s.counts) counts[a as Action] = (counts[a as Action] ?? 0) + s.counts[a as Action]!;
    const f = s.first;
    if (f && (!first || moreUrgentDecision(f, first) || (sameUrgency(f, first) && tie(f.tie, first.tie) < 0)))
      first = f;
    if (s.change) packages.push(s.change);
    restartsAll ||= s.restartsAll;
    for (const l of s.rollbackLists) rollbackLists.add(l);
    for (const l of s.controlLists) controlLists.add(l);
  }
  packages.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
  const rebootPackages = packages.filter((p) => p.needsReboot).map((p) => p.package);
  const ordered: Partial<Record<Action, number>> = {};
  for (const a of ACTIONS) if (counts[a] !== undefined) ordered[a] = counts[a];
  return {
    host: host.name,
    ...(host.tier ? { tier: host.tier } : {}),
    ...(host.exposure ? { exposure: host.exposure } : {}),
    ...(host.owner ? { owner: host.owner } : {}),
    assumed: findings > 0 ? assumed : [],
    action: first?.action ?? null,
    dueAt: first?.dueAt ?? null,
    dueLocal: first?.dueLocal ?? null,
    state: first?.state ?? 'clear',
    counts: ordered,
    findings,
    deferred,
    overdue,
    awaitingFix,
    packages,
    rebootExpected: rebootPackages.length > 0,
    rebootPackages,
    restartServices: restartedServices(host, packages, rebootPackages.length > 0 || restartsAll),
    rollback: union(ROLLBACK_REQUIREMENTS, rollbackLists),
    controls: union(COMPENSATING_CONTROLS, controlLists),
  };
}

/** The members of `all` (in its order) that are in any of `lists`. */
function union<T>(all: readonly T[], lists: Set<readonly T[]>): T[] {
  const seen = new Set<T>();
  for (const l of lists) for (const x of l) seen.add(x);
  return all.filter((x) => seen.has(x));
}

type Urgent = Pick<Decision, 'action' | 'dueAt'>;

/** True when `a` is more urgent than `b`: by action, then by due date. */
function moreUrgentDecision(a: Urgent, b: Urgent): boolean {
  const ra = actionRank(a.action);
  const rb = actionRank(b.action);
  return ra !== rb ? ra < rb : a.dueAt < b.dueAt;
}

function sameUrgency(a: Urgent, b: Urgent): boolean {
  return a.action === b.action && a.dueAt === b.dueAt;
}

/** Deferred last, then by action, then by due date (the order a host's decisions are listed in). */
export function byUrgency(a: Urgent & Pick<Decision, 'state'>, b: Urgent & Pick<Decision, 'state'>): number {
  const da = a.state === 'deferred' ? 1 : 0;
  const db = b.state === 'deferred' ? 1 : 0;
  return (
    da - db ||
    actionRank(a.action) - actionRank(b.action) ||
    (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0)
  );
}

function newer(os: string, a: string, b: string): boolean {
  if (a === b) return false;
  try {
    return compareVersions(ecosystemForOs(os).scheme, a, b) > 0;
  } catch {
    return a > b;
  }
}

/** Host services that will restart: all of them on a reboot or a shared-library change, else by name. */
function restartedServices(host: Host, packages: readonly PackageChange[], all: boolean): string[] {
  const services = host.services ?? [];
  if (all || services.length === 0) return services.map((s) => s.name);
  const { byName, lengths } = serviceNames(services);
  const hit = new Set<number>();
  const mark = (name: string) => {
    const at = byName.get(name);
    if (at) for (const i of at) hit.add(i);
  };
  for (const p of packages) {
    if (hit.size === services.length) break;
    for (const b of p.binaries) forEachNameProvided(b, lengths, mark);
  }
  return services.filter((_, i) => hit.has(i)).map((s) => s.name);
}

/** Each service's names (its name, and its unit without `.service`) -> positions in `services`. */
function serviceNames(services: readonly { name: string; unit?: string }[]) {
  const byName = new Map<string, number[]>();
  const lengths = new Set<number>();
  services.forEach((s, i) => {
    for (const n of [s.name, ...(s.unit ? [s.unit.replace(/\.service$/, '')] : [])]) {
      byName.set(n, [...(byName.get(n) ?? []), i]);
      lengths.add(n.length);
    }
  });
  return { byName, lengths };
}

/**
 * Calls `f` with each service name a binary package provides: its own name, every `NAME` of which it is
 * `NAME-…` (only lengths some service name has are tried), and its known aliases. No list is built: this
 * runs for every binary of every host's changes.
 */
function forEachNameProvided(binary: string, lengths: ReadonlySet<number>, f: (name: string) => void): void {
  f(binary);
  for (let j = binary.indexOf('-'); j >= 0; j = binary.indexOf('-', j + 1))
    if (lengths.has(j)) f(binary.slice(0, j));
  const aliases = SERVICE_ALIASES.get(binary);
  if (aliases) for (const alias of aliases) f(alias);
}
