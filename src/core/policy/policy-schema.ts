import { IANAZone } from 'luxon';
import { z } from 'zod';

/** How a tier's routine patches are paced (the article's "patch rhythm"). */
export const RHYTHMS = ['monthly', 'biweekly', 'weekly', 'automatic', 'review'] as const;
export type Rhythm = (typeof RHYTHMS)[number];

/** A tier's emergency behaviour, as the article's tier table names it. */
export const EMERGENCY_BEHAVIOURS = [
  'owner-present',
  'patch-if-exposed',
  'rebuild',
  'isolate-if-unmaintained',
] as const;
export type EmergencyBehaviour = (typeof EMERGENCY_BEHAVIOURS)[number];

interface TierDefaults {
  label: string;
  rhythm: Rhythm;
  windowDays: number;
  emergency: EmergencyBehaviour;
}

function tierSchema(d: TierDefaults) {
  return z
    .object({
      label: z.string().default(d.label).describe('example workloads, for people reading the config'),
      rhythm: z.enum(RHYTHMS).default(d.rhythm).describe('how routine patches are paced'),
      windowDays: z
        .number()
        .positive()
        .default(d.windowDays)
        .describe('days until the next regular window, used until real maintenance windows are configured'),
      emergency: z.enum(EMERGENCY_BEHAVIOURS).default(d.emergency).describe('emergency behaviour'),
    })
    .strict()
    .prefault({});
}

const TiersSchema = z
  .object({
    '1': tierSchema({
      label: 'production app, database, customer-facing service',
      rhythm: 'monthly',
      windowDays: 30,
      emergency: 'owner-present',
    }),
    '2': tierSchema({
      label: 'internal tools, staging, analytics',
      rhythm: 'weekly',
      windowDays: 7,
      emergency: 'patch-if-exposed',
    }),
    '3': tierSchema({
      label: 'dev, test, disposable environments',
      rhythm: 'automatic',
      windowDays: 7,
      emergency: 'rebuild',
    }),
    '4': tierSchema({
      label: 'archived or rarely used systems',
      rhythm: 'review',
      windowDays: 30,
      emergency: 'isolate-if-unmaintained',
    }),
  })
  .strict()
  .prefault({});

const DeadlinesSchema = z
  .object({
    emergencyHours: z
      .number()
      .positive()
      .default(48)
      .describe('known-exploited (or EPSS over threshold) on an internet-facing host'),
    kevDays: z
      .number()
      .positive()
      .default(14)
      .describe('other known-exploited: KEV dueDate or this many days, whichever is sooner (BOD 22-01)'),
    criticalDays: z
      .number()
      .positive()
      .default(15)
      .describe('CVSS >= critical or urgency critical (BOD 19-02)'),
    highDays: z.number().positive().default(30).describe('CVSS >= high (BOD 19-02)'),
    urgentWindowDays: z
      .number()
      .positive()
      .default(15)
      .describe('latest due date of any urgent-window action, e.g. a kernel update on production'),
  })
  .strict()
  .prefault({});

const SeveritySchema = z
  .object({
    criticalCvss: z.number().min(0).max(10).default(9),
    highCvss: z.number().min(0).max(10).default(7),
    criticalUrgencies: z
      .array(z.string())
      .default(['high', 'critical'])
      .describe('distro urgencies that count as critical'),
    highUrgencies: z.array(z.string()).default([]).describe('distro urgencies that count as high'),
  })
  .strict()
  .prefault({});

const EmergencySchema = z
  .object({
    kev: z.boolean().default(true).describe('exploitation in the wild (CISA KEV) is a trigger'),
    epssThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('EPSS probability at or above which exploitation is treated as likely'),
    epss: z.boolean().default(true).describe('EPSS at or above the threshold is a trigger'),
    criticalAdvisory: z.boolean().default(true).describe('a vendor advisory rated critical is a trigger'),
    advisoryUrgencies: z
      .array(z.string())
      .default(['critical'])
      .describe('distro urgencies that mean "critical vendor advisory"'),
    exposures: z
      .array(z.enum(['internet', 'internal', 'isolated']))
      .default(['internet'])
      .describe('exposures on which a trigger makes an emergency'),
  })
  .strict()
  .prefault({});

const ActionDays = (d: [number, number, number, number, number, number]) =>
  z
    .object({
      emergency: z.number().nonnegative().default(d[0]),
      compensate: z.number().nonnegative().default(d[1]),
      'urgent-window': z.number().nonnegative().default(d[2]),
      staged: z.number().nonnegative().default(d[3]),
      'regular-window': z.number().nonnegative().default(d[4]),
      weekly: z.number().nonnegative().default(d[5]),
    })
    .strict()
    .prefault({});

const DeferralPolicySchema = z
  .object({
    maxDays: ActionDays([3, 14, 14, 30, 30, 30]).describe(
      'longest deferral per action class without an approver',
    ),
    approvedMaxDays: ActionDays([14, 30, 45, 90, 90, 90]).describe(
      'longest deferral per action class with an approver',
    ),
    expiringDays: z
      .number()
      .nonnegative()
      .default(7)
      .describe('"expiring" when it ends within this many days'),
  })
  .strict()
  .prefault({});

const CompatibilityRiskSchema = z
  .object({
    package: z.string().min(1).describe('source or binary package name; * matches any run of characters'),
    reason: z.string().min(1),
  })
  .strict();

/** The `policy:` section of patchwise.yaml. Every field has a default, so `policy: {}` is a full policy. */
export const PolicySchema = z
  .object({
    timeZone: z
      .string()
      .refine((tz) => IANAZone.isValidZone(tz), 'an IANA time zone such as UTC or Europe/Berlin')
      .default('UTC')
      .describe('IANA time zone for due dates and date-only values'),
    productionEnvironments: z
      .array(z.string())
      .default(['production', 'prod'])
      .describe('environment names that count as production (case-insensitive)'),
    tiers: TiersSchema,
    deadlines: DeadlinesSchema,
    severity: SeveritySchema,
    emergency: EmergencySchema,
    deferral: DeferralPolicySchema,
    compatibilityRisks: z
      .array(CompatibilityRiskSchema)
      .default([])
      .describe('packages with a known compatibility risk: their updates are staged'),
  })
  .strict();
export type Policy = z.infer<typeof PolicySchema>;
export type TierPolicy = Policy['tiers']['1'];

/** The policy with every default, as `policy: {}` gives it. */
export function defaultPolicy(): Policy {
  return PolicySchema.parse({});
}
