/**
 * A feed record patchwise read but cannot use (an ecosystem whose versions it cannot order, a withdrawn
 * advisory, a range type that does not apply to distro packages). Counted and reported per source, never
 * silently dropped.
 */
export interface UnusableRecord {
  /** File (and zip entry) the record came from. */
  where: string;
  /** The advisory id, e.g. `GHSA-xxxx-…` or `CVE-2024-1234`. */
  vulnId: string;
  ecosystem?: string;
  package?: string;
  /** Why it cannot be used, in words (`ecosystem "npm" has no version ordering in patchwise`). */
  reason: string;
}

/** Counts unusable records by reason, for the feed summary and the `feed.meta` breakdown. */
export function countUnusableReasons(unusable: readonly UnusableRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const u of unusable) out[u.reason] = (out[u.reason] ?? 0) + 1;
  return out;
}
