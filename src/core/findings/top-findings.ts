import { compareRankKeys, type RankKey } from './rank-findings.js';

/**
 * The `limit` most pressing findings of a fleet, in rank order, kept while findings stream by: memory is
 * bounded by `limit`, not by the fleet. `wants` says whether a finding would make the cut, so callers
 * build a row only for one that does. Orders exactly as `compareFindings` (rank facts, then host,
 * package, vulnerability).
 */
export class TopFindings<T> {
  private readonly items: { key: RankKey; host: string; value: T }[] = [];
  constructor(readonly limit: number) {}

  /** True when a finding of `host` with `key` would be kept now. */
  wants(key: RankKey, host: string): boolean {
    if (this.items.length < this.limit) return true;
    const last = this.items[this.items.length - 1]!;
    return compareRankKeys(key, last.key, host, last.host) < 0;
  }

  /** Keeps `value` at its rank (call after {@link wants} said yes), dropping the least pressing past the limit. */
  add(key: RankKey, host: string, value: T): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.items[mid]!;
      if (compareRankKeys(m.key, key, m.host, host) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { key, host, value });
    if (this.items.length > this.limit) this.items.pop();
  }

  /** The kept values, most pressing first. */
  values(): T[] {
    return this.items.map((x) => x.value);
  }
}
