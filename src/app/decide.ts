import type { Finding } from '../core/findings/finding.js';
import { compareFindings } from '../core/findings/rank-findings.js';
import { actionRank, type Action } from '../core/policy/actions.js';
import type { Decision } from '../core/policy/decide-finding.js';
import { byUrgency, type HostRollup } from '../core/policy/rollup-host.js';
import { FleetRun, type FleetRunOptions } from './fleet-pipeline.js';
import type { InventoryInputs } from './inventory.js';

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

/** What loading the fleet's decisions needs; CliContext provides it. */
export type DecideInputs = InventoryInputs;

/** Code-unit order: ISO times sort correctly, and it is far cheaper than localeCompare. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Hosts by their most urgent open action, then its due date (hosts with nothing open last). */
export function byRollupUrgency(
  a: Pick<HostRollup, 'action' | 'dueAt' | 'host'>,
  b: Pick<HostRollup, 'action' | 'dueAt' | 'host'>,
): number {
  const ra = a.action ? actionRank(a.action) : 99;
  const rb = b.action ? actionRank(b.action) : 99;
  return ra - rb || cmp(a.dueAt ?? '~', b.dueAt ?? '~') || cmp(a.host, b.host);
}

/** True when a host's most urgent open action is at least as urgent as `action` (for `--fail-on`). */
export function rollupAtLeast(r: HostRollup, action: Action): boolean {
  return r.action !== null && actionRank(r.action) <= actionRank(action);
}

/**
 * Every decision and finding of the fleet (or of `host`) in memory, through the fleet pipeline: for one
 * host (`explain`, `plan --host`), deferral bookkeeping and tests. Fleet-wide commands stream instead.
 * Records first-seen times (unless `record` is false).
 */
export async function loadFleetDecisions(
  inputs: DecideInputs,
  opts: { host?: string } & Pick<FleetRunOptions, 'now' | 'record' | 'hosts'> = {},
): Promise<FleetDecisions & { notes: string[]; findings: Finding[] }> {
  const run = await FleetRun.open(inputs, {
    ...opts,
    ...(opts.host ? { hosts: [opts.host] } : {}),
  });
  const hosts: HostPlan[] = [];
  const findings: Finding[] = [];
  for await (const h of run.hosts()) {
    const decided = h.decided!;
    if (decided.findings === 0) continue;
    hosts.push({ ...decided.rollup, decisions: decided.decisions() });
    for (const f of decided.allFindings()) findings.push(f);
  }
  hosts.sort(byRollupUrgency);
  findings.sort(compareFindings);
  return {
    now: run.now.toISOString(),
    timeZone: run.timeZone,
    hosts,
    decisions: hosts.flatMap((h) => h.decisions).sort(byUrgency),
    findings,
    notes: run.notes,
  };
}
