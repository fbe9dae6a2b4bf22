import { z } from 'zod';

/** What a webhook can be told about. */
export const NOTIFY_EVENTS = [
  'emergency',
  'overdue',
  'run-finished',
  'rollback',
  'rollback-failed',
  'deferral-expiring',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Body formats: the generic JSON record, or Slack-compatible `{ text }`. */
export const NOTIFY_FORMATS = ['json', 'slack'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/**
 * One webhook under `notifications:`. The HMAC key is named by `secretEnv` (an environment variable),
 * never written in the file.
 */
export const WebhookSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'expected letters, digits, ".", "_" or "-"' })
      .describe('how logs, the outbox and `notifications test` name it'),
    url: z
      .url({ protocol: /^https?$/ })
      .describe('https:// (plain http only for 127.0.0.1 or localhost); a query string is never logged'),
    format: z.enum(NOTIFY_FORMATS).default('json').describe('json (default) or slack'),
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1).describe('the events sent to it'),
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' })
      .optional()
      .describe('environment variable holding the HMAC-SHA256 key that signs each body'),
    deferralExpiringDays: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('deferral-expiring: how many days before a review date (default 7)'),
  })
  .strict();
export type WebhookConfig = z.infer<typeof WebhookSchema>;

/** `notifications:` in patchwise.yaml: webhooks, names unique. */
export const NotificationsSchema = z
  .array(WebhookSchema)
  .default([])
  .refine((ws) => new Set(ws.map((w) => w.name)).size === ws.length, {
    message: 'webhook names must be unique',
  })
  .describe('webhooks told about emergencies, overdue findings, runs and expiring deferrals');
