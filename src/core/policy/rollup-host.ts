import type { Exposure, Host, Tier } from '../inventory/host.js';
import { compareVersions } from '../versions/compare-versions.js';
import { ecosystemForOs } from '../versions/ecosystem.js';
import { actionRank, ROLLBACK_REQUIREMENTS, type Action, type RollbackRequirement } from './actions.js';
import { COMPENSATING_CONTROLS, type CompensatingControl } from './compensating-controls.js';
import { decisionImpact, type Decision, type DecisionState } from './decide-finding.js';

/**
 * One package to change on a host: the source package, its installed binaries, and the target version.
 * `binaries` may be the array of one of its decisions (shared, like theirs): read it, never change it.
 *
 * A class rather than an object literal: a fleet keeps one per package per host, and V8 allocates these
 * faster than the equivalent literal, which it moves straight to the old generation.
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
  constructor(d: Decision, to: string) {
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
 * which of the host's services will restart.
 */
export function rollupHost(host: Host, decisions: readonly Decision[]): HostRollup {
  const open = decisions.filter((d) => d.state !== 'deferred');
  let first: Decision | undefined;
  const counts: Partial<Record<Action, number>> = {};
  let overdue = 0;
  let awaitingFix = 0;
  // Decisions share their rollback and control arrays: union each distinct array once.
  const rollbackLists = new Set<readonly RollbackRequirement[]>();
  const controlLists = new Set<readonly CompensatingControl[]>();
  for (const d of open) {
    if (!first || moreUrgentDecision(d, first)) first = d;
    counts[d.action] = (counts[d.action] ?? 0) + 1;
    if (d.state === 'overdue') overdue++;
    else if (d.state === 'awaiting-fix') awaitingFix++;
    rollbackLists.add(d.rollback);
    controlLists.add(d.controls);
  }
  const { packages, restartsAll } = packageChanges(open);
  const rebootPackages = packages.filter((p) => p.needsReboot).map((p) => p.package);
  return {
    host: host.name,
    ...(host.tier ? { tier: host.tier } : {}),
    ...(host.exposure ? { exposure: host.exposure } : {}),
    ...(host.owner ? { owner: host.owner } : {}),
    assumed: decisions[0]?.assumed ?? [],
    action: first?.action ?? null,
    dueAt: first?.dueAt ?? null,
    dueLocal: first?.dueLocal ?? null,
    state: first?.state ?? 'clear',
    counts,
    findings: decisions.length,
    deferred: decisions.length - open.length,
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

/** True when `a` is more urgent than `b`: by action, then by due date. */
function moreUrgentDecision(a: Decision, b: Decision): boolean {
  const ra = actionRank(a.action);
  const rb = actionRank(b.action);
  return ra !== rb ? ra < rb : a.dueAt < b.dueAt;
}

/** The packages to change, and whether one of them is a shared library every service uses. */
function packageChanges(open: readonly Decision[]): { packages: PackageChange[]; restartsAll: boolean } {
  const byPkg = new Map<string, PackageChange>();
  // A change starts with its first decision's binaries array and copies it only when another adds one.
  const ownBinaries = new Set<PackageChange>();
  let restartsAll = false;
  for (const d of open) {
    if (d.fixedVersion === null) continue;
    // A change's names are its decisions' names, so it restarts all services when one of them does.
    restartsAll ||= decisionImpact(d).restartsAll;
    const p = byPkg.get(d.package);
    if (!p) {
      byPkg.set(d.package, new PackageChange(d, d.fixedVersion));
      continue;
    }
    if (newer(d.os, d.fixedVersion, p.to)) p.to = d.fixedVersion;
    if (actionRank(d.action) < actionRank(p.action)) p.action = d.action;
    if (d.dueAt < p.dueAt) p.dueAt = d.dueAt;
    for (const b of d.binaries) {
      if (p.binaries.includes(b)) continue;
      if (!ownBinaries.has(p)) {
        p.binaries = [...p.binaries];
        ownBinaries.add(p);
      }
      p.binaries.push(b);
    }
    p.vulnIds.push(d.vulnId);
  }
  const packages = [...byPkg.values()].sort((a, b) =>
    a.package < b.package ? -1 : a.package > b.package ? 1 : 0,
  );
  return { packages, restartsAll };
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
