/** A host as ordering sees it. */
export interface OrderInput {
  name: string;
  tier?: number;
}

/** A host's place in a run: its position (0-based) and batch (batch 0.. are the canaries, one each). */
export interface OrderedHost {
  name: string;
  position: number;
  batch: number;
  canary: boolean;
}

/**
 * The order hosts start in: with `staged`, lower tiers first (4, 3, 2, 1; a host without a tier counts
 * as tier 1, the worst case), by name within a tier. The first `canary` hosts run alone, one batch each;
 * the rest go in batches of `batchSize`, a batch never spanning two tiers when staged.
 */
export function orderHosts(
  hosts: readonly OrderInput[],
  o: { canary: number; batchSize: number; staged: boolean },
): OrderedHost[] {
  const tierOf = (h: OrderInput) => (o.staged ? (h.tier ?? 1) : 0);
  const sorted = [...hosts].sort(
    (a, b) => tierOf(b) - tierOf(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const out: OrderedHost[] = [];
  let batch = -1;
  let inBatch = 0;
  let lastTier: number | undefined;
  sorted.forEach((h, position) => {
    const canary = position < o.canary;
    if (canary || inBatch >= o.batchSize || tierOf(h) !== lastTier || batch < 0) {
      batch++;
      inBatch = 0;
    }
    inBatch++;
    lastTier = canary ? undefined : tierOf(h);
    out.push({ name: h.name, position, batch, canary });
  });
  return out;
}

/**
 * The number of failures at which no new host starts: `maxErrors` as a count, or a share of the run's
 * hosts (`"20%"`, rounded up); at least 1 (0 means the same as 1: the first failure stops the run).
 */
export function errorLimit(maxErrors: number | string, hostCount: number): number {
  if (typeof maxErrors === 'number') return Math.max(1, maxErrors);
  const pct = Number(maxErrors.replace('%', ''));
  return Math.max(1, Math.ceil((hostCount * pct) / 100));
}

/** True when a run with `failures` so far has reached its error limit. */
export function errorLimitReached(failures: number, limit: number): boolean {
  return failures >= limit;
}

/** The last instant a host may start: the window's end minus its cutoff (minutes). */
export function cutoffAt(windowEnd: Date, cutoffMinutes: number): Date {
  return new Date(windowEnd.getTime() - cutoffMinutes * 60_000);
}

/**
 * Whether a host may start now: its batch's turn has come (every host of the earlier batches has
 * finished), the error limit is not reached, and the cutoff (when there is one) has not passed. The
 * reason says why not, for the hosts left `pending`.
 */
export function mayStart(o: {
  now: Date;
  cutoff?: Date;
  failures: number;
  limit: number;
  earlierBatchesDone: boolean;
}): { ok: true } | { ok: false; wait: boolean; reason: string } {
  if (errorLimitReached(o.failures, o.limit))
    return {
      ok: false,
      wait: false,
      reason: `stopped: ${o.failures} failed host(s) reached maxErrors (${o.limit})`,
    };
  if (o.cutoff && o.now.getTime() >= o.cutoff.getTime())
    return {
      ok: false,
      wait: false,
      reason: `not started: the window's cutoff (${o.cutoff.toISOString()}) passed`,
    };
  if (!o.earlierBatchesDone) return { ok: false, wait: true, reason: 'waiting for the batch before' };
  return { ok: true };
}
