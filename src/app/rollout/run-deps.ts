import type { HostOps } from '../../adapters/patching/host-ops.js';
import type { RestorePointProvider } from '../../adapters/providers/restore-point.js';
import type { RunStore } from '../../adapters/store/run-store.js';
import type { HostRunState, StepName, StepStatus } from '../../core/rollout/run-model.js';
import type { RunSummary } from './run-controller.js';

/** One thing a run did, for live progress lines and `--json` records. */
export type RunEvent =
  | {
      type: 'step';
      run: string;
      host: string;
      step: StepName;
      status: StepStatus;
      attempts: number;
      at: string;
      examined?: boolean;
      reason?: string;
    }
  | { type: 'host'; run: string; host: string; state: HostRunState; reason: string; at: string }
  | { type: 'note'; run: string; host?: string; at: string; message: string };

/** A host's restore point provider and the VM's id there. */
export interface HostProvider {
  provider: RestorePointProvider;
  id: string;
}

/**
 * What the run controller works through, injected so tests give fakes and the CLI the real adapters
 * (`hostOpsFor`, `restorePointProviderFor`, the scan path and the fleet pipeline for `rescan`).
 */
export interface RunDeps {
  store: RunStore;
  opsFor(host: string): HostOps;
  providerFor(host: string): HostProvider | undefined;
  /** Scans the host again and decides it: the ids of `vulnIds` still open on it. */
  rescan(host: string, vulnIds: readonly string[]): Promise<{ open: string[] }>;
  /** True when the window's owner acknowledged the run's occurrence (tier 1 hosts need it). */
  acknowledged(window: string, occurrence: string): Promise<boolean>;
  clock(): Date;
  sleep(ms: number): Promise<void>;
  onEvent(e: RunEvent): void;
  actor: string;
  /** this controller's process id (recorded on the run for `runs resume`) */
  pid: number;
  /** how often health and boot time are polled (default 1500 ms) */
  pollMs?: number;
  /** called after a step is recorded `running` and before it runs (tests make crash points reachable) */
  beforeStep?(host: string, step: StepName): Promise<void>;
  /** told of hosts' ends and the run's end (webhook notifications); optional */
  notifier?: RunNotifier;
}

/**
 * Hears a run for notifications: every host's end as it happens, then the run's end (`finished` without
 * a summary after a rollback by hand). It never fails the run: what it cannot send stays in the outbox.
 */
export interface RunNotifier {
  event(e: RunEvent): void;
  finished(summary?: RunSummary): Promise<void>;
}

/** A step's outcome as the performer reports it. */
export interface StepOutcome {
  status: 'ok' | 'failed' | 'skipped';
  output: string;
  detail: Record<string, unknown>;
}

export const okStep = (output: string, detail: Record<string, unknown> = {}): StepOutcome => ({
  status: 'ok',
  output,
  detail,
});
export const failStep = (reason: string, output = '', detail: Record<string, unknown> = {}): StepOutcome => ({
  status: 'failed',
  output: output || reason,
  detail: { ...detail, reason },
});
