import { moreUrgent, type Action } from './actions.js';
import type { HostFacts, RiskFacts } from './facts.js';
import type { Policy } from './policy-schema.js';

/** The rules of the decision framework; each one that fires adds a candidate action. */
export const RULES = [
  'exploited-exposed',
  'kev-elsewhere',
  'epss-elsewhere',
  'critical-production',
  'os-update-production',
  'exposed-tier-2',
  'routine-production',
  'routine-nonproduction',
  'routine-slow-tier',
  'no-fix-high-risk',
  'no-fix-low-risk',
  'unmaintained-isolate',
  'compatibility-staged',
  'compatibility-in-emergency',
] as const;
export type Rule = (typeof RULES)[number];

/** Emergency triggers (the article's policy table) that a finding meets. */
export const TRIGGERS = ['kev', 'epss', 'critical-advisory'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** The action chosen and the rules that led to it. */
export interface ActionChoice {
  action: Action;
  /** The action before the overrides (no fix, unmaintained, compatibility). */
  base: Action;
  rules: Rule[];
  triggers: Trigger[];
  /** The emergency triggers count on this host's exposure. */
  exposed: boolean;
  awaitingFix: boolean;
}

/** Which emergency triggers a finding meets under the policy (a shared array per combination). */
export function triggersOf(r: RiskFacts, policy: Policy): Trigger[] {
  let mask = 0;
  if (r.kev && policy.emergency.kev) mask |= 1;
  if (r.epssOver && policy.emergency.epss) mask |= 2;
  if (r.criticalAdvisory && policy.emergency.criticalAdvisory) mask |= 4;
  return TRIGGER_SETS[mask]!;
}
const TRIGGER_SETS: Trigger[][] = Array.from({ length: 8 }, (_, m) =>
  TRIGGERS.filter((_t, i) => m & (1 << i)),
);

/** Whether a rule fires, from the host, the finding, its emergency triggers and the host's exposure. */
type Fires = (h: HostFacts, r: RiskFacts, triggers: readonly Trigger[], exposed: boolean) => boolean;

const slow = (h: HostFacts) => h.tierPolicy.rhythm === 'monthly' || h.tierPolicy.rhythm === 'review';

/** The base rules in order: when each fires and the action it proposes. */
const BASE_RULES: readonly (readonly [Rule, Action, Fires])[] = [
  ['exploited-exposed', 'emergency', (_h, _r, triggers, exposed) => triggers.length > 0 && exposed],
  ['kev-elsewhere', 'urgent-window', (_h, r) => Boolean(r.kev)],
  ['epss-elsewhere', 'urgent-window', (_h, r) => r.epssOver],
  ['critical-production', 'urgent-window', (h, r) => h.production && r.severity === 'critical'],
  [
    'os-update-production',
    'urgent-window',
    (h, r) => h.production && r.severity !== 'other' && r.impact.classes.length > 0,
  ],
  [
    'exposed-tier-2',
    'urgent-window',
    (h, r) =>
      h.tierPolicy.emergency === 'patch-if-exposed' && h.exposure === 'internet' && r.severity !== 'other',
  ],
  ['routine-production', 'regular-window', (h) => h.production],
  ['routine-slow-tier', 'regular-window', (h) => !h.production && slow(h)],
  ['routine-nonproduction', 'weekly', (h) => !h.production && !slow(h)],
];

/** The base action: the most urgent of every rule that fires (so adding a risk never lowers it). */
function baseAction(
  h: HostFacts,
  r: RiskFacts,
  triggers: readonly Trigger[],
  exposed: boolean,
): { action: Action; rules: Rule[] } {
  let action: Action | undefined;
  for (const [, a, fires] of BASE_RULES)
    if (fires(h, r, triggers, exposed)) action = action === undefined ? a : moreUrgent(action, a);
  // Keep only the rules that produced the chosen action (plus routine when nothing else fired).
  const rules: Rule[] = [];
  for (const [rule, a, fires] of BASE_RULES)
    if (a === action && fires(h, r, triggers, exposed)) rules.push(rule);
  return { action: action!, rules };
}

/**
 * Chooses one of the six actions for a finding on a host: the base action from exploitation, exposure,
 * severity and environment, then the overrides: no fix (compensate when the risk is high), a tier-4 host
 * without owner (isolate instead of patching), and known compatibility risk (staged, except in an emergency).
 */
export function chooseAction(h: HostFacts, r: RiskFacts, policy: Policy): ActionChoice {
  const triggers = triggersOf(r, policy);
  const exposed = policy.emergency.exposures.includes(h.exposure);
  const base = baseAction(h, r, triggers, exposed);
  const highRisk = triggers.length > 0 || r.kev !== undefined || r.epssOver || r.severity !== 'other';
  const urgent = base.action === 'emergency' || base.action === 'urgent-window';
  const override = overrideOf(h, r, base.action, highRisk, urgent);
  const action = override?.action ?? base.action;
  if (override) base.rules.push(override.rule);
  return {
    action,
    base: base.action,
    rules: base.rules,
    triggers,
    exposed,
    awaitingFix: override?.rule === 'no-fix-low-risk',
  };
}

/**
 * The few finding facts {@link chooseAction} reads (KEV, EPSS over the threshold, critical advisory,
 * fix, OS-level impact, compatibility, severity) as a number below 256: for one host and
 * policy, findings with the same key get the same choice, so a fleet computes it once per key and host.
 */
export function choiceKey(r: RiskFacts): number {
  return (
    (r.kev ? 1 : 0) |
    (r.epssOver ? 2 : 0) |
    (r.criticalAdvisory ? 4 : 0) |
    (r.fixAvailable ? 8 : 0) |
    (r.impact.classes.length > 0 ? 16 : 0) |
    (r.compatibility ? 32 : 0) |
    (r.severity === 'critical' ? 64 : r.severity === 'high' ? 128 : 0)
  );
}

/** The overrides, in order: no fix, unmaintained tier 4, compatibility risk. */
function overrideOf(
  h: HostFacts,
  r: RiskFacts,
  base: Action,
  highRisk: boolean,
  urgent: boolean,
): { action: Action; rule: Rule } | undefined {
  if (!r.fixAvailable)
    return highRisk ? OVERRIDES['no-fix-high-risk'] : { action: base, rule: 'no-fix-low-risk' };
  if (h.tierPolicy.emergency === 'isolate-if-unmaintained' && !h.owner && urgent)
    return OVERRIDES['unmaintained-isolate'];
  if (r.compatibility)
    return base === 'emergency' ? OVERRIDES['compatibility-in-emergency'] : OVERRIDES['compatibility-staged'];
  return undefined;
}
const OVERRIDES = {
  'no-fix-high-risk': { action: 'compensate', rule: 'no-fix-high-risk' },
  'unmaintained-isolate': { action: 'compensate', rule: 'unmaintained-isolate' },
  'compatibility-in-emergency': { action: 'emergency', rule: 'compatibility-in-emergency' },
  'compatibility-staged': { action: 'staged', rule: 'compatibility-staged' },
} as const;
