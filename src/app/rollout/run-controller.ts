import type { RunHostRecord } from '../../adapters/store/run-store.js';
import { UserError } from '../../core/errors.js';
import { nextStep, type StepView } from '../../core/rollout/next-step.js';
import { errorLimit, mayStart } from '../../core/rollout/order.js';
import { FINAL_STATES, type HostRunState, type StepName } from '../../core/rollout/run-model.js';
import type { RunHostSpec, RunSpec } from '../../core/rollout/run-spec.js';
import { examineStep, performStep, type StepContext } from './host-steps.js';
import type { RunDeps, RunEvent, StepOutcome } from './run-deps.js';

/** How a run ended. */
export interface RunSummary {
  run: string;
  state: 'finished' | 'stopped';
  /** hosts per state */
  hosts: Partial<Record<HostRunState, number>>;
  /** why hosts were left pending, when they were */
  stopReason?: string;
  /** 0 when every host verified (or had nothing to do), 3 when any failed, rolled back or was skipped for a failure */
  exitCode: 0 | 3;
}

type Steps = Partial<Record<StepName, StepView>>;

/** Skips that are not failures: nothing to do, or the window's cutoff came first. */
const BENIGN_SKIPS = [/^nothing to install/, /cutoff came before/];

/** True when a host's end counts against `maxErrors` and the exit code. */
export function isFailure(state: HostRunState, reason?: string): boolean {
  if (state === 'failed' || state === 'rolled-back' || state === 'rollback-failed') return true;
  return state === 'skipped' && !BENIGN_SKIPS.some((r) => r.test(reason ?? ''));
}

const HEARTBEAT_MS = 5000;

/**
 * Runs (or resumes) a recorded run to its end: batch by batch in the recorded order, at most
 * `maxConcurrency` hosts at once, each host step by step as {@link nextStep} says, every step written
 * before and after it runs. A finished step never runs again; a step found `running` is examined first.
 * No new host starts once failures reach `maxErrors`, a rollback fails, or the window's cutoff passes.
 */
export async function runController(runId: string, deps: RunDeps): Promise<RunSummary> {
  const run = await deps.store.get(runId);
  if (!run) throw new UserError('run-unknown', `No run ${runId}.`, 'See: patchwise runs list');
  const { spec } = run;
  const stamp = () => deps.clock().toISOString();
  await deps.store.heartbeat(runId, deps.pid, stamp());
  const beat = setInterval(
    () => void deps.store.heartbeat(runId, deps.pid, stamp()).catch(() => undefined),
    HEARTBEAT_MS,
  );
  beat.unref();
  try {
    const hosts = await deps.store.hosts(runId);
    const steps = new Map<string, Steps>();
    for (const s of await deps.store.steps(runId)) {
      const v = steps.get(s.host) ?? {};
      v[s.step] = { status: s.status, attempts: s.attempts, detail: s.detail };
      steps.set(s.host, v);
    }
    const limit = errorLimit(spec.rollout.maxErrors, hosts.length);
    const state = {
      failures: hosts.filter((h) => isFailure(h.state, h.reason)).length,
      stop: undefined as string | undefined,
    };
    const cutoff = spec.window?.cutoffAt ? new Date(spec.window.cutoffAt) : undefined;
    const runner = new HostRunner(runId, spec, deps, cutoff);
    for (const batch of batches(hosts)) {
      const todo = batch.filter((h) => !FINAL_STATES.includes(h.state));
      let next = 0;
      const worker = async () => {
        while (next < todo.length) {
          const h = todo[next++]!;
          const v = steps.get(h.host) ?? {};
          const started = Object.keys(v).length > 0;
          if (!started) {
            const m = mayStart({
              now: deps.clock(),
              cutoff,
              failures: state.failures,
              limit,
              earlierBatchesDone: true,
            });
            const why = state.stop ?? (m.ok ? undefined : m.reason);
            if (why) {
              state.stop ??= why;
              await deps.store.setHost(runId, h.host, 'pending', why);
              continue;
            }
          }
          const end = await runner.run(h.host, v);
          if (isFailure(end.state, end.reason)) state.failures++;
          if (end.state === 'rollback-failed') state.stop ??= `stopped: the rollback of ${h.host} failed`;
        }
      };
      await Promise.all(
        Array.from({ length: Math.max(1, Math.min(spec.rollout.maxConcurrency, todo.length)) }, worker),
      );
    }
    const summary = await finish(runId, deps, state.stop);
    await deps.notifier?.finished(summary);
    return summary;
  } finally {
    clearInterval(beat);
  }
}

const reasonOf = (o: StepOutcome) => (typeof o.detail.reason === 'string' ? o.detail.reason : undefined);

/**
 * `runs rollback RUN [HOST]`: restores each named host (every host of the run that changed, when none is
 * named) from its restore point of this run and verifies its health. Returns each host's new state.
 */
export async function rollbackHosts(
  runId: string,
  hosts: readonly string[] | undefined,
  deps: RunDeps,
): Promise<{ host: string; state: HostRunState; reason: string }[]> {
  const run = await deps.store.get(runId);
  if (!run) throw new UserError('run-unknown', `No run ${runId}.`, 'See: patchwise runs list');
  const all = await deps.store.steps(runId);
  const changed = [
    ...new Set(all.filter((s) => s.step === 'apply' || s.step === 'reboot').map((s) => s.host)),
  ];
  const names = hosts?.length ? hosts : changed;
  for (const h of names)
    if (!run.spec.hosts.some((x) => x.name === h))
      throw new UserError(
        'run-host-unknown',
        `${h} is not a host of run ${runId}.`,
        `See: patchwise runs show ${runId}`,
      );
  const runner = new HostRunner(runId, run.spec, deps, undefined);
  const out = [];
  for (const h of names) {
    const steps: Steps = {};
    for (const s of all.filter((x) => x.host === h))
      steps[s.step] = { status: s.status, attempts: s.attempts, detail: s.detail };
    await deps.store.log(
      deps.clock().toISOString(),
      deps.actor,
      'run-rollback-requested',
      `${runId}/${h}`,
      {},
    );
    out.push({ host: h, ...(await runner.rollbackByHand(h, steps)) });
  }
  await deps.notifier?.finished();
  return out;
}

function batches(hosts: readonly RunHostRecord[]): RunHostRecord[][] {
  const by = new Map<number, RunHostRecord[]>();
  for (const h of hosts) by.set(h.batch, [...(by.get(h.batch) ?? []), h]);
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

async function finish(runId: string, deps: RunDeps, stop: string | undefined): Promise<RunSummary> {
  const hosts = await deps.store.hosts(runId);
  const counts: Partial<Record<HostRunState, number>> = {};
  for (const h of hosts) counts[h.state] = (counts[h.state] ?? 0) + 1;
  const pending = hosts.some((h) => !FINAL_STATES.includes(h.state));
  const failed = hosts.some((h) => isFailure(h.state, h.reason)) || pending;
  const summary: RunSummary = {
    run: runId,
    state: pending ? 'stopped' : 'finished',
    hosts: counts,
    ...(stop && pending ? { stopReason: stop } : {}),
    exitCode: failed ? 3 : 0,
  };
  await deps.store.finish(runId, summary.state, deps.clock().toISOString(), deps.actor, {
    hosts: counts,
    ...(summary.stopReason ? { stopReason: summary.stopReason } : {}),
  });
  return summary;
}

/** Takes one host from where its record stands to a final state. */
class HostRunner {
  constructor(
    private readonly runId: string,
    private readonly spec: RunSpec,
    private readonly deps: RunDeps,
    private readonly cutoff: Date | undefined,
  ) {}

  async run(name: string, steps: Steps): Promise<{ state: HostRunState; reason: string }> {
    const hs = this.spec.hosts.find((h) => h.name === name);
    if (!hs) return this.end(name, 'failed', 'the host is not in the run');
    if (hs.skip && Object.keys(steps).length === 0) return this.end(name, 'skipped', hs.skip);
    await this.deps.store.setHost(this.runId, name, 'running');
    const ops = this.deps.opsFor(name);
    for (;;) {
      const a = nextStep({ steps, facts: this.facts(hs, steps) });
      if (a.do === 'finish') return this.end(name, a.state, a.reason);
      await this.step(hs, steps, ops, a.step, a.do === 'examine');
    }
  }

  /**
   * Rolls a host back by hand: its restore point from this run (or a downgrade, when allowed), then the
   * health checks, recorded as the steps `rollback` and `verify-rollback` afresh.
   */
  async rollbackByHand(name: string, steps: Steps): Promise<{ state: HostRunState; reason: string }> {
    const hs = this.spec.hosts.find((h) => h.name === name);
    if (!hs) return { state: 'failed', reason: 'the host is not in the run' };
    await this.deps.store.forgetSteps(this.runId, name, ['rollback', 'verify-rollback']);
    delete steps.rollback;
    delete steps['verify-rollback'];
    const ops = this.deps.opsFor(name);
    const r = await this.step(hs, steps, ops, 'rollback', false);
    if (r.status !== 'ok')
      return this.end(name, 'rollback-failed', `rollback by hand failed: ${reasonOf(r)}`);
    const v = await this.step(hs, steps, ops, 'verify-rollback', false);
    if (v.status !== 'ok')
      return this.end(name, 'rollback-failed', `rolled back by hand but unhealthy: ${reasonOf(v)}`);
    return this.end(name, 'rolled-back', 'rolled back by hand');
  }

  /** Runs (or examines) one step, recorded before and after. */
  private async step(
    hs: RunHostSpec,
    steps: Steps,
    ops: StepContext['ops'],
    step: StepName,
    examine: boolean,
  ) {
    const name = hs.name;
    const ctx = this.context(hs, steps, ops, step);
    let outcome: StepOutcome | 'rerun' = 'rerun';
    if (examine)
      outcome = await examineStep(step, ctx, steps[step]?.detail ?? {}).catch(() => 'rerun' as const);
    if (outcome === 'rerun') {
      const attempts = await this.deps.store.stepStarted(this.runId, name, step, this.stamp());
      steps[step] = { status: 'running', attempts };
      this.emit(name, step, 'running', attempts);
      await this.deps.beforeStep?.(name, step);
      outcome = await performStep(step, ctx);
    }
    await this.deps.store.stepEnded(this.runId, name, step, {
      ...outcome,
      at: this.stamp(),
      actor: this.deps.actor,
    });
    const attempts = steps[step]?.attempts ?? 1;
    steps[step] = { status: outcome.status, attempts, detail: outcome.detail };
    this.emit(name, step, outcome.status, attempts, examine, reasonOf(outcome));
    return outcome;
  }

  private facts(hs: RunHostSpec, steps: Steps) {
    const r = this.spec.rollout;
    const cancelled =
      r.cutoffBehavior === 'cancel' &&
      this.cutoff !== undefined &&
      this.deps.clock().getTime() >= this.cutoff.getTime() &&
      steps.verify?.status !== 'ok';
    return {
      hasTargets: hs.targets.length > 0,
      reboot: r.reboot,
      restorePoint: hs.restorePoint,
      downgradeRollback: r.downgradeRollback,
      cancelled,
    };
  }

  private context(hs: RunHostSpec, steps: Steps, ops: StepContext['ops'], step: StepName): StepContext {
    const details: StepContext['details'] = {};
    for (const [k, v] of Object.entries(steps)) if (v.detail) details[k as StepName] = v.detail;
    return {
      runId: this.runId,
      spec: this.spec,
      host: hs,
      deps: this.deps,
      ops,
      details,
      note: (d) => this.deps.store.stepNote(this.runId, hs.name, step, d),
    };
  }

  private async end(host: string, state: HostRunState, reason: string) {
    await this.deps.store.setHost(this.runId, host, state, reason, { failure: isFailure(state, reason) });
    const e: RunEvent = { type: 'host', run: this.runId, host, state, reason, at: this.stamp() };
    this.deps.onEvent(e);
    this.deps.notifier?.event(e);
    return { state, reason };
  }

  private emit(
    host: string,
    step: StepName,
    status: StepView['status'],
    attempts: number,
    examined = false,
    reason?: string,
  ) {
    this.deps.onEvent({
      type: 'step',
      run: this.runId,
      host,
      step,
      status,
      attempts,
      at: this.stamp(),
      ...(examined ? { examined } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  private stamp() {
    return this.deps.clock().toISOString();
  }
}
