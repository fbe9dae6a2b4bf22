import type { Exposure, Host, Tier } from '../inventory/host.js';
import { compareVersions } from '../versions/compare-versions.js';
import { ecosystemForOs } from '../versions/ecosystem.js';
import {
  actionRank,
  mostUrgent,
  ROLLBACK_REQUIREMENTS,
  type Action,
  type RollbackRequirement,
} from './actions.js';
import { classifyFinding } from './classify-package.js';
import { COMPENSATING_CONTROLS, type CompensatingControl } from './compensating-controls.js';
import type { Decision, DecisionState } from './decide-finding.js';

/** One package to change on a host: the source package, its installed binaries, and the target version. */
export interface PackageChange {
  package: string;
  binaries: string[];
  from: string;
  to: string;
  /** The most urgent action among the findings this change fixes. */
  action: Action;
  dueAt: string;
  vulnIds: string[];
  needsReboot: boolean;
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
const SERVICE_ALIASES: Record<string, string[]> = {
  'openssh-server': ['ssh', 'sshd'],
  'apache2-bin': ['apache2', 'httpd'],
  bind9: ['named', 'bind9'],
  'mariadb-server-core': ['mariadb', 'mysql'],
};

/**
 * Rolls a host's decisions up: the most urgent open action (deferred findings are counted, listed, and
 * left out of the action), the packages to change with target versions, whether a reboot is expected and
 * which of the host's services will restart.
 */
export function rollupHost(host: Host, decisions: readonly Decision[]): HostRollup {
  const open = decisions.filter((d) => d.state !== 'deferred');
  const first = open.reduce<Decision | undefined>(
    (a, d) => (a && !moreUrgentDecision(d, a) ? a : d),
    undefined,
  );
  const packages = packageChanges(open);
  const rebootPackages = packages.filter((p) => p.needsReboot).map((p) => p.package);
  const counts: Partial<Record<Action, number>> = {};
  for (const d of open) counts[d.action] = (counts[d.action] ?? 0) + 1;
  const rollback = new Set(open.flatMap((d) => d.rollback));
  const controls = new Set(open.flatMap((d) => d.controls));
  return {
    host: host.name,
    ...(host.tier ? { tier: host.tier } : {}),
    ...(host.exposure ? { exposure: host.exposure } : {}),
    ...(host.owner ? { owner: host.owner } : {}),
    assumed: decisions[0]?.assumed ?? [],
    action: mostUrgent(open.map((d) => d.action)) ?? null,
    dueAt: first?.dueAt ?? null,
    dueLocal: first?.dueLocal ?? null,
    state: first?.state ?? 'clear',
    counts,
    findings: decisions.length,
    deferred: decisions.length - open.length,
    overdue: open.filter((d) => d.state === 'overdue').length,
    awaitingFix: open.filter((d) => d.state === 'awaiting-fix').length,
    packages,
    rebootExpected: rebootPackages.length > 0,
    rebootPackages,
    restartServices: restartedServices(host, packages, rebootPackages.length > 0),
    rollback: ROLLBACK_REQUIREMENTS.filter((r) => rollback.has(r)),
    controls: COMPENSATING_CONTROLS.filter((c) => controls.has(c)),
  };
}

/** True when `a` is more urgent than `b`: by action, then by due date. */
function moreUrgentDecision(a: Decision, b: Decision): boolean {
  const ra = actionRank(a.action);
  const rb = actionRank(b.action);
  return ra !== rb ? ra < rb : a.dueAt < b.dueAt;
}

function packageChanges(open: readonly Decision[]): PackageChange[] {
  const byPkg = new Map<string, PackageChange>();
  for (const d of open) {
    if (d.fixedVersion === null) continue;
    const p = byPkg.get(d.package);
    if (!p) {
      byPkg.set(d.package, {
        package: d.package,
        binaries: [...d.binaries],
        from: d.installedVersion,
        to: d.fixedVersion,
        action: d.action,
        dueAt: d.dueAt,
        vulnIds: [d.vulnId],
        needsReboot: d.needsReboot,
      });
      continue;
    }
    if (newer(d.os, d.fixedVersion, p.to)) p.to = d.fixedVersion;
    if (actionRank(d.action) < actionRank(p.action)) p.action = d.action;
    if (d.dueAt < p.dueAt) p.dueAt = d.dueAt;
    for (const b of d.binaries) if (!p.binaries.includes(b)) p.binaries.push(b);
    p.vulnIds.push(d.vulnId);
  }
  return [...byPkg.values()].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}

function newer(os: string, a: string, b: string): boolean {
  if (a === b) return false;
  try {
    return compareVersions(ecosystemForOs(os).scheme, a, b) > 0;
  } catch {
    return a > b;
  }
}

/** Host services that will restart: all of them on reboot or a shared-library change, else by name. */
function restartedServices(host: Host, packages: readonly PackageChange[], reboot: boolean): string[] {
  const services = host.services ?? [];
  if (reboot || services.length === 0) return services.map((s) => s.name);
  const names = services.map((s) => [s.name, ...(s.unit ? [s.unit.replace(/\.service$/, '')] : [])]);
  const hit = new Set<number>();
  for (const p of packages) {
    const all = classifyFinding(p.package, p.binaries).restartsAll;
    names.forEach((ns, i) => {
      if (all || p.binaries.some((b) => serviceOf(b, ns))) hit.add(i);
    });
  }
  return services.filter((_, i) => hit.has(i)).map((s) => s.name);
}

function serviceOf(binary: string, names: readonly string[]): boolean {
  const aliases = SERVICE_ALIASES[binary];
  return names.some(
    (n) => n === binary || binary.startsWith(n + '-') || (aliases !== undefined && aliases.includes(n)),
  );
}
