import { DeferralStore } from '../adapters/store/deferral-store.js';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import type { Host } from '../core/inventory/host.js';
import { mostUrgent, type Action } from '../core/policy/actions.js';
import type { Decision } from '../core/policy/decide-finding.js';
import {
  deferralCoversFinding,
  deferralCoversHost,
  evaluateDeferral,
  validateDeferral,
  type Deferral,
  type DeferralInput,
  type DeferralStatus,
} from '../core/policy/deferral.js';
import { defaultPolicy, type Policy } from '../core/policy/policy-schema.js';
import { listScannedHosts } from '../adapters/store/scan-store.js';
import type { DecideInputs } from './decide.js';
import { FleetRun } from './fleet-pipeline.js';
import { loadInventory, type Inventory } from './inventory.js';

import { currentActor } from './actor.js';

export { currentActor };

/**
 * The decisions each of `deferrals` covers now, through the fleet pipeline over only the hosts they cover
 * (by name, or by selector over the inventory and the scanned hosts): one list per deferral, in order.
 * Empty lists when nothing is scanned or no advisories exist.
 */
async function coveredDecisions(
  inputs: DecideInputs,
  deferrals: readonly (Deferral | DeferralInput)[],
  inventory: Inventory,
  now: Date,
  record: boolean,
): Promise<{ covered: Decision[][]; scanned: Set<string> }> {
  const covered = deferrals.map((): Decision[] => []);
  const store = await inputs.openStore();
  const scanned = new Set((await listScannedHosts(store.db)).map((h) => h.host));
  const probes = deferrals.map((d) => ({ id: '', ...d }));
  const byName = new Map<string, Host>(inventory.hosts.map((h) => [h.name, h]));
  for (const name of scanned) if (!byName.has(name)) byName.set(name, { name, services: [], tags: {} });
  const names = [...byName.values()]
    .filter((h) => probes.some((d) => deferralCoversHost(d, h)))
    .map((h) => h.name);
  if (names.length === 0) return { covered, scanned };
  let run: FleetRun;
  try {
    run = await FleetRun.open(inputs, { hosts: names, now, record, inventory });
  } catch (e) {
    if (e instanceof UserError && /scanned|advisories/.test(e.code)) return { covered, scanned };
    throw e;
  }
  for await (const h of run.hosts()) {
    const ds = h.decided?.decisions() ?? [];
    probes.forEach((d, i) => {
      if (!deferralCoversHost(d, h.host)) return;
      for (const x of ds) if (deferralCoversFinding(d, asFinding(x))) covered[i]!.push(x);
    });
  }
  return { covered, scanned };
}

function asFinding(x: Decision): Finding {
  const { host, os, vulnId, cves, binaries, installedVersion, fixedVersion } = x;
  return {
    host,
    os,
    vulnId,
    cves,
    aliases: [],
    binaries,
    installedVersion,
    fixedVersion,
    package: x.package,
    sources: [],
  };
}

/** The result of adding a deferral: the record, the action class its cap came from, and notes. */
export interface AddDeferralResult {
  deferral: Deferral;
  action: Action;
  covers: number;
  notes: string[];
}

/**
 * Validates a deferral against the policy (required fields; the cap of the most urgent action among the
 * findings it covers now) and records it with an audit entry.
 *
 * @throws UserError listing every problem, or naming an unknown host.
 */
export async function addDeferral(
  inputs: DecideInputs & { env: NodeJS.ProcessEnv },
  d: Omit<DeferralInput, 'createdAt' | 'createdBy'>,
  now = new Date(),
  record = true,
): Promise<AddDeferralResult> {
  const inventory = await loadInventory(inputs);
  const policy = inventory.config.config.policy ?? defaultPolicy();
  const probe: DeferralInput = { ...d, createdAt: '' };
  const { covered, scanned } = await coveredDecisions(inputs, [probe], inventory, now, record);
  const known = new Set([...inventory.hosts.map((h) => h.name), ...scanned]);
  const unknown = d.hosts.filter((h) => !known.has(h));
  if (unknown.length) {
    throw new UserError(
      'host-unknown',
      `No host named ${unknown.join(', ')} in the inventory or the scans.`,
      'See: patchwise hosts list',
    );
  }
  const matches = covered[0]!;
  const notes: string[] = [];
  let action = mostUrgent(matches.map((m) => m.action));
  if (!action) {
    action = 'emergency';
    notes.push(
      'No current finding matches this deferral, so the strictest cap (that of an emergency) applies.',
    );
  }
  if (d.until === 'fix-available' && matches.some((m) => m.fixedVersion !== null)) {
    notes.push(
      'A fix is already available for some covered findings, so "until fix-available" does not defer those.',
    );
  }
  const input: DeferralInput = { ...d, createdAt: now.toISOString(), createdBy: currentActor(inputs.env) };
  const problems = validateDeferral(input, { now, timeZone: policy.timeZone, policy, action });
  if (problems.length) {
    throw new UserError(
      'deferral-invalid',
      `The deferral cannot be recorded: ${problems.join(' ')}`,
      'See: patchwise defer add --help',
    );
  }
  const store = await inputs.openStore();
  const deferral = await new DeferralStore(store.db).add(input, currentActor(inputs.env));
  return { deferral, action, covers: matches.length, notes };
}

/** A deferral with its state now, and the findings it covers. */
export interface DeferralView extends Deferral {
  status: DeferralStatus;
  covers: number;
}

/**
 * Every deferral with its state at `now`: active, expiring, or ended (and why). The state comes from the
 * covered findings when they can be computed (policy cap of their action, "fix available"); otherwise
 * from the dates alone.
 */
export async function listDeferrals(
  inputs: DecideInputs,
  now = new Date(),
  record = true,
): Promise<DeferralView[]> {
  const inventory = await loadInventory(inputs);
  const policy: Policy = inventory.config.config.policy ?? defaultPolicy();
  const store = await inputs.openStore();
  const all = await new DeferralStore(store.db).list();
  const { covered } = await coveredDecisions(inputs, all, inventory, now, record);
  return all.map((d, i) => {
    const matches = covered[i]!;
    const action = mostUrgent(matches.map((m) => m.action));
    const status = evaluateDeferral(d, {
      now,
      timeZone: policy.timeZone,
      policy,
      ...(action ? { action } : {}),
      facts: { fixAvailable: matches.length > 0 && matches.every((m) => m.fixedVersion !== null) },
    });
    return { ...d, status, covers: matches.length };
  });
}

/** Ends a deferral by hand, with an audit entry. @throws UserError for an unknown or already ended id. */
export async function endDeferral(
  inputs: DecideInputs & { env: NodeJS.ProcessEnv },
  id: string,
  reason: string,
  now = new Date(),
): Promise<void> {
  if (!reason.trim()) throw new UserError('deferral-reason', 'Say why the deferral ends (--reason).');
  const store = new DeferralStore((await inputs.openStore()).db);
  const existing = await store.get(id);
  if (!existing)
    throw new UserError('deferral-unknown', `No deferral ${id}.`, 'See: patchwise defer list --all');
  if (existing.endedAt)
    throw new UserError(
      'deferral-ended',
      `Deferral ${existing.id} was already ended on ${existing.endedAt}.`,
    );
  await store.end(id, reason, currentActor(inputs.env), now.toISOString());
}
