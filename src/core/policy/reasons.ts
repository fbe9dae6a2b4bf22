import type { Finding } from '../findings/finding.js';
import { ACTIONS, type Action } from './actions.js';
import { RULES, TRIGGERS, type ActionChoice, type Rule } from './choose-action.js';
import type { DeferralStatus, EndReason } from './deferral.js';
import { severityOf, type HostFacts, type RiskFacts } from './facts.js';
import type { Policy } from './policy-schema.js';

/** Sentences about the finding: exploitation, likelihood, severity, fix, and what the package touches. */
export function findingReasons(f: Finding, r: RiskFacts, policy: Policy): string[] {
  const out: string[] = [];
  if (r.kev) {
    const ransom = r.kev.knownRansomwareCampaignUse === 'Known' ? ', with known ransomware use' : '';
    out.push(`${r.kev.cve} is in CISA KEV since ${r.kev.dateAdded}${ransom}.`);
  }
  if (r.epss) {
    const t = policy.emergency.epssThreshold;
    const pct = Math.round(r.epss.percentile * 100);
    out.push(
      `EPSS for ${r.epss.cve} is ${r.epss.score} (${pct}th percentile), ${r.epssOver ? 'at or above' : 'below'} the ${t} threshold.`,
    );
  }
  const severityBasis = severityOf(f, policy).basis;
  if (severityBasis) out.push(`${r.id}: ${severityBasis}.`);
  if (r.criticalAdvisory) out.push(`The vendor advisory for ${r.id} is rated critical.`);
  out.push(
    f.fixedVersion === null
      ? `No fix is available yet for ${f.package} (installed ${f.installedVersion}).`
      : `${f.package} is fixed in ${f.fixedVersion} (installed ${f.installedVersion}).`,
  );
  if (r.impact.classes.length > 0 || r.impact.needsReboot) {
    const what = r.impact.classes.length ? ` touches the ${r.impact.classes.join(', ')}` : '';
    const reboot = r.impact.needsReboot ? `${what ? ' and' : ''} needs a reboot to take effect` : '';
    out.push(`${f.package}${what}${reboot}.`);
  }
  if (r.compatibility)
    out.push(`Known compatibility risk for ${r.compatibility.package}: ${r.compatibility.reason}.`);
  return out;
}

const EXPOSURE_WORDS = { internet: 'internet-facing', internal: 'internal', isolated: 'isolated' } as const;

/** Sentences about the host, naming every assumption made for missing classification. */
export function hostReasons(h: HostFacts): string[] {
  const env = h.environment ? `${h.environment}` : h.production ? 'production' : 'non-production';
  const out = [`Host ${h.name} is ${EXPOSURE_WORDS[h.exposure]} tier ${h.tier} ${env}.`];
  if (h.tierAssumed) out.push(`Host ${h.name} has no tier: treated as tier 1 until it is classified.`);
  if (h.exposureAssumed)
    out.push(`Host ${h.name} has no exposure recorded: treated as internet-facing until it is classified.`);
  if (!h.environment) out.push(`Host ${h.name} names no environment: tier ${h.tier} counts as ${env}.`);
  if (!h.owner) out.push(`Host ${h.name} has no owner: nobody is answerable for patching it.`);
  return out;
}

const TRIGGER_WORDS = {
  kev: 'known exploitation (CISA KEV)',
  epss: 'likely exploitation (EPSS)',
  'critical-advisory': 'a critical vendor advisory',
} as const;

const RULE_WORDS: Record<Rule, (h: HostFacts, c: ActionChoice) => string> = {
  'exploited-exposed': (h, c) =>
    `${cap(c.triggers.map((t) => TRIGGER_WORDS[t]).join(' and '))} on an ${EXPOSURE_WORDS[h.exposure]} host calls for emergency remediation.`,
  'kev-elsewhere': (h) =>
    `It is known-exploited but the host is ${EXPOSURE_WORDS[h.exposure]}, so it goes to an urgent window rather than an emergency.`,
  'epss-elsewhere': (h) =>
    `Exploitation is likely but the host is ${EXPOSURE_WORDS[h.exposure]}, so it goes to an urgent window.`,
  'critical-production': () => 'A critical update on a production VM goes to an urgent maintenance window.',
  'os-update-production': () =>
    'An important OS, kernel, library, network or database update on a production VM goes to an urgent maintenance window.',
  'exposed-tier-2': () => 'Tier 2 patches quickly when exposed: an urgent window.',
  'routine-production': () =>
    'A routine security update on a production VM goes to the regular maintenance window.',
  'routine-nonproduction': () => 'An update on a non-production VM goes to weekly maintenance.',
  'routine-slow-tier': (h) =>
    `Tier ${h.tier} patches on a ${h.tierPolicy.rhythm} rhythm: the update goes to the regular window.`,
  'no-fix-high-risk': () =>
    'No patch exists but the risk is high: apply compensating controls until a fix is available.',
  'no-fix-low-risk': () => 'No patch exists and the risk is not high: check again at the next window.',
  'unmaintained-isolate': () =>
    'Tier 4 without an owner is unmaintained: isolate or shut it down rather than patch it.',
  'compatibility-staged': () => 'Known compatibility risk: test first, then patch in staged order.',
  'compatibility-in-emergency': () =>
    'Known compatibility risk does not delay an emergency: test on one host first within the deadline, with a rollback plan approved.',
};

const TIER_WORDS: Record<string, (h: HostFacts) => string> = {
  'owner-present': (h) =>
    h.owner
      ? `Tier ${h.tier} emergency: patch with the owner (${h.owner}) present.`
      : `Tier ${h.tier} emergency needs its owner present, and host ${h.name} has no owner: assign one now.`,
  'patch-if-exposed': (h) => `Tier ${h.tier} emergency behaviour: patch quickly because the host is exposed.`,
  rebuild: (h) => `Tier ${h.tier} emergency behaviour: rebuild from the image rather than preserve the VM.`,
  'isolate-if-unmaintained': (h) =>
    h.owner
      ? `Tier ${h.tier} emergency behaviour: review before patching; isolate it if nobody maintains it.`
      : `Tier ${h.tier} emergency behaviour: shut down or isolate it, since nobody maintains it.`,
};

/** Sentences on why this action: the rules that fired, and the tier's emergency behaviour. */
export function actionReasons(h: HostFacts, c: ActionChoice): string[] {
  // The same few sentences recur across a fleet: build each once per host and choice.
  // Keyed by the host's facts object (one per host and policy) and a bit mask of rules and triggers.
  let perHost = actionCache.get(h);
  if (!perHost) actionCache.set(h, (perHost = new Map()));
  const key = choiceMask(c);
  let out = perHost.get(key);
  if (!out) {
    out = c.rules.map((rule) => RULE_WORDS[rule](h, c));
    if (c.action === 'emergency' || c.rules.includes('unmaintained-isolate'))
      out.push(TIER_WORDS[h.tierPolicy.emergency]!(h));
    perHost.set(key, out);
  }
  return out;
}
const actionCache = new WeakMap<HostFacts, Map<number, string[]>>();
const RULE_BIT = new Map(RULES.map((r, i) => [r, 1 << i]));
const TRIGGER_BIT = new Map(TRIGGERS.map((t, i) => [t, 1 << (RULES.length + i)]));
const ACTION_SHIFT = RULES.length + TRIGGERS.length;

function choiceMask(c: ActionChoice): number {
  let m = ACTIONS.indexOf(c.action) * 2 ** ACTION_SHIFT;
  for (const r of c.rules) m |= RULE_BIT.get(r)!;
  for (const t of c.triggers) m |= TRIGGER_BIT.get(t)!;
  return m;
}

/** The closing sentence: action and due date, with where the rule that set it comes from. */
export function dueReason(action: Action, dueLocal: string, basis: string, overdue: boolean): string {
  return `${action}: ${overdue ? 'overdue since' : 'due'} ${dueLocal} (${basis}).`;
}

/** The sentence for a finding due before the next window covering its host opens. */
export function noWindowReason(nextWindowLocal: string, proposal: 'emergency-run' | 'extra-window'): string {
  const what =
    proposal === 'emergency-run'
      ? 'run it as an emergency, outside the windows'
      : 'schedule an extra window before the due date, or run it as an emergency';
  return `No window before the due date: the next window covering the host opens ${nextWindowLocal}; ${what}.`;
}

const END_WORDS: Record<EndReason, string> = {
  'review-date-passed': 'its review date passed',
  'end-date-reached': 'its end date came',
  'policy-cap-reached': 'it reached the longest deferral the policy allows for this action',
  'fix-available': 'a fix is available',
  'staging-passed': 'staging passed',
  'window-passed': 'its window passed',
  'ended-by-hand': 'it was ended by hand',
};

/** The sentence about a deferral that applies to the finding. */
export function deferralReason(id: string, s: DeferralStatus, endsLocal?: string): string {
  if (s.state === 'ended')
    return `Deferral ${id} ended${endsLocal ? ` ${endsLocal}` : ''} because ${END_WORDS[s.endedBecause ?? 'ended-by-hand']}: the finding is due again.`;
  const until = endsLocal ? ` until ${endsLocal}` : ' until its end condition is met';
  return `Deferred by ${id}${until}${s.state === 'expiring' ? ' (expiring soon)' : ''}; the finding stays in every report.`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
