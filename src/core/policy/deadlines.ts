import type { ActionChoice } from './choose-action.js';
import type { HostFacts, RiskFacts } from './facts.js';
import type { Policy } from './policy-schema.js';
import { days, hours, localDate, parseInstant } from './time.js';

/** The deadline rules of the policy; a finding's due date is the earliest that applies. */
export const DEADLINE_RULES = [
  'emergency',
  'kev-due-date',
  'kev',
  'exploit-likely',
  'critical',
  'high',
  'urgent-window',
  'next-window',
] as const;
export type DeadlineRule = (typeof DEADLINE_RULES)[number];

/** One applicable deadline: when, and by which rule ({@link dueBasis} says where it comes from). */
export interface DueCandidate {
  at: number;
  rule: DeadlineRule;
}

/** When deadlines start counting and when the host's next regular window is, if windows are known. */
export interface DeadlineClock {
  /** Epoch ms deadlines count from: when the finding was first seen, else now. */
  anchor: number;
  /** Epoch ms of the host's next regular window, from the windows configuration; absent until it exists. */
  nextWindowAt?: number;
  timeZone: string;
}

/**
 * Every deadline that applies to a finding under the policy. Deadlines only ever add up as risk grows, and
 * the due date is their minimum, so more risk can never mean a later due date.
 */
export function dueCandidates(
  h: HostFacts,
  r: RiskFacts,
  choice: ActionChoice,
  policy: Policy,
  clock: DeadlineClock,
): DueCandidate[] {
  const out: DueCandidate[] = [];
  forEachDeadline(h, r, choice, policy, clock, { add: (rule, at) => out.push({ at, rule }) });
  return out;
}

/**
 * The earliest deadline that applies (ties go to the first listed, the more specific rule): the same as
 * `earliestDue(dueCandidates(…))` without building the list, since it runs for every finding of a fleet.
 */
export function dueDate(
  h: HostFacts,
  r: RiskFacts,
  choice: ActionChoice,
  policy: Policy,
  clock: DeadlineClock,
): DueCandidate {
  earliest.at = Infinity;
  forEachDeadline(h, r, choice, policy, clock, earliest);
  return { at: earliest.at, rule: earliest.rule };
}

interface DeadlineSink {
  add(rule: DeadlineRule, at: number): void;
}

/** Keeps the earliest deadline offered; reset by {@link dueDate} (deciding is synchronous). */
const earliest = {
  at: Infinity,
  rule: 'next-window' as DeadlineRule,
  add(rule: DeadlineRule, at: number) {
    if (at < this.at) {
      this.at = at;
      this.rule = rule;
    }
  },
};

/** Offers every deadline that applies, in the order of {@link DEADLINE_RULES}. */
function forEachDeadline(
  h: HostFacts,
  r: RiskFacts,
  choice: ActionChoice,
  policy: Policy,
  clock: DeadlineClock,
  sink: DeadlineSink,
): void {
  const d = policy.deadlines;
  const { anchor } = clock;
  if (choice.triggers.length > 0 && choice.exposed) sink.add('emergency', anchor + hours(d.emergencyHours));
  if (r.kev) {
    const kevDue = parseInstant(r.kev.dueDate, clock.timeZone);
    // A KEV due date already past when the finding was first seen cannot be met; the 14 days then apply.
    if (kevDue !== undefined && kevDue > anchor) sink.add('kev-due-date', kevDue);
    sink.add('kev', anchor + days(d.kevDays));
  }
  if (r.epssOver) sink.add('exploit-likely', anchor + days(d.criticalDays));
  if (r.severity === 'critical') sink.add('critical', anchor + days(d.criticalDays));
  if (r.severity === 'high') sink.add('high', anchor + days(d.highDays));
  if (choice.base === 'urgent-window') sink.add('urgent-window', anchor + days(d.urgentWindowDays));
  sink.add('next-window', clock.nextWindowAt ?? anchor + days(h.tierPolicy.windowDays));
}

/** Where a deadline rule comes from, in words (for the closing reason sentence). */
export function dueBasis(
  rule: DeadlineRule,
  h: HostFacts,
  r: RiskFacts,
  policy: Policy,
  clock: DeadlineClock,
): string {
  const d = policy.deadlines;
  switch (rule) {
    case 'emergency':
      return `${d.emergencyHours} hours for an emergency`;
    case 'kev-due-date':
      return `CISA's KEV due date ${r.kev?.dueDate}`;
    case 'kev':
      return `${d.kevDays} days for a known-exploited vulnerability`;
    case 'exploit-likely':
      return `${d.criticalDays} days because exploitation is likely (EPSS)`;
    case 'critical':
      return `${d.criticalDays} days for critical severity`;
    case 'high':
      return `${d.highDays} days for high severity`;
    case 'urgent-window':
      return `${d.urgentWindowDays} days for an urgent window`;
    case 'next-window':
      return nextWindowBasis(h, clock);
  }
}

function nextWindowBasis(h: HostFacts, clock: DeadlineClock): string {
  if (clock.nextWindowAt !== undefined)
    return `the next regular window on ${localDate(clock.nextWindowAt, clock.timeZone)}`;
  return `the next regular window: tier ${h.tier} rhythm is ${h.tierPolicy.rhythm}, taken as every ${h.tierPolicy.windowDays} days until maintenance windows are configured`;
}

/** The earliest candidate (ties go to the first listed, the more specific rule). */
export function earliestDue(candidates: readonly DueCandidate[]): DueCandidate {
  let best = candidates[0];
  if (!best) throw new Error('earliestDue needs at least one candidate');
  for (const c of candidates) if (c.at < best.at) best = c;
  return best;
}
