import { ACTION_ROLLBACK, ROLLBACK_REQUIREMENTS, type RollbackRequirement } from './actions.js';
import type { ActionChoice } from './choose-action.js';
import { COMPENSATING_CONTROLS, type CompensatingControl } from './compensating-controls.js';
import type { HostFacts, RiskFacts } from './facts.js';

/** Which restore points a host has; absent means unknown (no sentence about it). */
export interface RestorePoints {
  snapshot: boolean;
  backup: boolean;
}

/** A gap between what rollback needs and the restore points the host has. */
export type RestoreGap = 'no-restore-point' | 'no-snapshot';

/**
 * What must be in place before patching (or instead of it), and any gap in the host's restore points.
 * The arrays are shared between decisions with the same requirements: read them, never change them.
 */
export interface RollbackPlan {
  rollback: RollbackRequirement[];
  controls: CompensatingControl[];
  gap?: RestoreGap;
}

const ISOLATE: CompensatingControl[] = ['service-isolation', 'shut-down', 'firewall-restriction'];
const CONTROLS: CompensatingControl[] = COMPENSATING_CONTROLS.filter((x) => x !== 'shut-down');
const NONE: never[] = [];
const COMPENSATE_PLAN: RollbackPlan = { rollback: NONE, controls: CONTROLS };
const ISOLATE_PLAN: RollbackPlan = { rollback: NONE, controls: ISOLATE };

/** Requirement sets as bit masks over {@link ROLLBACK_REQUIREMENTS} (its order is the output order). */
const bit = (x: RollbackRequirement): number => 1 << ROLLBACK_REQUIREMENTS.indexOf(x);
const B = Object.fromEntries(ROLLBACK_REQUIREMENTS.map((x) => [x, bit(x)])) as Record<
  RollbackRequirement,
  number
>;
const ACTION_MASK = Object.fromEntries(
  Object.entries(ACTION_ROLLBACK).map(([a, xs]) => [a, xs.reduce((m, x) => m | B[x], 0)]),
) as Record<keyof typeof ACTION_ROLLBACK, number>;

/** One array per requirement set, shared by every decision that needs that set. */
const listsByMask = new Map<number, RollbackRequirement[]>();
function listOf(mask: number): RollbackRequirement[] {
  let list = listsByMask.get(mask);
  if (!list) listsByMask.set(mask, (list = ROLLBACK_REQUIREMENTS.filter((x) => (mask & B[x]) !== 0)));
  return list;
}
/** One plan object per requirement set and gap. */
const plans = new Map<number, RollbackPlan>();
function planOf(mask: number, gap?: RestoreGap): RollbackPlan {
  const key = mask * 4 + (gap === undefined ? 0 : gap === 'no-restore-point' ? 1 : 2);
  let plan = plans.get(key);
  if (!plan) {
    plan = { rollback: listOf(mask), controls: NONE };
    if (gap) plan.gap = gap;
    plans.set(key, plan);
  }
  return plan;
}

/**
 * The rollback requirement of the article's table for the chosen action, adjusted for the tier's emergency
 * behaviour, reboots, system components (kernel, libc, network stack, database need a restore point before
 * they change), compatibility risk and the host's actual restore points.
 */
export function rollbackFor(
  c: ActionChoice,
  h: HostFacts,
  r: RiskFacts,
  restorePoints?: RestorePoints,
): RollbackPlan {
  if (c.action === 'compensate')
    return c.rules.includes('unmaintained-isolate') ? ISOLATE_PLAN : COMPENSATE_PLAN;
  let m = ACTION_MASK[c.action === 'staged' ? c.base : c.action];
  if (c.action === 'staged' || c.rules.includes('compatibility-in-emergency'))
    m |= B['rollback-plan-approved'];
  if (c.action === 'emergency' && h.tierPolicy.emergency === 'rebuild') m = B['rebuild-from-image'];
  if (r.impact.needsReboot) m |= B['reboot-plan'];
  // Tier 1 windows take a pre-patch snapshot; risky system changes need a restore point before they begin.
  const risky = r.impact.classes.length > 0 && c.action !== 'weekly';
  if ((risky || h.tier === 1) && m & B['snapshot-or-backup'])
    m = (m & ~B['snapshot-or-backup']) | B['snapshot-first'];
  if (risky) m |= B['health-checks'];
  if (r.impact.classes.includes('database') && c.action !== 'weekly') m |= B['backup-verified'];
  if (h.tierPolicy.rhythm === 'review' && c.action !== 'emergency') m |= B['review-before-patching'];
  return restoreGap(m, restorePoints);
}

/** Adjusts for the host's restore points: a host that cannot snapshot must verify a backup instead. */
function restoreGap(m: number, rp?: RestorePoints): RollbackPlan {
  if (!rp || m & B['rebuild-from-image']) return planOf(m);
  const wantsSnapshot = (m & (B['snapshot-first'] | B['snapshot-or-backup'])) !== 0;
  if (!rp.snapshot && !rp.backup && (wantsSnapshot || m & B['backup-verified']))
    return planOf(m, 'no-restore-point');
  if (!rp.snapshot && m & B['snapshot-first']) return planOf(m | B['backup-verified'], 'no-snapshot');
  return planOf(m);
}

/** The sentence about a gap in the host's restore points. */
export function restoreGapReason(gap: RestoreGap, host: string): string {
  return gap === 'no-restore-point'
    ? `Host ${host} has no snapshot or backup to restore from: rollback means rebuilding it; set up a restore point before patching.`
    : `Host ${host} cannot take a snapshot: verify its backup before patching instead.`;
}
