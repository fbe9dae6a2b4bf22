import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { RolloutSchema } from '../rollout/run-model.js';
import { isCronSchedule, scheduleProblem } from './schedule.js';

/** Rollback paths a window may name. */
export const ROLLBACKS = ['snapshot', 'backup', 'app-rollback', 'rebuild', 'failover'] as const;
export type Rollback = (typeof ROLLBACKS)[number];

/** Success criteria a window may require. */
export const SUCCESS_CRITERIA = ['services-healthy', 'no-pending-reboot', 'findings-fixed'] as const;
export type SuccessCriterion = (typeof SUCCESS_CRITERIA)[number];

/** Expected impact: `auto` (computed from the plan) or stated. */
export const IMPACTS = ['auto', 'none', 'services-restart', 'reboot', 'database-restart'] as const;
export type Impact = (typeof IMPACTS)[number];

/** The five parts a window whose scope includes tier 1 or 2 hosts must state. */
export const FIVE_PARTS = ['scope', 'impact', 'owner', 'rollback', 'success'] as const;
export type WindowPart = (typeof FIVE_PARTS)[number];

const DURATION = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** `3h`, `90m`, `1h30m`, `2d` -> minutes; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const [, d, h, min] = m;
  return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0);
}

/** True when `tz` is an IANA zone name the runtime knows (`Europe/Berlin`, `UTC`). */
export function isIanaTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    Temporal.PlainDate.from('2000-01-01').toZonedDateTime(tz);
    return true;
  } catch {
    return false;
  }
}

const hint = (text: string) => ({ params: { hint: text } });

const durationSchema = (what: string) =>
  z.string().refine((v) => (parseDuration(v) ?? 0) > 0, {
    message: `${what}: expected a duration such as 3h, 90m or 1h30m`,
    ...hint('Write hours and minutes with units: 3h, 90m, 1h30m, 2d.'),
  });

const timeZoneSchema = z
  .string()
  .refine(isIanaTimeZone, {
    message: 'expected an IANA time zone name',
    ...hint('Use a name from the tz database such as Europe/Berlin, America/New_York or UTC.'),
  })
  .describe('IANA time zone, e.g. Europe/Berlin');

const scheduleSchema = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    const problem = scheduleProblem(v);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `schedule not understood: ${problem}`,
        ...hint('Write an RRULE such as FREQ=MONTHLY;BYDAY=2TU, or cron such as "cron: 30 2 * * 2#2".'),
      });
  })
  .describe('RFC 5545 RRULE (FREQ=MONTHLY;BYDAY=2TU) or "cron: 30 2 * * 2#2"');

const stringList = z.array(z.string().min(1));

/** Which hosts a window covers: any host matching every listed criterion. */
export const WindowScopeSchema = z
  .object({
    tiers: z.array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    names: stringList.optional().describe('host names; * and ? match'),
    environments: stringList.optional(),
  })
  .strict();
export type WindowScope = z.infer<typeof WindowScopeSchema>;

const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
  message: 'expected letters, digits, dot, dash and underscore (at most 63)',
});

/** One maintenance window under `windows:`. */
export const WindowSchema = z
  .object({
    name: NAME,
    schedule: scheduleSchema,
    offsetDays: z.number().int().min(-30).max(30).optional().describe('days added to each date (-30..30)'),
    start: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a local time HH:MM' })
      .optional()
      .describe('local start time HH:MM in timeZone (an RRULE needs it; cron carries its own)'),
    duration: durationSchema('duration').describe('elapsed time, e.g. 3h or 90m'),
    cutoff: durationSchema('cutoff').optional().describe('no host starts in the last part of the window'),
    timeZone: timeZoneSchema,
    scope: WindowScopeSchema.optional(),
    owner: z.string().min(1).optional(),
    impact: z.enum(IMPACTS).optional(),
    rollback: z.enum(ROLLBACKS).optional(),
    success: z.array(z.enum(SUCCESS_CRITERIA)).min(1).optional(),
    rollout: RolloutSchema.optional().describe(
      "this window's rollout settings (win over the top-level rollout:)",
    ),
  })
  .strict()
  .superRefine((w, ctx) => {
    const cron = isCronSchedule(w.schedule);
    if (!cron && !w.start)
      ctx.addIssue({
        code: 'custom',
        path: ['start'],
        message: `window "${w.name}" has an RRULE schedule but no start`,
        ...hint('Add start: "02:30" (local time in timeZone).'),
      });
    if (cron && w.start)
      ctx.addIssue({
        code: 'custom',
        path: ['start'],
        message: `window "${w.name}" has a cron schedule, which sets the time itself; start is not used`,
        ...hint('Remove start:, or write the schedule as an RRULE.'),
      });
    const [dur, cut] = [parseDuration(w.duration), w.cutoff ? parseDuration(w.cutoff) : 0];
    if (dur && cut && cut >= dur)
      ctx.addIssue({
        code: 'custom',
        path: ['cutoff'],
        message: `cutoff ${w.cutoff} is not shorter than the duration ${w.duration}`,
        ...hint('The cutoff is the last part of the window in which no host starts.'),
      });
  });
export type WindowConfig = z.infer<typeof WindowSchema>;

/** A freeze: a dated range, or recurring. No window opens inside one. */
export const FreezeSchema = z.union([
  z
    .object({
      name: NAME,
      from: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, { message: 'expected YYYY-MM-DD' }),
      to: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, { message: 'expected YYYY-MM-DD' })
        .describe('a date is included whole'),
      timeZone: timeZoneSchema,
    })
    .strict(),
  z
    .object({
      name: NAME,
      schedule: scheduleSchema,
      start: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
        .optional()
        .describe('local start time HH:MM (default 00:00)'),
      duration: durationSchema('duration'),
      timeZone: timeZoneSchema,
    })
    .strict(),
]);
export type FreezeConfig = z.infer<typeof FreezeSchema>;

/** An application release; one inside a window's occurrence is a conflict. */
export const ReleaseSchema = z
  .object({
    name: z.string().min(1),
    at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/, {
      message: 'expected an ISO 8601 time such as 2026-12-10T14:00 or 2026-12-10T14:00:00+01:00',
    }),
    timeZone: timeZoneSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!/(Z|[+-]\d{2}:\d{2})$/.test(r.at) && !r.timeZone)
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: `release "${r.name}" gives a local time without timeZone`,
        ...hint('Add timeZone: Europe/Berlin, or write the offset: 2026-12-10T14:00+01:00.'),
      });
  });
export type ReleaseConfig = z.infer<typeof ReleaseSchema>;

/** The parts of the five a window lacks (scope, impact, owner, rollback, success). */
export function missingParts(w: WindowConfig): WindowPart[] {
  const has: Record<WindowPart, boolean> = {
    scope: Boolean(w.scope),
    impact: Boolean(w.impact),
    owner: Boolean(w.owner),
    rollback: Boolean(w.rollback),
    success: Boolean(w.success?.length),
  };
  return FIVE_PARTS.filter((p) => !has[p]);
}

/** `windows:`: names unique; tier 1 and 2 scopes state all five parts. */
export const WindowsSchema = z.array(WindowSchema).superRefine((ws, ctx) => {
  const seen = new Set<string>();
  ws.forEach((w, i) => {
    if (seen.has(w.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `window "${w.name}" is defined twice` });
    seen.add(w.name);
    const tier = w.scope?.tiers?.find((t) => t <= 2);
    if (tier) for (const part of missingParts(w)) ctx.addIssue(partIssue(w.name, i, part, `tier ${tier}`));
  });
});

/** The issue for a window covering tier 1 or 2 hosts without one of the five parts. */
export function partIssue(window: string, index: number, part: WindowPart, covers: string) {
  return {
    code: 'custom' as const,
    path: [index, part],
    message: `window "${window}" covers ${covers} hosts but has no ${part} (tier 1 and 2 windows state all five parts: scope, impact, owner, rollback, success)`,
    ...hint(PART_HINTS[part]),
  };
}

const PART_HINTS: Record<WindowPart, string> = {
  scope: 'Add scope: { tiers: [1], tags: { role: web } } (also names, environments).',
  impact:
    'Add impact: auto (computed from the plan), or state it: none, services-restart, reboot, database-restart.',
  owner: 'Add owner: the person or team answerable for the window, e.g. owner: team-web.',
  rollback: 'Add rollback: snapshot, backup, app-rollback, rebuild or failover.',
  success: 'Add success: [services-healthy, no-pending-reboot, findings-fixed].',
};
