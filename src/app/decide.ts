import { DeferralStore, seenKey } from '../adapters/store/deferral-store.js';
import type { Store } from '../adapters/store/open-store.js';
import type { Finding } from '../core/findings/finding.js';
import type { Host } from '../core/inventory/host.js';
import { actionRank, type Action } from '../core/policy/actions.js';
import { decidePrepared, type DecideContext, type Decision } from '../core/policy/decide-finding.js';
import type { Deferral } from '../core/policy/deferral.js';
import type { CompatibilityFlag } from '../core/policy/facts.js';
import { defaultPolicy, type Policy } from '../core/policy/policy-schema.js';
import { prepareHost } from '../core/policy/prepare-host.js';
import type { RestorePoints } from '../core/policy/rollback.js';
import { rollupHost, type HostRollup } from '../core/policy/rollup-host.js';
import { computeFindings } from './findings.js';
import { loadInventory, type InventoryInputs } from './inventory.js';

/** Everything a fleet decision depends on, as data. */
export interface FleetInput {
  hosts: readonly Host[];
  findings: readonly Finding[];
  policy: Policy;
  now: Date;
  timeZone?: string;
  deferrals?: readonly Deferral[];
  /** First-seen time per finding, keyed by {@link seenKey}; deadlines count from it. */
  firstSeen?: ReadonlyMap<string, string>;
  /** Next regular window per host name (once windows are configured). */
  nextWindows?: ReadonlyMap<string, Date>;
  restorePoints?: ReadonlyMap<string, RestorePoints>;
  compatibilityFlags?: readonly CompatibilityFlag[];
}

/** A host's rollup with its decisions, most urgent first. */
export interface HostPlan extends HostRollup {
  decisions: Decision[];
}

/** Decisions for the fleet: one rollup per host with findings, and every decision, most urgent first. */
export interface FleetDecisions {
  now: string;
  timeZone: string;
  hosts: HostPlan[];
  decisions: Decision[];
}

/** How much of the fleet's decisions to keep. */
export interface DecideFleetOptions {
  /**
   * Keep every decision (default). False keeps only the host rollups: each host's decisions are rolled
   * up and dropped, so `hosts[].decisions` and `decisions` are empty and memory stays flat (for callers
   * that print one line per host).
   */
  keepDecisions?: boolean;
}

/**
 * Decides every finding of the fleet and rolls each host up. Pure: no I/O, the clock passed in. A finding
 * on a host missing from the inventory is decided as for an unclassified host (tier 1, internet-facing).
 * Each host is prepared once (facts, deferrals, compatibility flags) and shared by its findings.
 */
export function decideFleet(input: FleetInput, opts: DecideFleetOptions = {}): FleetDecisions {
  const keep = opts.keepDecisions ?? true;
  const timeZone = input.timeZone ?? input.policy.timeZone;
  const byName = new Map(input.hosts.map((h) => [h.name, h]));
  const byHost = new Map<string, Finding[]>();
  for (const f of input.findings) {
    const list = byHost.get(f.host);
    if (list) list.push(f);
    else byHost.set(f.host, [f]);
  }
  const hosts: HostPlan[] = [];
  for (const [name, findings] of byHost) {
    const host = byName.get(name) ?? { name, services: [], tags: {} };
    const prepared = prepareHost(host, hostContext(host, input, timeZone));
    const decisions = findings.map((f) => decidePrepared(prepared, f, firstSeen(f, input.firstSeen)));
    decisions.sort(byUrgency);
    const plan = rollupHost(host, decisions) as HostPlan;
    plan.decisions = keep ? decisions : [];
    hosts.push(plan);
  }
  hosts.sort((a, b) => byRollupUrgency(a, b) || cmp(a.host, b.host));
  const decisions = keep ? hosts.flatMap((h) => h.decisions).sort(byUrgency) : [];
  return { now: input.now.toISOString(), timeZone, hosts, decisions };
}

function hostContext(host: Host, input: FleetInput, timeZone: string): DecideContext {
  const restore = input.restorePoints?.get(host.name);
  const next = input.nextWindows?.get(host.name);
  return {
    policy: input.policy,
    now: input.now,
    timeZone,
    ...(input.deferrals ? { deferrals: input.deferrals } : {}),
    ...(restore ? { restorePoints: restore } : {}),
    ...(next ? { nextWindowAt: next } : {}),
    ...(input.compatibilityFlags ? { compatibilityFlags: input.compatibilityFlags } : {}),
  };
}

/** When the finding was first seen (epoch ms), if the store knows. */
function firstSeen(f: Finding, seen?: ReadonlyMap<string, string>): number | undefined {
  const at = seen?.get(seenKey(f.host, f.vulnId, f.package));
  return at ? new Date(at).getTime() : undefined;
}

/** Code-unit order: ISO times sort correctly, and it is far cheaper than localeCompare on 400k rows. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deferred findings last, then by action, then by due date. */
export function byUrgency(a: Decision, b: Decision): number {
  const da = a.state === 'deferred' ? 1 : 0;
  const db = b.state === 'deferred' ? 1 : 0;
  return da - db || actionRank(a.action) - actionRank(b.action) || cmp(a.dueAt, b.dueAt);
}

function byRollupUrgency(a: HostRollup, b: HostRollup): number {
  const ra = a.action ? actionRank(a.action) : 99;
  const rb = b.action ? actionRank(b.action) : 99;
  return ra - rb || cmp(a.dueAt ?? '~', b.dueAt ?? '~');
}

/** True when any open (not deferred) decision is at least as urgent as `action` (for `--fail-on`). */
export function anyAtLeast(decisions: readonly Decision[], action: Action): boolean {
  return decisions.some((d) => d.state !== 'deferred' && actionRank(d.action) <= actionRank(action));
}

/** What loading the fleet's decisions needs; CliContext provides it. */
export type DecideInputs = InventoryInputs;

/**
 * Loads inventory, policy, the latest findings and the deferrals, records first-seen times, and decides.
 * `host` narrows to one host.
 */
export async function loadFleetDecisions(
  inputs: DecideInputs,
  opts: { host?: string; now?: Date } & DecideFleetOptions = {},
): Promise<FleetDecisions & { notes: string[]; findings: Finding[] }> {
  const now = opts.now ?? new Date();
  const inventory = await loadInventory(inputs);
  const policy = inventory.config.config.policy ?? defaultPolicy();
  const store: Store = await inputs.openStore();
  const report = await computeFindings(store, { ...(opts.host ? { host: opts.host } : {}), now });
  const deferrals = new DeferralStore(store.db);
  const firstSeen = await deferrals.firstSeen(
    report.findings.map((f) => ({ host: f.host, vulnId: f.vulnId, package: f.package })),
    now.toISOString(),
  );
  const fleet = decideFleet(
    {
      hosts: inventory.hosts,
      findings: report.findings,
      policy,
      now,
      deferrals: await deferrals.list(),
      firstSeen,
    },
    opts.keepDecisions === false ? { keepDecisions: false } : {},
  );
  return { ...fleet, findings: report.findings, notes: [...inventory.warnings, ...report.notes] };
}
