import type { Kysely } from 'kysely';
import type { Store } from '../adapters/store/open-store.js';
import type { Database } from '../adapters/store/schema.js';
import { saveScan } from '../adapters/store/scan-store.js';
import { resultOf, type ScanOutcome, type ScanResult } from './scan-result.js';

/**
 * The one writer of scans: records each outcome (every scan is kept, failed and skipped ones too; the
 * state only when it succeeded) and returns the results as `scan --json` prints them. Several outcomes
 * are written in one transaction. Without a store, or for a host name the store cannot hold
 * (`bad-name`), nothing is written and the result has no `scanId`.
 */
export async function recordScans(
  store: Store | undefined,
  outcomes: readonly ScanOutcome[],
): Promise<ScanResult[]> {
  if (!store || outcomes.length === 0) return outcomes.map((o) => resultOf(o));
  return store.db.transaction().execute((tx) => recordScansIn(tx, outcomes));
}

/**
 * {@link recordScans} inside a transaction the caller holds, so a bulk import can write its scans in
 * pieces and still commit them all at once (or none).
 */
export async function recordScansIn(
  tx: Kysely<Database>,
  outcomes: readonly ScanOutcome[],
): Promise<ScanResult[]> {
  const results: ScanResult[] = [];
  for (const o of outcomes) {
    if (o.reason === 'bad-name') {
      results.push(resultOf(o));
      continue;
    }
    const id = await saveScan(tx, {
      host: o.host,
      startedAt: o.startedAt.toISOString(),
      finishedAt: new Date(o.startedAt.getTime() + o.durationMs).toISOString(),
      status: o.status,
      error: o.status === 'ok' ? null : (o.message ?? o.reason ?? null),
      state: o.status === 'ok' ? (o.state ?? null) : null,
    });
    results.push(resultOf(o, id));
  }
  return results;
}

/** Records one outcome (see {@link recordScans}). */
export async function recordScan(store: Store | undefined, outcome: ScanOutcome): Promise<ScanResult> {
  return (await recordScans(store, [outcome]))[0]!;
}
