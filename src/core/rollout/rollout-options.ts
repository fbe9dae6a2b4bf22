import type { RollbackRequirement } from '../policy/actions.js';
import type { RebootMode, RestorePointMode, RolloutConfig } from './run-model.js';

/** Rollout settings with every default filled in (`restorePoint` stays per host: see {@link restorePointFor}). */
export interface ResolvedRollout {
  canary: number;
  batchSize: number;
  maxConcurrency: number;
  maxErrors: number | string;
  staged: boolean;
  reboot: RebootMode;
  rebootTimeoutSeconds: number;
  /** Set only when configured; else each host's default ({@link restorePointFor}). */
  restorePoint?: RestorePointMode;
  downgradeRollback: boolean;
  settleSeconds: number;
  lockTimeoutSeconds: number;
  minFreeMiB: number;
  cutoffBehavior: 'continue' | 'cancel';
  hooks: { pre?: string[]; post?: string[]; onExit?: string[] };
}

/** The defaults of docs/runs.md. */
export const ROLLOUT_DEFAULTS = {
  canary: 1,
  maxConcurrency: 5,
  maxErrors: 1,
  staged: true,
  reboot: 'if-needed',
  rebootTimeoutSeconds: 300,
  downgradeRollback: false,
  settleSeconds: 10,
  lockTimeoutSeconds: 120,
  minFreeMiB: 200,
  cutoffBehavior: 'continue',
} as const;

/**
 * The rollout settings of a run: the defaults, then the configuration's `rollout:`, then the window's
 * `rollout:` (each key set wins over the one before). `batchSize` defaults to `maxConcurrency`.
 */
export function resolveRollout(config?: RolloutConfig, window?: RolloutConfig): ResolvedRollout {
  const merged: RolloutConfig = { ...config, ...window };
  const hooks = { ...config?.hooks, ...window?.hooks };
  const maxConcurrency = merged.maxConcurrency ?? ROLLOUT_DEFAULTS.maxConcurrency;
  const out: ResolvedRollout = {
    canary: merged.canary ?? ROLLOUT_DEFAULTS.canary,
    batchSize: merged.batchSize ?? maxConcurrency,
    maxConcurrency,
    maxErrors: merged.maxErrors ?? ROLLOUT_DEFAULTS.maxErrors,
    staged: merged.staged ?? ROLLOUT_DEFAULTS.staged,
    reboot: merged.reboot ?? ROLLOUT_DEFAULTS.reboot,
    rebootTimeoutSeconds: merged.rebootTimeoutSeconds ?? ROLLOUT_DEFAULTS.rebootTimeoutSeconds,
    downgradeRollback: merged.downgradeRollback ?? ROLLOUT_DEFAULTS.downgradeRollback,
    settleSeconds: merged.settleSeconds ?? ROLLOUT_DEFAULTS.settleSeconds,
    lockTimeoutSeconds: merged.lockTimeoutSeconds ?? ROLLOUT_DEFAULTS.lockTimeoutSeconds,
    minFreeMiB: merged.minFreeMiB ?? ROLLOUT_DEFAULTS.minFreeMiB,
    cutoffBehavior: merged.cutoffBehavior ?? ROLLOUT_DEFAULTS.cutoffBehavior,
    hooks,
  };
  if (merged.restorePoint) out.restorePoint = merged.restorePoint;
  return out;
}

/**
 * A host's restore point mode: the configured one when set, else `required` for tier 1 and 2 hosts (and
 * hosts without a tier, taken as the worse case) and whenever the host's rollup asks for a snapshot
 * first, else `if-available`.
 */
export function restorePointFor(
  r: Pick<ResolvedRollout, 'restorePoint'>,
  tier: number | undefined,
  rollback: readonly RollbackRequirement[] = [],
): RestorePointMode {
  if (r.restorePoint) return r.restorePoint;
  if (tier === undefined || tier <= 2 || rollback.includes('snapshot-first')) return 'required';
  return 'if-available';
}
