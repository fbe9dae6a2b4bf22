import os from 'node:os';
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
import { loadFleetDecisions, type DecideInputs, type FleetDecisions } from './decide.js';
import { loadInventory } from './inventory.js';

/** Who is acting: `$PATCHWISE_ACTOR`, else the login name. */
export function currentActor(env: NodeJS.ProcessEnv): string {
  if (env.PATCHWISE_ACTOR) return env.PATCHWISE_ACTOR;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Decisions when findings can be computed; undefined when nothing is scanned or no advisories exist. */
async function tryDecisions(inputs: DecideInputs, now: Date): Promise<FleetDecisions | undefined> {
  try {
    return await loadFleetDecisions(inputs, { now });
  } catch (e) {
    if (e instanceof UserError && /scanned|advisories/.test(e.code)) return undefined;
    throw e;
  }
}

/** The decisions a deferral covers now (hosts by name or selector, findings by id or package). */
function covered(d: Deferral | DeferralInput, hosts: readonly Host[], fleet?: FleetDecisions): Decision[] {
  if (!fleet) return [];
  const probe = { id: '', ...d };
  const names = new Set([
    ...d.hosts,
    ...hosts.filter((h) => deferralCoversHost(probe, h)).map((h) => h.name),
  ]);
  return fleet.decisions.filter((x) => names.has(x.host) && deferralCoversFinding(probe, asFinding(x)));
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
): Promise<AddDeferralResult> {
  const inventory = await loadInventory(inputs);
  const policy = inventory.config.config.policy ?? defaultPolicy();
  const fleet = await tryDecisions(inputs, now);
  const known = new Set([...inventory.hosts.map((h) => h.name), ...(fleet?.hosts.map((h) => h.host) ?? [])]);
  const unknown = d.hosts.filter((h) => !known.has(h));
  if (unknown.length) {
    throw new UserError(
      'host-unknown',
      `No host named ${unknown.join(', ')} in the inventory or the scans.`,
      'See: patchwise hosts list',
    );
  }
  const matches = covered({ ...d, createdAt: '' }, inventory.hosts, fleet);
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
export async function listDeferrals(inputs: DecideInputs, now = new Date()): Promise<DeferralView[]> {
  const inventory = await loadInventory(inputs);
  const policy: Policy = inventory.config.config.policy ?? defaultPolicy();
  const fleet = await tryDecisions(inputs, now);
  const store = await inputs.openStore();
  const all = await new DeferralStore(store.db).list();
  return all.map((d) => {
    const matches = covered(d, inventory.hosts, fleet);
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
