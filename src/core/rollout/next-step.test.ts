import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextStep, type HostPlanFacts, type HostRunView, type StepView } from './next-step.js';
import { FINAL_STATES, type StepName, type StepStatus } from './run-model.js';

const FACTS: HostPlanFacts = {
  hasTargets: true,
  reboot: 'if-needed',
  restorePoint: 'required',
  downgradeRollback: false,
};

/** Plays a host to its end: `outcomeOf` says how each step it is told to run ends. */
function play(
  facts: HostPlanFacts,
  outcomeOf: (step: StepName) => Pick<StepView, 'status' | 'detail'>,
): { ran: StepName[]; state: string; reason: string } {
  const view: HostRunView = { steps: {}, facts };
  const ran: StepName[] = [];
  for (let i = 0; i < 40; i++) {
    const a = nextStep(view);
    if (a.do === 'finish') return { ran, state: a.state, reason: a.reason };
    if (a.do === 'examine') throw new Error('nothing is running');
    ran.push(a.step);
    view.steps[a.step] = { attempts: 1, ...outcomeOf(a.step) };
  }
  throw new Error(`no end: ${ran.join(',')}`);
}

const allOk = (): Pick<StepView, 'status'> => ({ status: 'ok' });

describe('nextStep', () => {
  it('runs a good update through to verified', () => {
    expect(play(FACTS, allOk)).toEqual({
      ran: ['precheck', 'snapshot', 'apply', 'restart', 'verify', 'on-exit'],
      state: 'verified',
      reason: 'verified',
    });
  });
  it('reboots once when the apply leaves a reboot pending, and then restarts nothing', () => {
    const r = play(FACTS, (s) => ({ status: 'ok', detail: s === 'apply' ? { rebootPending: true } : {} }));
    expect(r.ran).toEqual(['precheck', 'snapshot', 'apply', 'reboot', 'verify', 'on-exit']);
  });
  it('rolls back a host whose verify fails', () => {
    const r = play(FACTS, (s) =>
      s === 'verify' ? { status: 'failed', detail: { reason: 'web unhealthy' } } : { status: 'ok' },
    );
    expect(r.ran.slice(-3)).toEqual(['rollback', 'verify-rollback', 'on-exit']);
    expect(r).toMatchObject({ state: 'rolled-back', reason: 'web unhealthy' });
  });
  it('skips a host whose required restore point cannot be made, never applying', () => {
    const r = play(FACTS, (s) => (s === 'snapshot' ? { status: 'failed' } : { status: 'ok' }));
    expect(r.ran).toEqual(['precheck', 'snapshot', 'on-exit']);
    expect(r.state).toBe('skipped');
  });
  it('goes on without a restore point when one is only wanted if available', () => {
    const r = play({ ...FACTS, restorePoint: 'if-available' }, (s) =>
      s === 'snapshot' ? { status: 'skipped' } : { status: 'ok' },
    );
    expect(r.state).toBe('verified');
  });
  it('reboots a host with nothing to install but a reboot pending', () => {
    const r = play({ ...FACTS, hasTargets: false }, (s) =>
      s === 'precheck' ? { status: 'ok', detail: { rebootPending: true } } : { status: 'ok' },
    );
    expect(r.ran).toEqual(['precheck', 'snapshot', 'reboot', 'verify', 'on-exit']);
  });
  it('fails (no rollback) without a restore point, but still reboots after a partial apply', () => {
    const r = play({ ...FACTS, restorePoint: 'never' }, (s) =>
      s === 'apply' ? { status: 'failed', detail: { rebootPending: true } } : { status: 'ok' },
    );
    expect(r.ran).toEqual(['precheck', 'apply', 'reboot', 'on-exit']);
    expect(r.state).toBe('failed');
  });
  it('rolls back by downgrade when allowed and there is no restore point', () => {
    const r = play({ ...FACTS, restorePoint: 'never', downgradeRollback: true }, (s) =>
      s === 'verify' ? { status: 'failed' } : { status: 'ok' },
    );
    expect(r.state).toBe('rolled-back');
  });
  it('reports a failed rollback as rollback-failed', () => {
    const r = play(FACTS, (s) =>
      s === 'verify' || s === 'rollback' ? { status: 'failed' } : { status: 'ok' },
    );
    expect(r.state).toBe('rollback-failed');
  });
  it('examines a step found running before anything else', () => {
    const view: HostRunView = {
      facts: FACTS,
      steps: { precheck: { status: 'ok', attempts: 1 }, snapshot: { status: 'running', attempts: 1 } },
    };
    expect(nextStep(view)).toEqual({ do: 'examine', step: 'snapshot' });
  });
  it('rolls back a host that changed when the window is cancelled at its cutoff', () => {
    const view: HostRunView = {
      facts: { ...FACTS, cancelled: true },
      steps: {
        precheck: { status: 'ok', attempts: 1 },
        snapshot: { status: 'ok', attempts: 1 },
        apply: { status: 'ok', attempts: 1 },
      },
    };
    expect(nextStep(view)).toEqual({ do: 'run', step: 'rollback' });
  });
});

const STATUS = fc.constantFrom<StepStatus>('ok', 'failed', 'skipped');
const FACTS_ARB = fc.record({
  hasTargets: fc.boolean(),
  reboot: fc.constantFrom('if-needed', 'never', 'always'),
  restorePoint: fc.constantFrom('required', 'if-available', 'never'),
  downgradeRollback: fc.boolean(),
  cancelled: fc.boolean(),
}) as fc.Arbitrary<HostPlanFacts>;

describe('nextStep properties', () => {
  it('never returns a finished step again, and every path ends in a final state', () => {
    fc.assert(
      fc.property(
        FACTS_ARB,
        fc.array(fc.tuple(STATUS, fc.boolean(), fc.boolean()), { minLength: 12, maxLength: 12 }),
        (facts, outcomes) => {
          const view: HostRunView = { steps: {}, facts };
          for (let i = 0; i < 30; i++) {
            const a = nextStep(view);
            if (a.do === 'finish') {
              expect(FINAL_STATES).toContain(a.state);
              expect(view.steps['on-exit']).toBeDefined();
              return;
            }
            const prior = view.steps[a.step];
            if (a.do === 'run') expect(prior).toBeUndefined();
            const [status, pending, crash] = outcomes[i % outcomes.length]!;
            // A crash leaves the step running: the next call must examine it.
            if (crash && a.do === 'run') {
              view.steps[a.step] = { status: 'running', attempts: 1 };
              expect(nextStep(view)).toEqual({ do: 'examine', step: a.step });
            }
            view.steps[a.step] = {
              status,
              attempts: (prior?.attempts ?? 0) + 1,
              detail: { rebootPending: pending },
            };
          }
          throw new Error('no final state within 30 steps');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
