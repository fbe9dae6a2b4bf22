import type { Finding } from '../findings/finding.js';
import type { Host } from '../inventory/host.js';
import type { Action } from './actions.js';
import type { Policy } from './policy-schema.js';
import { days, parseInstant } from './time.js';

/**
 * An explicit deferral, with everything the article asks of one: reason, affected systems, compensating
 * control, owner, next review date, and the condition that ends it.
 */
export interface Deferral {
  id: string;
  /** CVE ids, vulnerability ids or package names it covers. */
  findings: string[];
  /** Host names it covers. */
  hosts: string[];
  /** Or a selector such as `tag:role=web`, `tier:2`, `exposure:internal` (terms joined by `,` must all hold). */
  selector?: string;
  reason: string;
  control: string;
  owner: string;
  approver?: string;
  /** Next review date: the deferral ends by itself then. Date (start of day, policy time zone) or ISO time. */
  review: string;
  /** End condition: a date or ISO time, `fix-available`, `staging-passed`, or `window:NAME`. */
  until: string;
  createdAt: string;
  createdBy?: string;
  /** Set when someone ended it by hand. */
  endedAt?: string;
  endedReason?: string;
}

/** A deferral's end condition, parsed. */
export type EndCondition =
  | { kind: 'date'; at: number }
  | { kind: 'fix-available' }
  | { kind: 'staging-passed' }
  | { kind: 'window'; name: string };

export const DEFERRAL_STATES = ['active', 'expiring', 'ended'] as const;
export type DeferralState = (typeof DEFERRAL_STATES)[number];

/** Why a deferral ended. */
export const END_REASONS = [
  'review-date-passed',
  'end-date-reached',
  'policy-cap-reached',
  'fix-available',
  'staging-passed',
  'window-passed',
  'ended-by-hand',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** A deferral's state at a given instant. */
export interface DeferralStatus {
  state: DeferralState;
  /** When it ends (or ended), ISO UTC; absent when it ends only on a condition nobody has observed yet. */
  endsAt?: string;
  endedBecause?: EndReason;
}

/** Facts about the world that can end a deferral; the caller knows them, the core does not look. */
export interface DeferralFacts {
  fixAvailable?: boolean;
  stagingPassed?: boolean;
  windowPassed?: (name: string) => boolean;
}

/** Parses an end condition; undefined when it is not one. */
export function parseEndCondition(s: string, timeZone: string): EndCondition | undefined {
  const v = s.trim();
  if (v === 'fix-available' || v === 'staging-passed') return { kind: v };
  const w = /^window:([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(v);
  if (w) return { kind: 'window', name: w[1]! };
  const at = parseInstant(v, timeZone);
  return at === undefined ? undefined : { kind: 'date', at };
}

/** A predicate over hosts for a selector, or a message saying what is wrong with it. */
export function parseSelector(selector: string): ((h: Host) => boolean) | string {
  const tests: ((h: Host) => boolean)[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    const m = /^(tag|tier|exposure|environment|owner|name):(.+)$/.exec(term);
    if (!m)
      return `"${term}" is not a selector term (tag:K=V, tier:N, exposure:X, environment:X, owner:X, name:GLOB)`;
    const [, kind, value] = m as unknown as [string, string, string];
    if (kind === 'tag') {
      const [k, val] = value.split('=', 2);
      if (!k || val === undefined) return `"${term}" needs tag:KEY=VALUE`;
      tests.push((h) => h.tags?.[k] === val);
    } else if (kind === 'tier') tests.push((h) => String(h.tier) === value);
    else if (kind === 'name') tests.push((h) => globToRegExp(value).test(h.name));
    else tests.push((h) => (h as Record<string, unknown>)[kind] === value);
  }
  return (h) => tests.every((t) => t(h));
}

/** A `*` glob as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    re = new RegExp(`^${glob.split('*').map(escapeRe).join('.*')}$`);
    remember(globCache, glob, re);
  }
  return re;
}

/**
 * Module-level memos stay small: a policy has a handful of globs and selectors, and a long-running
 * server sees new ones only as its configuration changes, so a memo past its bound starts over.
 */
const MEMO_LIMIT = 512;
function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}
const globCache = new Map<string, RegExp>();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const selectorCache = new Map<string, ReturnType<typeof parseSelector>>();

/** True when the deferral covers this host. */
export function deferralCoversHost(d: Deferral, host: Host): boolean {
  if (d.hosts.includes(host.name)) return true;
  if (!d.selector) return false;
  let p = selectorCache.get(d.selector);
  if (!p) remember(selectorCache, d.selector, (p = parseSelector(d.selector)));
  return typeof p !== 'string' && p(host);
}

/** True when the deferral covers this finding (by CVE, vulnerability id, alias or package). */
export function deferralCoversFinding(d: Deferral, f: Finding): boolean {
  return d.findings.some(
    (x) =>
      x === f.vulnId ||
      f.cves.includes(x) ||
      f.aliases.includes(x) ||
      x === f.package ||
      f.binaries.includes(x),
  );
}

/** The longest a deferral of this action class may run, in ms, with or without an approver. */
export function deferralCap(policy: Policy, action: Action, approved: boolean): number {
  const table = approved ? policy.deferral.approvedMaxDays : policy.deferral.maxDays;
  return days(table[action]);
}

/** What evaluating a deferral needs: the clock, the policy, and the action class of what it defers. */
export interface DeferralEvalContext {
  now: Date;
  timeZone: string;
  policy: Policy;
  /** The current action of the deferred finding; the policy caps how long that class may be deferred. */
  action?: Action;
  facts?: DeferralFacts;
}

/** The earliest fixed end of a deferral (review date, end date, policy cap) and why. */
export function deferralEnd(
  d: Deferral,
  ctx: Pick<DeferralEvalContext, 'timeZone' | 'policy' | 'action'>,
): { at: number; because: EndReason } | undefined {
  const ends: { at: number; because: EndReason }[] = [];
  const review = parseInstant(d.review, ctx.timeZone);
  if (review !== undefined) ends.push({ at: review, because: 'review-date-passed' });
  const until = parseEndCondition(d.until, ctx.timeZone);
  if (until?.kind === 'date') ends.push({ at: until.at, because: 'end-date-reached' });
  const created = parseInstant(d.createdAt, ctx.timeZone);
  if (ctx.action && created !== undefined) {
    const cap = deferralCap(ctx.policy, ctx.action, Boolean(d.approver));
    ends.push({ at: created + cap, because: 'policy-cap-reached' });
  }
  return ends.reduce<(typeof ends)[number] | undefined>((a, b) => (a && a.at <= b.at ? a : b), undefined);
}

/**
 * A deferral's state at `ctx.now`: ended by hand, past its review date, end date or policy cap (an end at
 * exactly `now` has ended), ended because its condition holds, expiring (ends within
 * `policy.deferral.expiringDays`), or active.
 */
export function evaluateDeferral(d: Deferral, ctx: DeferralEvalContext): DeferralStatus {
  const now = ctx.now.getTime();
  if (d.endedAt) return { state: 'ended', endsAt: d.endedAt, endedBecause: 'ended-by-hand' };
  const end = deferralEnd(d, ctx);
  if (end && now >= end.at) {
    return { state: 'ended', endsAt: new Date(end.at).toISOString(), endedBecause: end.because };
  }
  const cond = parseEndCondition(d.until, ctx.timeZone);
  const facts = ctx.facts ?? {};
  const met: EndReason | undefined =
    cond?.kind === 'fix-available' && facts.fixAvailable
      ? 'fix-available'
      : cond?.kind === 'staging-passed' && facts.stagingPassed
        ? 'staging-passed'
        : cond?.kind === 'window' && facts.windowPassed?.(cond.name)
          ? 'window-passed'
          : undefined;
  if (met) return { state: 'ended', endsAt: ctx.now.toISOString(), endedBecause: met };
  const endsAt = end ? new Date(end.at).toISOString() : undefined;
  const expiring = end !== undefined && end.at - now <= days(ctx.policy.deferral.expiringDays);
  return { state: expiring ? 'expiring' : 'active', ...(endsAt ? { endsAt } : {}) };
}

/** The fields a new deferral is checked on (before it gets an id). */
export type DeferralInput = Omit<Deferral, 'id' | 'endedAt' | 'endedReason'>;

/**
 * Checks a new deferral against the article's required fields and the policy's caps. `action` is the most
 * urgent current action among what it defers. Returns problems in full sentences; empty when it may be
 * recorded.
 */
export function validateDeferral(
  d: DeferralInput,
  ctx: { now: Date; timeZone: string; policy: Policy; action: Action },
): string[] {
  const problems = requiredFieldProblems(d, ctx.timeZone);
  const now = ctx.now.getTime();
  const review = parseInstant(d.review, ctx.timeZone);
  const until = parseEndCondition(d.until, ctx.timeZone);
  if (review !== undefined && review <= now)
    problems.push(`The review date ${d.review} is not in the future.`);
  if (until?.kind === 'date' && until.at <= now)
    problems.push(`The end date ${d.until} is not in the future.`);
  if (review === undefined) return problems;
  const last = until?.kind === 'date' ? Math.min(until.at, review) : review;
  const plain = deferralCap(ctx.policy, ctx.action, false);
  const approved = deferralCap(ctx.policy, ctx.action, true);
  const wanted = (last - now) / days(1);
  if (!d.approver && last - now > plain) {
    problems.push(
      `A deferral of a finding whose action is ${ctx.action} may last at most ${plain / days(1)} days without an approver; this one lasts ${wanted.toFixed(1)} days. Name an approver (--approver) or choose an earlier review date.`,
    );
  } else if (d.approver && last - now > approved) {
    problems.push(
      `A deferral of a finding whose action is ${ctx.action} may last at most ${approved / days(1)} days even with an approver; this one lasts ${wanted.toFixed(1)} days. Choose an earlier review date.`,
    );
  }
  return problems;
}

function requiredFieldProblems(d: DeferralInput, timeZone: string): string[] {
  const problems: string[] = [];
  if (d.findings.length === 0) problems.push('Name the findings or CVEs to defer.');
  if (d.hosts.length === 0 && !d.selector) problems.push('Name the hosts or a selector.');
  if (d.selector) {
    const p = parseSelector(d.selector);
    if (typeof p === 'string') problems.push(`The selector is not valid: ${p}.`);
  }
  for (const [field, v] of [
    ['a reason', d.reason],
    ['a compensating control', d.control],
    ['an owner', d.owner],
  ] as const) {
    if (!v.trim()) problems.push(`A deferral needs ${field}.`);
  }
  if (parseInstant(d.review, timeZone) === undefined) {
    problems.push(`The review date "${d.review}" is not a date (YYYY-MM-DD) or an ISO time with offset.`);
  }
  if (!parseEndCondition(d.until, timeZone)) {
    problems.push(
      `The end condition "${d.until}" is not a date, "fix-available", "staging-passed" or "window:NAME".`,
    );
  }
  return problems;
}
