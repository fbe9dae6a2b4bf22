import { z } from 'zod';

/**
 * The steps of one host in a run, in the order they run. `precheck` includes the pre-hook; `verify`
 * the post-hook; `on-exit` always runs last (the on-exit hook), whatever happened before.
 */
export const STEPS = [
  'precheck',
  'snapshot',
  'apply',
  'reboot',
  'restart',
  'verify',
  'rollback',
  'verify-rollback',
  'on-exit',
] as const;
export type StepName = (typeof STEPS)[number];

/** A step's record: `running` is written before it starts, the outcome after it ends. */
export const STEP_STATUSES = ['running', 'ok', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Where a host of a run ends (or stands). Part of the CLI/API contract (`runs show`). */
export const HOST_STATES = [
  'pending',
  'running',
  'verified',
  'rolled-back',
  'rollback-failed',
  'failed',
  'skipped',
] as const;
export type HostRunState = (typeof HOST_STATES)[number];

/** The final states: a host in one of them never runs another step (but `on-exit`). */
export const FINAL_STATES: readonly HostRunState[] = [
  'verified',
  'rolled-back',
  'rollback-failed',
  'failed',
  'skipped',
];

/** When a host reboots. */
export const REBOOT_MODES = ['if-needed', 'never', 'always'] as const;
export type RebootMode = (typeof REBOOT_MODES)[number];

/** Whether a restore point must exist before a host changes. */
export const RESTORE_POINT_MODES = ['required', 'if-available', 'never'] as const;
export type RestorePointMode = (typeof RESTORE_POINT_MODES)[number];

/** `maxErrors`: a count (`2`) or a share of the run's hosts (`"20%"`). */
const MaxErrorsSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d{1,3}%$/, { message: 'expected a count such as 2 or a share such as "20%"' }),
]);

const ArgvSchema = z.array(z.string().min(1)).min(1).describe('argument vector run on the host, no shell');

/**
 * How runs roll out: `rollout:` in patchwise.yaml, and per window under the window's `rollout:` (which
 * wins key by key).
 */
export const RolloutSchema = z
  .object({
    canary: z.number().int().nonnegative().optional().describe('hosts patched first, alone (default 1)'),
    batchSize: z.number().int().positive().optional().describe('hosts per batch after the canaries'),
    maxConcurrency: z.number().int().positive().optional().describe('hosts patched at once (default 5)'),
    maxErrors: MaxErrorsSchema.optional().describe('failures after which no new host starts (default 1)'),
    staged: z.boolean().optional().describe('lower tiers (4, 3, ...) before higher ones (default true)'),
    reboot: z.enum(REBOOT_MODES).optional().describe('if-needed (default), never, always'),
    rebootTimeoutSeconds: z.number().int().positive().optional(),
    restorePoint: z
      .enum(RESTORE_POINT_MODES)
      .optional()
      .describe('required: never patch without one (default for tier 1 and 2); if-available; never'),
    downgradeRollback: z
      .boolean()
      .optional()
      .describe('with no restore point, roll back by installing the previous versions (default false)'),
    settleSeconds: z.number().int().nonnegative().optional().describe('health must hold this long'),
    lockTimeoutSeconds: z.number().int().positive().optional(),
    minFreeMiB: z.number().int().nonnegative().optional(),
    cutoffBehavior: z.enum(['continue', 'cancel']).optional(),
    hooks: z
      .object({ pre: ArgvSchema.optional(), post: ArgvSchema.optional(), onExit: ArgvSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type RolloutConfig = z.infer<typeof RolloutSchema>;
