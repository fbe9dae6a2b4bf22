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
import { actionReasons, deferralReason, dueReason, findingReasons, noWindowReason } from './reasons.js';
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

/** What to do when no window covering the host opens before a finding's due date. */
export const WINDOW_PROPOSALS = ['emergency-run', 'extra-window'] as const;
export type WindowProposal = (typeof WINDOW_PROPOSALS)[number];

/**
 * One decision: a finding on a host, what to do, by when, with what safety net, and why. Plain data,
 * built once: `reasonCodes` name the rules, the deadline and the deferral that decided it, `reasons`
 * say the same in sentences. `rollback`, `controls`, `packageClasses`, `assumed`, `cves` and `binaries`
 * may be shared with other decisions (or the finding): read them, never change them.
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
   * What decided it, as stable codes: the framework's rules (`exploited-exposed`, …), `trigger:kev`…,
   * `due:RULE`, `gap:no-snapshot`…, `deferral:STATE`.
   */
  reasonCodes: string[];
  /** Why, in plain sentences. */
  reasons: string[];
  deferral?: { id: string } & DeferralStatus;
  /**
   * Set when the finding is open and due before the next window covering its host opens (reason code
   * `window:none-before-due`), with what to do instead.
   */
  noWindowBeforeDue?: true;
  proposal?: WindowProposal;
}

/**
 * What a decision amounts to, without whom it is about: the part that hosts of the same decision class
 * share for the same finding facts. A fleet decides it once and lends it to every host that matches
 * ({@link decisionFor} adds the host, the finding and the sentences). Read it, never change it.
 */
export interface DecisionOutcome {
  action: Action;
  state: DecisionState;
  dueAt: string;
  /** `dueAt` in epoch ms. */
  dueMs: number;
  dueLocal: string;
  dueRule: DeadlineRule;
  rollback: RollbackRequirement[];
  controls: CompensatingControl[];
  needsReboot: boolean;
  /** Every running service may use the package: its change restarts them all. */
  restartsAll: boolean;
  packageClasses: PackageClass[];
  kev: boolean;
  epss?: number;
  severity: Severity;
  reasonCodes: string[];
  deferral?: { id: string } & DeferralStatus;
  noWindowBeforeDue?: true;
  proposal?: WindowProposal;
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
  const e = evaluate(p, finding, anchor);
  return withIdentity(p, finding, outcomeOf(p, e), reasonsFrom(p, finding, anchor, e));
}

/** The {@link DecisionOutcome} of a finding on a prepared host, deadlines counted from `anchor` (epoch ms). */
export function decideOutcome(p: PreparedHost, finding: Finding, anchor: number): DecisionOutcome {
  return outcomeOf(p, evaluate(p, finding, anchor));
}

/**
 * The decision of `finding` on the prepared host from an outcome decided for it (or for a host of the same
 * decision class with the same finding facts), with the host's sentences.
 */
export function decisionFor(p: PreparedHost, finding: Finding, o: DecisionOutcome, anchor: number): Decision {
  return withIdentity(p, finding, o, reasonsOf(p, finding, anchor));
}

/** Everything a decision and its reasons are made of. */
interface Evaluation {
  r: RiskFacts;
  choice: ActionChoice;
  due: DueCandidate;
  plan: RollbackPlan;
  deferral: ({ id: string } & DeferralStatus) | undefined;
  overdue: boolean;
  /** Open, and due before the host's next window opens: what to propose instead. */
  noWindow: WindowProposal | undefined;
}

function evaluate(p: PreparedHost, f: Finding, anchor: number): Evaluation {
  const r = riskFactsOnHost(f, p.policy, p.compatibility);
  // Shared by the host's findings with the same facts (see choiceKey): read it, never change it.
  const choice = (p.choices[choiceKey(r)] ??= chooseAction(p.facts, r, p.policy));
  const due = dueDate(p.facts, r, choice, p.policy, clockOf(p, anchor));
  const plan = rollbackFor(choice, p.facts, r, p.ctx.restorePoints);
  const deferral = pickDeferral(p, f, choice.action, r.fixAvailable);
  const open = !(deferral && deferral.state !== 'ended') && !choice.awaitingFix;
  const noWindow =
    open && p.nextWindowAt !== undefined && due.at < p.nextWindowAt
      ? windowProposal(choice.action)
      : undefined;
  return { r, choice, due, plan, deferral, overdue: due.at <= p.now, noWindow };
}

/** An emergency runs outside windows anyway; anything else needs a window of its own before it is due. */
function windowProposal(action: Action): WindowProposal {
  return action === 'emergency' ? 'emergency-run' : 'extra-window';
}

function outcomeOf(p: PreparedHost, e: Evaluation): DecisionOutcome {
  const { r, choice, due, plan, deferral } = e;
  const o: DecisionOutcome = {
    action: choice.action,
    state:
      deferral && deferral.state !== 'ended'
        ? 'deferred'
        : choice.awaitingFix
          ? 'awaiting-fix'
          : e.overdue
            ? 'overdue'
            : 'due',
    dueAt: isoUtc(due.at),
    dueMs: due.at,
    dueLocal: formatLocal(due.at, p.timeZone),
    dueRule: due.rule,
    rollback: plan.rollback,
    controls: plan.controls,
    needsReboot: r.impact.needsReboot,
    restartsAll: r.impact.restartsAll,
    packageClasses: r.impact.classes,
    kev: r.kev !== undefined,
    severity: r.severity,
    reasonCodes: reasonCodes(choice, due.rule, plan, deferral),
  };
  if (r.epss) o.epss = r.epss.score;
  if (deferral) o.deferral = deferral;
  if (e.noWindow) {
    o.reasonCodes.push('window:none-before-due');
    o.noWindowBeforeDue = true;
    o.proposal = e.noWindow;
  }
  return o;
}

function reasonCodes(
  choice: ActionChoice,
  due: DeadlineRule,
  plan: RollbackPlan,
  deferral: DeferralStatus | undefined,
): string[] {
  const codes: string[] = [...choice.rules];
  for (const t of choice.triggers) codes.push(`trigger:${t}`);
  codes.push(`due:${due}`);
  if (plan.gap) codes.push(`gap:${plan.gap}`);
  if (deferral) codes.push(`deferral:${deferral.state}`);
  return codes;
}

/** A decision as plain data: the finding's and host's identity, the outcome, the sentences. */
function withIdentity(p: PreparedHost, f: Finding, o: DecisionOutcome, reasons: string[]): Decision {
  const d: Decision = {
    host: p.host.name,
    os: f.os,
    vulnId: f.vulnId,
    cves: f.cves,
    package: f.package,
    binaries: f.binaries,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    action: o.action,
    state: o.state,
    dueAt: o.dueAt,
    dueLocal: o.dueLocal,
    dueRule: o.dueRule,
    rollback: o.rollback,
    controls: o.controls,
    needsReboot: o.needsReboot,
    packageClasses: o.packageClasses,
    kev: o.kev,
    severity: o.severity,
    assumed: p.assumed,
    reasonCodes: o.reasonCodes,
    reasons,
  };
  if (o.epss !== undefined) d.epss = o.epss;
  if (o.deferral) d.deferral = o.deferral;
  if (o.noWindowBeforeDue) {
    d.noWindowBeforeDue = true;
    if (o.proposal) d.proposal = o.proposal;
  }
  return d;
}

function clockOf(p: PreparedHost, anchor: number) {
  return p.nextWindowAt === undefined
    ? { anchor, timeZone: p.timeZone }
    : { anchor, nextWindowAt: p.nextWindowAt, timeZone: p.timeZone };
}

/** The reasons of a decision, from its inputs (deciding is pure, so they come out the same each time). */
function reasonsOf(p: PreparedHost, f: Finding, anchor: number): string[] {
  return reasonsFrom(p, f, anchor, evaluate(p, f, anchor));
}

function reasonsFrom(p: PreparedHost, f: Finding, anchor: number, e: Evaluation): string[] {
  const { r, choice, due, plan, deferral, overdue } = e;
  const basis = dueBasis(due.rule, p.facts, r, p.policy, clockOf(p, anchor));
  const reasons = [
    ...findingReasons(f, r, p.policy),
    ...hostSentences(p),
    ...actionReasons(p.facts, choice),
    ...(plan.gap ? [restoreGapReason(plan.gap, p.facts.name)] : []),
    dueReason(choice.action, formatLocal(due.at, p.timeZone), basis, overdue),
  ];
  if (deferral) reasons.push(deferralReason(deferral.id, deferral, endsLocal(deferral, p.timeZone)));
  if (e.noWindow && p.nextWindowAt !== undefined)
    reasons.push(noWindowReason(formatLocal(p.nextWindowAt, p.timeZone), e.noWindow));
  return reasons;
}

/** What changing the decision's package implies (kernel, reboot, restarts every service…). */
export function decisionImpact(d: Decision): PackageImpact {
  return classifyFinding(d.package, d.binaries);
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
