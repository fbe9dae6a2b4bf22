import { z } from 'zod';

/** How exposed a host is; the order is from most to least exposed. */
export const EXPOSURES = ['internet', 'internal', 'isolated'] as const;
export type Exposure = (typeof EXPOSURES)[number];

/** Workload tiers, as the article defines them: 1 production … 4 archived. */
export const TIERS = [1, 2, 3, 4] as const;
export type Tier = (typeof TIERS)[number];

/** How to reach a host: the system OpenSSH client, or the machine patchwise runs on. */
export const ConnectionSchema = z.union([
  z
    .object({
      ssh: z.object({
        host: z.string().min(1).describe('address or ~/.ssh/config alias'),
        user: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        jump: z.string().min(1).optional().describe('ProxyJump: [user@]host[:port]'),
        identityFile: z.string().min(1).optional(),
      }),
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
  })
  .strict();
export type Service = z.infer<typeof ServiceSchema>;

/**
 * One host of the inventory. Tier, exposure and owner are optional in the file so that a host can be
 * recorded before it is classified, but a host lacking any of them is flagged, never silently defaulted
 * into the lowest risk.
 */
export const HostSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, dot, dash, underscore; at most 63'),
    connection: ConnectionSchema.optional(),
    os: z.string().optional().describe('ID:VERSION_ID, e.g. debian:12; learned by scanning when absent'),
    provider: z
      .object({ name: z.string().min(1), id: z.string().min(1) })
      .strict()
      .optional(),
    tier: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    exposure: z.enum(EXPOSURES).optional(),
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
