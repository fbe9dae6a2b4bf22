import { z } from 'zod';
import { HostSchema, sshValue } from '../inventory/host.js';
import { PolicySchema } from '../policy/policy-schema.js';
import { RolloutSchema } from '../rollout/run-model.js';
import { FreezeSchema, ReleaseSchema, WindowsSchema } from '../windows/window-schema.js';
import { NotificationsSchema } from './notification-schema.js';

/** Provider kinds patchwise knows. */
export const PROVIDER_KINDS = ['lab', 'raff', 'command'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The lab fleet (tests, benchmarks, demo): snapshots copy a host's overlay. */
export const LabProviderSchema = z
  .object({
    kind: z.literal('lab'),
    stateDir: z.string().min(1).describe('the lab state directory, e.g. /var/lib/patchwise-lab'),
  })
  .strict();

/** Raff Technologies: discovery through its API; the key never sits in this file. */
export const RaffProviderSchema = z
  .object({
    kind: z.literal('raff'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional()
      .describe('name of the environment variable holding the API key (default RAFF_API_KEY)'),
    apiKeyFile: z.string().min(1).optional().describe('file holding the API key (one line)'),
    projectId: z.uuid().optional().describe('Raff project (UUID); all reachable projects when absent'),
    baseUrl: z.url().optional().describe('API base URL (default https://api.rafftechnologies.com)'),
    snapshotTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('how long to wait for a snapshot to be ready (default 1200)'),
    powerTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('how long to wait for a VM to stop or start (default 600)'),
  })
  .strict();

/**
 * One command as an argument vector, run without a shell. Placeholders `{id}` (provider id) and
 * `{snapshot}` (restore point name) are replaced inside each argument. `{host}` is refused: restore
 * points are asked for by provider id and name only, so no host name is known when a command runs.
 */
export const CommandTemplateSchema = z
  .array(z.string())
  .min(1)
  .refine((argv) => !argv.some((a) => a.includes('{host}')), {
    message: '{host} is not available to provider commands; use {id} (the provider id) instead',
  })
  .describe('argument vector, run without a shell; {id} and {snapshot} are substituted');

/**
 * A provider driven by the user's own CLI (any cloud's CLI); see docs/providers.md. `status` exits 0 when
 * the named restore point exists (printing nothing or `ready`, or `pending` / `failed`) and 1 when it
 * does not; `list` prints one restore point name per line (optionally followed by its status), oldest
 * first.
 */
export const CommandProviderSchema = z
  .object({
    kind: z.literal('command'),
    snapshot: CommandTemplateSchema.optional(),
    restore: CommandTemplateSchema.optional(),
    delete: CommandTemplateSchema.optional(),
    list: CommandTemplateSchema.optional(),
    status: CommandTemplateSchema.optional().describe(
      'exit 0 when {snapshot} exists (stdout empty or ready, pending, failed), exit 1 when absent',
    ),
    powerCycle: CommandTemplateSchema.optional().describe('hard power-cycle of VM {id} (optional)'),
    timeoutSeconds: z.number().int().positive().optional().describe('limit for each command (default 600)'),
    readyTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('how long to poll status after snapshot until ready (default 1200)'),
  })
  .strict();

/** One entry under `providers:`, told apart by `kind`. */
export const ProviderSchema = z.discriminatedUnion('kind', [
  LabProviderSchema,
  RaffProviderSchema,
  CommandProviderSchema,
]);
export type ProviderConfig = z.infer<typeof ProviderSchema>;

/** SSH settings every host shares unless it says otherwise. */
export const SshSettingsSchema = z
  .object({
    identityFile: sshValue('path').optional().describe('private key passed as ssh -i'),
    knownHosts: sshValue('path')
      .refine((v) => !/\s/.test(v), { message: 'expected a path without spaces' })
      .optional()
      .describe('known_hosts file patchwise checks host keys against'),
    user: sshValue('user').optional().describe('default login user'),
    connectTimeoutSeconds: z.number().int().positive().optional(),
  })
  .strict();

/** A file named under `include:` holds hosts only. */
export const IncludedFileSchema = z.object({ hosts: z.array(HostSchema).default([]) }).strict();

/** `patchwise serve`: where it listens, its TLS files and its per-token rate limit. See docs/api.md. */
export const ServerSchema = z
  .object({
    listen: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/)
      .optional()
      .describe(
        'ADDRESS:PORT to listen on (default 127.0.0.1:8470); not loopback needs tls or --insecure-http',
      ),
    tls: z
      .object({
        cert: z.string().min(1).describe('PEM certificate chain file, relative to this file'),
        key: z.string().min(1).describe('PEM private key file, relative to this file'),
      })
      .strict()
      .optional(),
    rateLimit: z
      .object({
        max: z.number().int().positive().default(600).describe('requests per token per window'),
        timeWindowSeconds: z.number().int().positive().default(60),
      })
      .strict()
      .optional()
      .describe('per token (per address for requests without one); default 600 a minute'),
  })
  .strict();

/** The whole of patchwise.yaml. */
export const ConfigSchema = z
  .object({
    include: z
      .array(z.string().min(1))
      .default([])
      .describe('files holding `hosts:` lists, relative to this file; * and ? allowed, e.g. hosts/*.yaml'),
    ssh: SshSettingsSchema.optional(),
    providers: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), ProviderSchema)
      .default({})
      .describe('named providers; a host refers to one with provider: { name, id }'),
    hosts: z.array(HostSchema).default([]),
    feeds: z.object({}).loose().optional().describe('feed sources (a later issue)'),
    policy: PolicySchema.optional(),
    windows: WindowsSchema.default([]).describe('maintenance windows; see docs/windows.md'),
    freezes: z.array(FreezeSchema).default([]).describe('periods in which no window opens'),
    releases: z
      .array(ReleaseSchema)
      .default([])
      .describe('application releases; one inside a window is flagged as a conflict'),
    rollout: RolloutSchema.optional().describe('how runs roll out; see docs/runs.md'),
    notifications: NotificationsSchema.describe('webhooks; see docs/operations.md'),
    server: ServerSchema.optional().describe('the HTTP API of patchwise serve; see docs/api.md'),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

/** The JSON Schema of patchwise.yaml, generated from {@link ConfigSchema} (what editors complete from). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://patchwise.dev/schema/patchwise.schema.json',
    title: 'patchwise.yaml',
  };
}
