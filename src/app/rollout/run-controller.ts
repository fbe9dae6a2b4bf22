import type { RunHostRecord } from '../../adapters/store/run-store.js';
import { UserError } from '../../core/errors.js';
import { nextStep, type StepView } from '../../core/rollout/next-step.js';
import { errorLimit, mayStart } from '../../core/rollout/order.js';
import { FINAL_STATES, type HostRunState, type StepName } from '../../core/rollout/run-model.js';
import type { RunHostSpec, RunSpec } from '../../core/rollout/run-spec.js';
import { examineStep, performStep, type StepContext } from './host-steps.js';
import type { RunDeps, StepOutcome } from './run-deps.js';

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
    return await finish(runId, deps, state.stop);
  } finally {
    clearInterval(beat);
  }
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
      const ctx = this.context(hs, steps, ops, a.step);
      let outcome: StepOutcome | 'rerun' = 'rerun';
      if (a.do === 'examine')
        outcome = await examineStep(a.step, ctx, steps[a.step]?.detail ?? {}).catch(() => 'rerun' as const);
      if (outcome === 'rerun') {
        const attempts = await this.deps.store.stepStarted(this.runId, name, a.step, this.stamp());
        steps[a.step] = { status: 'running', attempts };
        this.emit(name, a.step, 'running', attempts);
        await this.deps.beforeStep?.(name, a.step);
        outcome = await performStep(a.step, ctx);
      }
      await this.deps.store.stepEnded(this.runId, name, a.step, {
        ...outcome,
        at: this.stamp(),
        actor: this.deps.actor,
      });
      const attempts = steps[a.step]?.attempts ?? 1;
      steps[a.step] = { status: outcome.status, attempts, detail: outcome.detail };
      const reason = typeof outcome.detail.reason === 'string' ? outcome.detail.reason : undefined;
      this.emit(name, a.step, outcome.status, attempts, a.do === 'examine', reason);
    }
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
    this.deps.onEvent({ type: 'host', run: this.runId, host, state, reason, at: this.stamp() });
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
