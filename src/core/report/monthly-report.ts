import { z } from 'zod';

/** How many items each section lists; the section's `total` counts them all. */
export const REPORT_TOP = 20;

/** A section's list: the first items (most pressing first) and how many there are in all. */
const top = <T extends z.ZodType>(item: T) =>
  z.object({ total: z.number().int().nonnegative(), items: z.array(item) });

/** Tier 0 stands for hosts without a tier. */
const tier = z.number().int().min(0).max(4).describe('1-4; 0: no tier recorded');

const UnpatchedHost = z.object({
  host: z.string(),
  tier,
  owner: z.string().nullable(),
  open: z.number().int(),
  overdue: z.number().int(),
  kev: z.number().int(),
  action: z.string().nullable(),
  dueAt: z.string().nullable(),
});

const TierCounts = z.object({
  tier,
  hosts: z.number().int(),
  open: z.number().int(),
  overdue: z.number().int(),
  kev: z.number().int(),
});

const KevFinding = z.object({
  host: z.string(),
  package: z.string(),
  vulnId: z.string(),
  action: z.string(),
  state: z.string(),
  dueAt: z.string(),
});

const DeferralItem = z.object({
  id: z.string(),
  findings: z.array(z.string()),
  scope: z.string(),
  owner: z.string(),
  review: z.string(),
  reason: z.string(),
});

const HostNote = z.object({ host: z.string(), detail: z.string() });

const RunItem = z.object({
  id: z.string(),
  kind: z.string(),
  window: z.string().nullable(),
  state: z.string(),
  createdAt: z.string(),
  hosts: z.number().int(),
  verified: z.number().int(),
  failed: z.number().int(),
  rolledBack: z.number().int(),
});

const TierRemediation = z.object({
  tier,
  fixed: z.number().int(),
  medianDays: z.number().nullable(),
  p90Days: z.number().nullable(),
  withDueDate: z.number().int(),
  onTime: z.number().int(),
  /** onTime / withDueDate; null when no fix had a due date. */
  slaCompliance: z.number().min(0).max(1).nullable(),
});

const FixItem = z.object({
  host: z.string(),
  package: z.string(),
  vulnId: z.string(),
  tier,
  days: z.number(),
  firstSeenAt: z.string(),
  fixedAt: z.string(),
  dueAt: z.string().nullable(),
  onTime: z.boolean().nullable(),
});

const DayCount = z.object({
  day: z.string(),
  open: z.number().int(),
  overdue: z.number().int(),
  kev: z.number().int(),
});

/** The monthly review as data: the JSON form of `report monthly` and `GET /api/reports/monthly`. */
export const MonthlyReportSchema = z.object({
  format: z.literal('patchwise-monthly-report'),
  version: z.literal(1),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** The month's bounds in the policy time zone, as ISO 8601 UTC instants: [from, to). */
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  generatedAt: z.string(),
  /** False while the month is still running: history sections cover it up to `generatedAt`. */
  complete: z.boolean(),
  notes: z.array(z.string()),
  fleet: z.object({
    inventoryHosts: z.number().int(),
    scannedHosts: z.number().int(),
    hostsWithOpenFindings: z.number().int(),
    openFindings: z.number().int(),
    overdue: z.number().int(),
    knownExploited: z.number().int(),
    deferred: z.number().int(),
  }),
  unpatched: top(UnpatchedHost),
  overdueByTier: z.array(TierCounts),
  knownExploited: top(KevFinding).extend({ hosts: z.number().int() }),
  deferrals: z.object({
    active: z.number().int(),
    dueForReview: top(DeferralItem),
    expired: top(DeferralItem),
  }),
  hygiene: z.object({
    staleDays: z.number().int(),
    oldDays: z.number().int(),
    noOwner: top(HostNote),
    notScanned: top(HostNote),
    endOfLife: top(HostNote),
    old: top(HostNote),
  }),
  reboots: z.object({ pendingReboot: top(HostNote), restartLists: top(HostNote) }),
  runs: top(RunItem).extend({ rolledBack: top(HostNote) }),
  remediation: z.object({
    fixed: z.number().int(),
    slaCompliance: z.number().min(0).max(1).nullable(),
    byTier: z.array(TierRemediation),
    slowest: top(FixItem),
  }),
  openOverTime: z.array(DayCount),
});
export type MonthlyReport = z.infer<typeof MonthlyReportSchema>;
export type UnpatchedHost = z.infer<typeof UnpatchedHost>;
export type FixItem = z.infer<typeof FixItem>;
export type TierRemediation = z.infer<typeof TierRemediation>;
export type HostNote = z.infer<typeof HostNote>;

/** The tier's name in words (0: unclassified). */
export function tierLabel(t: number): string {
  return t === 0 ? 'unclassified' : `tier ${t}`;
}

/**
 * The value at quantile `q` (0..1) of `sorted` (ascending), nearest-rank: the smallest value with at
 * least q of the values at or below it. Null for no values.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** Time-to-remediate and SLA compliance per tier of fixes given as {tier, days, onTime}. */
export function remediationByTier(
  fixes: readonly { tier: number; days: number; onTime: boolean | null }[],
): TierRemediation[] {
  const byTier = new Map<number, { days: number[]; withDue: number; onTime: number }>();
  for (const f of fixes) {
    let t = byTier.get(f.tier);
    if (!t) byTier.set(f.tier, (t = { days: [], withDue: 0, onTime: 0 }));
    t.days.push(f.days);
    if (f.onTime !== null) t.withDue++;
    if (f.onTime) t.onTime++;
  }
  return [...byTier]
    .sort(([a], [b]) => (a || 9) - (b || 9))
    .map(([tier, t]) => {
      const sorted = t.days.sort((a, b) => a - b);
      return {
        tier,
        fixed: sorted.length,
        medianDays: quantile(sorted, 0.5),
        p90Days: quantile(sorted, 0.9),
        withDueDate: t.withDue,
        onTime: t.onTime,
        slaCompliance: t.withDue ? t.onTime / t.withDue : null,
      };
    });
}
