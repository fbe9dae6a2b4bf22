import type { Finding } from '../findings/finding.js';
import type { Host } from '../inventory/host.js';
import type { Action, RollbackRequirement } from './actions.js';
import { chooseAction, choiceKey, type ActionChoice } from './choose-action.js';
import { classifyFinding, type PackageClass, type PackageImpact } from './classify-package.js';
import type { CompensatingControl } from './compensating-controls.js';
import { dueBasis, dueDate, type DeadlineRule, type DueCandidate } from './deadlines.js';
import { evaluateDeferral, type Deferral, type DeferralFacts, type DeferralStatus } from './deferral.js';
import { riskFactsOnHost, type CompatibilityFlag, type RiskFacts, type Severity } from './facts.js';
import type { Policy } from './policy-schema.js';
import { deferralsNaming, hostSentences, prepareHost, type PreparedHost } from './prepare-host.js';
import { actionReasons, deferralReason, dueReason, findingReasons } from './reasons.js';
import { restoreGapReason, rollbackFor, type RestorePoints, type RollbackPlan } from './rollback.js';
import { formatLocal, isoUtc, parseInstant } from './time.js';

/** Everything besides the finding and host that a decision depends on. No I/O: the clock is passed in. */
export interface DecideContext {
  policy: Policy;
  now: Date;
  /** Time zone for due dates shown to people and for date-only values; default `policy.timeZone`. */
  timeZone?: string;
  deferrals?: readonly Deferral[];
  restorePoints?: RestorePoints;
  compatibilityFlags?: readonly CompatibilityFlag[];
  /** The host's next regular maintenance window, once windows are configured. */
  nextWindowAt?: Date;
  /** When the finding was first seen; deadlines count from here (from `now` when unknown). */
  firstSeenAt?: Date;
  /** Facts that can end deferrals besides "fix available" (which the finding itself tells). */
  deferralFacts?: Omit<DeferralFacts, 'fixAvailable'>;
}

/** Where a decided finding stands. */
export const DECISION_STATES = ['due', 'overdue', 'deferred', 'awaiting-fix'] as const;
export type DecisionState = (typeof DECISION_STATES)[number];

/**
 * One decision: a finding on a host, what to do, by when, with what safety net, and why. `rollback`,
 * `controls`, `packageClasses`, `assumed`, `cves` and `binaries` may be shared with other decisions (or
 * the finding): read them, never change them.
 */
export interface Decision {
  host: string;
  os: string;
  vulnId: string;
  cves: readonly string[];
  package: string;
  binaries: string[];
  installedVersion: string;
  fixedVersion: string | null;
  action: Action;
  state: DecisionState;
  /** ISO 8601 UTC. */
  dueAt: string;
  /** The same instant in the policy time zone, for people. */
  dueLocal: string;
  dueRule: DeadlineRule;
  rollback: RollbackRequirement[];
  /** For `compensate`: the controls to choose from. */
  controls: CompensatingControl[];
  needsReboot: boolean;
  packageClasses: PackageClass[];
  kev: boolean;
  epss?: number;
  severity: Severity;
  /** Gaps in the host's classification that made the decision assume the worse case. */
  assumed: string[];
  /**
   * Why, in plain sentences. Built when read (a fleet's decisions are mostly never printed), as a fresh
   * array on each read; it is an own enumerable property, so JSON and object spread include it.
   */
  reasons: string[];
  deferral?: { id: string } & DeferralStatus;
}

/**
 * Decides one finding on one host: one of the article's six actions, the due date, the rollback
 * requirement and the reasons in plain sentences. A pure function of its arguments.
 */
export function decideFinding(finding: Finding, host: Host, ctx: DecideContext): Decision {
  return decidePrepared(prepareHost(host, ctx), finding, ctx.firstSeenAt?.getTime());
}

/**
 * {@link decideFinding} for a host prepared once ({@link prepareHost}) and many findings: what deciding a
 * fleet calls. `firstSeenAt` (epoch ms) overrides `ctx.firstSeenAt` for this finding.
 */
export function decidePrepared(p: PreparedHost, finding: Finding, firstSeenAt?: number): Decision {
  const anchor = firstSeenAt ?? p.now;
  return new DecisionRecord(p, finding, anchor, evaluate(p, finding, anchor));
}

/** Everything a decision and its reasons are made of. */
interface Evaluation {
  r: RiskFacts;
  choice: ActionChoice;
  due: DueCandidate;
  plan: RollbackPlan;
  deferral: ({ id: string } & DeferralStatus) | undefined;
  overdue: boolean;
}

function evaluate(p: PreparedHost, f: Finding, anchor: number): Evaluation {
  const r = riskFactsOnHost(f, p.policy, p.compatibility);
  // Shared by the host's findings with the same facts (see choiceKey): read it, never change it.
  const choice = (p.choices[choiceKey(r)] ??= chooseAction(p.facts, r, p.policy));
  const due = dueDate(p.facts, r, choice, p.policy, clockOf(p, anchor));
  const plan = rollbackFor(choice, p.facts, r, p.ctx.restorePoints);
  const deferral = pickDeferral(p, f, choice.action, r.fixAvailable);
  return { r, choice, due, plan, deferral, overdue: due.at <= p.now };
}

function clockOf(p: PreparedHost, anchor: number) {
  return p.nextWindowAt === undefined
    ? { anchor, timeZone: p.timeZone }
    : { anchor, nextWindowAt: p.nextWindowAt, timeZone: p.timeZone };
}

/** The reasons of a decision, rebuilt from its inputs (deciding is pure, so they come out the same). */
function reasonsOf(p: PreparedHost, f: Finding, anchor: number): string[] {
  const { r, choice, due, plan, deferral, overdue } = evaluate(p, f, anchor);
  const basis = dueBasis(due.rule, p.facts, r, p.policy, clockOf(p, anchor));
  const reasons = [
    ...findingReasons(f, r, p.policy),
    ...hostSentences(p),
    ...actionReasons(p.facts, choice),
    ...(plan.gap ? [restoreGapReason(plan.gap, p.facts.name)] : []),
    dueReason(choice.action, formatLocal(due.at, p.timeZone), basis, overdue),
  ];
  if (deferral) reasons.push(deferralReason(deferral.id, deferral, endsLocal(deferral, p.timeZone)));
  return reasons;
}

/** `reasons` as an own, enumerable accessor: built on read, replaced by a plain value when assigned. */
const REASONS: PropertyDescriptor = {
  get(this: DecisionRecord): string[] {
    return DecisionRecord.reasonsOf(this);
  },
  set(this: DecisionRecord, value: string[]) {
    Object.defineProperty(this, 'reasons', { value, writable: true, enumerable: true, configurable: true });
  },
  enumerable: true,
  configurable: true,
};

/**
 * A decision as plain data (own enumerable fields in the order of {@link Decision}), plus what it was
 * decided from, kept private so the reasons can be built when read.
 */
class DecisionRecord implements Decision {
  declare host: string;
  declare os: string;
  declare vulnId: string;
  declare cves: readonly string[];
  declare package: string;
  declare binaries: string[];
  declare installedVersion: string;
  declare fixedVersion: string | null;
  declare action: Action;
  declare state: DecisionState;
  declare dueAt: string;
  declare dueLocal: string;
  declare dueRule: DeadlineRule;
  declare rollback: RollbackRequirement[];
  declare controls: CompensatingControl[];
  declare needsReboot: boolean;
  declare packageClasses: PackageClass[];
  declare kev: boolean;
  declare severity: Severity;
  declare assumed: string[];
  declare reasons: string[];
  declare epss?: number;
  declare deferral?: { id: string } & DeferralStatus;
  readonly #p: PreparedHost;
  readonly #f: Finding;
  readonly #anchor: number;
  readonly #impact: PackageImpact;

  static reasonsOf(d: DecisionRecord): string[] {
    return reasonsOf(d.#p, d.#f, d.#anchor);
  }

  static impactOf(d: Decision): PackageImpact | undefined {
    return #impact in d ? d.#impact : undefined;
  }

  constructor(p: PreparedHost, f: Finding, anchor: number, e: Evaluation) {
    this.#p = p;
    this.#f = f;
    this.#anchor = anchor;
    this.#impact = e.r.impact;
    const { r, choice, due, plan, deferral } = e;
    this.host = p.host.name;
    this.os = f.os;
    this.vulnId = f.vulnId;
    this.cves = f.cves;
    this.package = f.package;
    this.binaries = f.binaries;
    this.installedVersion = f.installedVersion;
    this.fixedVersion = f.fixedVersion;
    this.action = choice.action;
    this.state =
      deferral && deferral.state !== 'ended'
        ? 'deferred'
        : choice.awaitingFix
          ? 'awaiting-fix'
          : e.overdue
            ? 'overdue'
            : 'due';
    this.dueAt = isoUtc(due.at);
    this.dueLocal = formatLocal(due.at, p.timeZone);
    this.dueRule = due.rule;
    this.rollback = plan.rollback;
    this.controls = plan.controls;
    this.needsReboot = r.impact.needsReboot;
    this.packageClasses = r.impact.classes;
    this.kev = r.kev !== undefined;
    this.severity = r.severity;
    this.assumed = p.assumed;
    Object.defineProperty(this, 'reasons', REASONS);
    if (r.epss) this.epss = r.epss.score;
    if (deferral) this.deferral = deferral;
  }
}

/** What changing the decision's package implies (kernel, reboot, restarts every service…). */
export function decisionImpact(d: Decision): PackageImpact {
  return DecisionRecord.impactOf(d) ?? classifyFinding(d.package, d.binaries);
}

function endsLocal(d: DeferralStatus, timeZone: string): string | undefined {
  const at = d.endsAt ? parseInstant(d.endsAt, timeZone) : undefined;
  return at === undefined ? undefined : formatLocal(at, timeZone);
}

/** The deferral that speaks for this finding: an active one lasting longest, else the latest ended one. */
function pickDeferral(
  p: PreparedHost,
  f: Finding,
  action: Action,
  fixAvailable: boolean,
): ({ id: string } & DeferralStatus) | undefined {
  let best: Candidate | undefined;
  for (const d of deferralsNaming(p, f)) {
    const s = evaluateDeferral(d, {
      now: p.ctx.now,
      timeZone: p.timeZone,
      policy: p.policy,
      action,
      facts: { ...p.ctx.deferralFacts, fixAvailable },
    });
    const cand: Candidate = { id: d.id, ...s, createdAt: d.createdAt };
    if (!best || better(cand, best)) best = cand;
  }
  if (!best) return undefined;
  const { createdAt: _c, ...out } = best;
  return out;
}

type Candidate = { id: string; createdAt: string } & DeferralStatus;

/** A live deferral beats an ended one; among live ones the longest wins, among ended ones the newest. */
function better(a: Candidate, b: Candidate): boolean {
  const live = (s: DeferralStatus) => s.state !== 'ended';
  if (live(a) !== live(b)) return live(a);
  // Undefined endsAt (ends on a condition only) sorts as the latest.
  if (live(a)) return (a.endsAt ?? '9999') > (b.endsAt ?? '9999');
  return a.createdAt > b.createdAt;
}
