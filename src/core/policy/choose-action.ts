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

/** Which emergency triggers a finding meets under the policy. */
export function triggersOf(r: RiskFacts, policy: Policy): Trigger[] {
  const t: Trigger[] = [];
  if (r.kev && policy.emergency.kev) t.push('kev');
  if (r.epssOver && policy.emergency.epss) t.push('epss');
  if (r.criticalAdvisory && policy.emergency.criticalAdvisory) t.push('critical-advisory');
  return t;
}

/** The base action: the most urgent of every rule that fires (so adding a risk never lowers it). */
function baseAction(h: HostFacts, r: RiskFacts, triggers: Trigger[], exposed: boolean) {
  const fired: [Rule, Action][] = [];
  if (triggers.length > 0 && exposed) fired.push(['exploited-exposed', 'emergency']);
  if (r.kev) fired.push(['kev-elsewhere', 'urgent-window']);
  if (r.epssOver) fired.push(['epss-elsewhere', 'urgent-window']);
  if (h.production && r.severity === 'critical') fired.push(['critical-production', 'urgent-window']);
  if (h.production && r.severity !== 'other' && r.impact.classes.length > 0)
    fired.push(['os-update-production', 'urgent-window']);
  if (h.tierPolicy.emergency === 'patch-if-exposed' && h.exposure === 'internet' && r.severity !== 'other')
    fired.push(['exposed-tier-2', 'urgent-window']);
  const slow = h.tierPolicy.rhythm === 'monthly' || h.tierPolicy.rhythm === 'review';
  if (h.production) fired.push(['routine-production', 'regular-window']);
  else fired.push(slow ? ['routine-slow-tier', 'regular-window'] : ['routine-nonproduction', 'weekly']);
  const action = fired.map((f) => f[1]).reduce(moreUrgent);
  // Keep only the rules that produced the chosen action (plus routine when nothing else fired).
  return { action, rules: fired.filter((f) => f[1] === action).map((f) => f[0]) };
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
  const out = (action: Action, rules: Rule[], awaitingFix = false): ActionChoice => ({
    action,
    base: base.action,
    rules,
    triggers,
    exposed,
    awaitingFix,
  });
  const highRisk = triggers.length > 0 || r.kev !== undefined || r.epssOver || r.severity !== 'other';
  if (!r.fixAvailable) {
    return highRisk
      ? out('compensate', [...base.rules, 'no-fix-high-risk'])
      : out(base.action, [...base.rules, 'no-fix-low-risk'], true);
  }
  const urgent = base.action === 'emergency' || base.action === 'urgent-window';
  if (h.tierPolicy.emergency === 'isolate-if-unmaintained' && !h.owner && urgent) {
    return out('compensate', [...base.rules, 'unmaintained-isolate']);
  }
  if (r.compatibility) {
    return base.action === 'emergency'
      ? out('emergency', [...base.rules, 'compatibility-in-emergency'])
      : out('staged', [...base.rules, 'compatibility-staged']);
  }
  return out(base.action, base.rules);
}
