import type { HostRunState, RebootMode, RestorePointMode, StepName, StepStatus } from './run-model.js';
import { STEPS } from './run-model.js';

/** What is recorded of one step of a host. */
export interface StepView {
  status: StepStatus;
  attempts: number;
  /** Facts the step found: precheck `rebootPending`, apply `rebootPending`, a failure's `reason`. */
  detail?: Record<string, unknown>;
}

/** The host's plan facts that do not change while it runs. */
export interface HostPlanFacts {
  /** packages to install (false: only a pending reboot to take) */
  hasTargets: boolean;
  reboot: RebootMode;
  restorePoint: RestorePointMode;
  /** with no restore point, roll back by installing the previous versions */
  downgradeRollback: boolean;
  /** the window's cutoff came with `cutoffBehavior: cancel`: roll back what has not verified */
  cancelled?: boolean;
}

/** One host of a run as the state machine sees it. */
export interface HostRunView {
  steps: Partial<Record<StepName, StepView>>;
  facts: HostPlanFacts;
}

/** What to do next for a host. */
export type NextAction =
  | { do: 'run'; step: StepName }
  /** a step found `running` (the controller died during it): find out what it did before anything else */
  | { do: 'examine'; step: StepName }
  | { do: 'finish'; state: HostRunState; reason: string };

const done = (s?: StepView) => s !== undefined && s.status !== 'running';
const ok = (s?: StepView) => s?.status === 'ok';
const failed = (s?: StepView) => s?.status === 'failed';
const reasonOf = (s: StepView | undefined, fallback: string) =>
  typeof s?.detail?.reason === 'string' ? s.detail.reason : fallback;

/** The host's state once its work is over (before `on-exit`), or undefined while work remains. */
type Outcome = { state: HostRunState; reason: string } | { next: StepName };

/**
 * The next thing to do for a host, from what is recorded of its steps: pure, so a resumed run asks it
 * again and gets the same answer. A finished step is never returned again; a step found `running` is
 * examined first; every path ends in a final state after `on-exit`.
 */
export function nextStep(host: HostRunView): NextAction {
  const running = STEPS.find((s) => host.steps[s]?.status === 'running');
  if (running) return { do: 'examine', step: running };
  const o = outcome(host);
  if ('next' in o) return { do: 'run', step: o.next };
  if (!done(host.steps['on-exit'])) return { do: 'run', step: 'on-exit' };
  return { do: 'finish', ...o };
}

function outcome(h: HostRunView): Outcome {
  const s = h.steps;
  const f = h.facts;
  if (!done(s.precheck)) return { next: 'precheck' };
  if (!ok(s.precheck)) return { state: 'skipped', reason: reasonOf(s.precheck, 'pre-checks failed') };
  const pendingBefore = s.precheck?.detail?.rebootPending === true;
  if (!f.hasTargets && !pendingBefore && f.reboot !== 'always')
    return { state: 'skipped', reason: 'nothing to install and no reboot pending' };
  if (f.cancelled && !s.apply && !s.reboot)
    return { state: 'skipped', reason: "the window's cutoff came before the host changed" };
  if (f.restorePoint !== 'never' && !done(s.snapshot)) return { next: 'snapshot' };
  if (failed(s.snapshot))
    return f.restorePoint === 'required'
      ? {
          state: 'skipped',
          reason: reasonOf(s.snapshot, 'a restore point is required and none could be made'),
        }
      : forward(h);
  return forward(h);
}

/** Apply, reboot, restart, verify; on a failure (or a cancel) the rollback path. */
function forward(h: HostRunView): Outcome {
  const s = h.steps;
  const f = h.facts;
  if (s.rollback || f.cancelled) return rollbackPath(h, firstFailure(h));
  if (f.hasTargets && !done(s.apply)) return { next: 'apply' };
  if (failed(s.apply)) return rollbackPath(h, reasonOf(s.apply, 'the apply failed'));
  const pending = s.precheck?.detail?.rebootPending === true || s.apply?.detail?.rebootPending === true;
  const wantReboot = f.reboot === 'always' || (f.reboot === 'if-needed' && pending);
  if (wantReboot && !done(s.reboot)) return { next: 'reboot' };
  if (failed(s.reboot))
    return rollbackPath(h, reasonOf(s.reboot, 'the host did not come back from its reboot'));
  if (!ok(s.reboot) && !done(s.restart)) return { next: 'restart' };
  if (failed(s.restart)) return rollbackPath(h, reasonOf(s.restart, 'restarting units failed'));
  if (!done(s.verify)) return { next: 'verify' };
  if (failed(s.verify)) return rollbackPath(h, reasonOf(s.verify, 'verification failed'));
  return { state: 'verified', reason: 'verified' };
}

/** Roll back when the host can be (its restore point, or a downgrade); else it failed. */
function rollbackPath(h: HostRunView, why: string): Outcome {
  const s = h.steps;
  const canRollback = ok(s.snapshot) || (h.facts.downgradeRollback && s.apply !== undefined);
  if (!canRollback) {
    // A partial apply that left a reboot pending still reboots, so the host is not left half-done.
    const pending = s.apply?.detail?.rebootPending === true;
    if (pending && h.facts.reboot !== 'never' && !done(s.reboot)) return { next: 'reboot' };
    return { state: 'failed', reason: `${why || 'failed'}; no rollback possible (no restore point)` };
  }
  if (!done(s.rollback)) return { next: 'rollback' };
  if (failed(s.rollback))
    return {
      state: 'rollback-failed',
      reason: `${why}; rollback failed: ${reasonOf(s.rollback, 'unknown')}`,
    };
  if (!done(s['verify-rollback'])) return { next: 'verify-rollback' };
  if (failed(s['verify-rollback']))
    return {
      state: 'rollback-failed',
      reason: `${why}; rolled back but unhealthy: ${reasonOf(s['verify-rollback'], 'health checks failed')}`,
    };
  return { state: 'rolled-back', reason: why || 'rolled back' };
}

const FORWARD: readonly StepName[] = ['apply', 'reboot', 'restart', 'verify'];

/** Why the host left the forward path: its first failed step's reason, or the cancel. */
function firstFailure(h: HostRunView): string {
  const step = FORWARD.find((n) => failed(h.steps[n]));
  if (step) return reasonOf(h.steps[step], `${step} failed`);
  return h.facts.cancelled ? "cancelled at the window's cutoff" : 'rolled back by hand';
}
