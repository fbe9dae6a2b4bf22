import { z } from 'zod';
import { SSH_VALUE_RULES, isSshValue, type SshValueKind } from './ssh-values.js';

/** How exposed a host is; the order is from most to least exposed. */
export const EXPOSURES = ['internet', 'internal', 'isolated'] as const;
export type Exposure = (typeof EXPOSURES)[number];
/** True when `v` is one of {@link EXPOSURES}. */
export function isExposure(v: unknown): v is Exposure {
  return (EXPOSURES as readonly unknown[]).includes(v);
}

/** Workload tiers, as the article defines them: 1 production … 4 archived. */
export const TIERS = [1, 2, 3, 4] as const;
export type Tier = (typeof TIERS)[number];
/** True when `v` is one of {@link TIERS}. */
export function isTier(v: unknown): v is Tier {
  return (TIERS as readonly unknown[]).includes(v);
}

/** Host names: what the CLI, reports and the store key on. */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** {@link HOST_NAME_PATTERN} in words, for messages. */
export const HOST_NAME_RULE =
  'a letter or digit, then letters, digits, dot, dash or underscore; at most 63 characters';

/** A string that may reach ssh's command line as a `kind` value; the rule is the message. */
export const sshValue = (kind: SshValueKind) =>
  z.string().refine((v) => isSshValue(kind, v), { message: `expected ${SSH_VALUE_RULES[kind].rule}` });

/** How to reach a host: the system OpenSSH client, or the machine patchwise runs on. */
export const ConnectionSchema = z.union([
  z
    .object({
      ssh: z
        .object({
          host: sshValue('host').describe('address or ~/.ssh/config alias'),
          user: sshValue('user').optional(),
          port: z.number().int().min(1).max(65535).optional(),
          jump: sshValue('jump').optional().describe('ProxyJump: [user@]host[:port]'),
          identityFile: sshValue('path').optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ local: z.literal(true) }).strict(),
]);
export type Connection = z.infer<typeof ConnectionSchema>;

/** A health check that proves a service works after patching. */
export const ServiceSchema = z
  .object({
    name: z.string().min(1),
    unit: z.string().min(1).optional().describe('systemd unit'),
    http: z.string().url().optional().describe('URL that must answer 2xx'),
    tcp: z
      .string()
      .regex(/^[^:\s]+:\d+$/)
      .optional()
      .describe('host:port that must accept a connection'),
    command: z.array(z.string().min(1)).min(1).optional().describe('argv run on the host, exit 0 = healthy'),
  })
  .strict();
export type Service = z.infer<typeof ServiceSchema>;

/** Where a host's restore points and discovery come from: a `providers:` entry and the VM's id there. */
export const HostProviderSchema = z
  .object({
    name: z.string().min(1).describe('name of an entry under providers:, e.g. raff, lab'),
    id: z.string().min(1).describe("the VM's id at that provider"),
  })
  .strict();

/**
 * One host of the inventory. Tier, exposure and owner are optional in the file so that a host can be
 * recorded before it is classified, but a host lacking any of them is flagged, never silently defaulted
 * into the lowest risk.
 */
export const HostSchema = z
  .object({
    name: z
      .string()
      .regex(HOST_NAME_PATTERN, 'letters, digits, dot, dash, underscore; at most 63')
      .describe('unique name; letters, digits, dot, dash, underscore'),
    connection: ConnectionSchema.optional().describe(
      '{ ssh: { host, user, port, jump } } or { local: true }',
    ),
    os: z.string().optional().describe('ID:VERSION_ID, e.g. debian:12; learned by scanning when absent'),
    provider: HostProviderSchema.optional(),
    tier: z
      .literal(TIERS)
      .optional()
      .describe('1 production/critical, 2 important, 3 internal/dev, 4 archived/low value'),
    exposure: z.enum(EXPOSURES).optional().describe('internet, internal or isolated'),
    environment: z.string().min(1).optional().describe('production, staging, development, ...'),
    owner: z.string().min(1).optional().describe('person or team answerable for the host'),
    services: z.array(ServiceSchema).default([]),
    tags: z.record(z.string(), z.string()).default({}),
    publicAddress: z.string().optional(),
    createdAt: z.string().optional().describe('when the VM was created (ISO 8601)'),
  })
  .strict();
export type Host = z.infer<typeof HostSchema>;

/** What is missing from a host's classification, in words; empty when it is complete. */
export function classificationGaps(h: Pick<Host, 'tier' | 'exposure' | 'owner'>): string[] {
  const gaps: string[] = [];
  if (h.tier === undefined) gaps.push('no tier');
  if (h.exposure === undefined) gaps.push('no exposure');
  if (!h.owner) gaps.push('no owner');
  return gaps;
}

/**
 * Turns a name from elsewhere (a VM display name, a Terraform address) into a valid host name:
 * other characters become dashes, runs of dashes collapse, at most 63 characters. Undefined when
 * nothing usable is left.
 */
export function toHostName(raw: string): string | undefined {
  const s = raw
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return HOST_NAME_PATTERN.test(s) ? s : undefined;
}
