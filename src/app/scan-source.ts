import type { Kysely } from 'kysely';
import type { Database } from '../adapters/store/schema.js';
import { latestScanSummaries, readHostState, streamLatestOkScans } from '../adapters/store/scan-store.js';
import type { HostState } from '../core/inventory/host-state.js';

/** A host's latest successful scan, read for the pipeline. */
export interface ScannedState {
  id: number;
  host: string;
  startedAt: string;
  state: HostState;
}

/** The host and OS of the latest successful scan of every host (or of `hosts`), by host name. */
export async function latestHostOs(
  db: Kysely<Database>,
  hosts?: readonly string[],
): Promise<{ host: string; os: string }[]> {
  const out: { host: string; os: string }[] = [];
  for (const s of await latestScanSummaries(db, hosts))
    if (s.lastOk) out.push({ host: s.host, os: s.lastOk.os });
  return out;
}

/** The latest successful scans, in host-name order, read a page at a time (memory flat in fleet size). */
export async function* streamLatestStates(
  db: Kysely<Database>,
  hosts?: readonly string[],
  pageSize = 200,
): AsyncGenerator<ScannedState> {
  for await (const s of streamLatestOkScans(db, { ...(hosts ? { hosts } : {}), pageSize })) {
    yield { id: s.id, host: s.host, startedAt: s.startedAt, state: readHostState(s) };
  }
}
