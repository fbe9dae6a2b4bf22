import { UserError } from '../core/errors.js';
import type { HostRollup } from '../core/policy/rollup-host.js';
import { combinedImpact, expectedImpact, type ExpectedImpact } from '../core/windows/expected-impact.js';
import type { WindowOccurrence } from '../core/windows/occurrences.js';
import { byRollupUrgency } from './decide.js';
import { FleetRun } from './fleet-pipeline.js';
import type { InventoryInputs } from './inventory.js';
import { occurrenceView, type OccurrenceView } from './windows.js';

/** Why something due is not done in the window's occurrence. */
export const MISFIT_REASONS = ['due-before-window', 'deferred', 'frozen'] as const;
export type MisfitReason = (typeof MISFIT_REASONS)[number];

/** A package change on a host in the window's plan. */
export interface WindowPlanPackage {
  package: string;
  from: string;
  to: string;
  action: string;
  dueAt: string;
  /** Fixed in this occurrence; else why not. */
  fits: boolean;
}

/** One host in the window's scope, as the occurrence would patch it. */
export interface WindowPlanHost {
  type: 'host';
  host: string;
  tier?: number;
  action: string | null;
  dueAt: string | null;
  dueLocal: string | null;
  packages: WindowPlanPackage[];
  impact: ExpectedImpact[];
  rebootPackages: string[];
  restartServices: string[];
  deferred: number;
}

/** Something due on a host in scope that the occurrence does not take, and why. */
export interface WindowMisfit {
  type: 'does-not-fit';
  host: string;
  reason: MisfitReason;
  /** The package (absent for deferred findings, counted instead). */
  package?: string;
  dueAt?: string;
  /** Deferred findings on the host. */
  findings?: number;
  /** The freeze that cancels the occurrence. */
  freeze?: string;
}

/** The plan of a window's next occurrence. */
export interface WindowPlan {
  now: string;
  timeZone: string;
  window: string;
  occurrence: OccurrenceView;
  /** When the occurrence is frozen: the next one no freeze cancels. */
  nextOpen?: OccurrenceView;
  owner?: string;
  rollback?: string;
  /** The impact the window states (`auto`: computed, see `impactExpected`). */
  impact?: string;
  impactExpected: ExpectedImpact[];
  cutoff?: string;
  notes: string[];
  hosts: WindowPlanHost[];
  doesNotFit: WindowMisfit[];
}

/** What `plan --window` asks for. */
export interface WindowPlanOptions {
  window: string;
  now?: Date;
  record?: boolean;
}

/**
 * The plan of a window's next occurrence: the scanned hosts its scope covers (lower tiers first, then most
 * urgent), what changes on each and its expected impact, the window's rollback path, and what is due but
 * not done in it (due before it opens, deferred, or the occurrence frozen).
 * @throws UserError when there is no such window, its scope covers no host, or it has no occurrence.
 */
export async function planWindow(inputs: InventoryInputs, o: WindowPlanOptions): Promise<WindowPlan> {
  const run = await FleetRun.open(inputs, {
    window: o.window,
    ...(o.now ? { now: o.now } : {}),
    ...(o.record === false ? { record: false } : {}),
  });
  const w = run.windows.byName(o.window)!;
  const occ = w.next;
  if (!occ)
    throw new UserError(
      'window-no-occurrence',
      `The window "${o.window}" has no occurrence after ${run.now.toISOString()}.`,
      `Check its schedule: patchwise windows next --window ${o.window}`,
    );
  const rollups: HostRollup[] = [];
  for await (const h of run.hosts()) rollups.push(h.decided!.rollup);
  rollups.sort((a, b) => (a.tier ?? 1) - (b.tier ?? 1) || byRollupUrgency(a, b));
  const doesNotFit: WindowMisfit[] = [];
  const hosts = rollups.map((r) => planHost(r, occ, doesNotFit));
  const cfg = w.window;
  const plan: WindowPlan = {
    now: run.now.toISOString(),
    timeZone: run.timeZone,
    window: cfg.name,
    occurrence: occurrenceView(occ),
    impactExpected: combinedImpact(hosts.map((h) => h.impact)),
    notes: run.notes,
    hosts,
    doesNotFit,
  };
  if (occ.frozen && w.nextOpen) plan.nextOpen = occurrenceView(w.nextOpen);
  if (cfg.owner) plan.owner = cfg.owner;
  if (cfg.rollback) plan.rollback = cfg.rollback;
  if (cfg.impact) plan.impact = cfg.impact;
  if (cfg.cutoff) plan.cutoff = cfg.cutoff;
  return plan;
}

function planHost(r: HostRollup, occ: WindowOccurrence, misfits: WindowMisfit[]): WindowPlanHost {
  const packages = r.packages.map((p): WindowPlanPackage => {
    const tooLate = new Date(p.dueAt).getTime() < occ.start.epochMilliseconds;
    const fits = !occ.frozen && !tooLate;
    if (!fits)
      misfits.push({
        type: 'does-not-fit',
        host: r.host,
        reason: occ.frozen ? 'frozen' : 'due-before-window',
        package: p.package,
        dueAt: p.dueAt,
        ...(occ.frozen ? { freeze: occ.frozen } : {}),
      });
    return { package: p.package, from: p.from, to: p.to, action: p.action, dueAt: p.dueAt, fits };
  });
  if (r.deferred > 0)
    misfits.push({ type: 'does-not-fit', host: r.host, reason: 'deferred', findings: r.deferred });
  return {
    type: 'host',
    host: r.host,
    ...(r.tier ? { tier: r.tier } : {}),
    action: r.action,
    dueAt: r.dueAt,
    dueLocal: r.dueLocal,
    packages,
    impact: expectedImpact(r),
    rebootPackages: r.rebootPackages,
    restartServices: r.restartServices,
    deferred: r.deferred,
  };
}
