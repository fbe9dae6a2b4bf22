import { sql, type Kysely } from 'kysely';
import type { Database } from '../adapters/store/schema.js';
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
  const rows = await latest(db, hosts)
    .select(['host', sql<string>`json_extract(state, '$.os')`.as('os')])
    .orderBy('host')
    .execute();
  return rows.map((r) => ({ host: r.host, os: r.os ?? '' }));
}

/** The latest successful scans, in host-name order, read a page at a time (memory flat in fleet size). */
export async function* streamLatestStates(
  db: Kysely<Database>,
  hosts?: readonly string[],
  pageSize = 200,
): AsyncGenerator<ScannedState> {
  let after = '';
  for (;;) {
    const rows = await latest(db, hosts)
      .selectAll()
      .where('host', '>', after)
      .orderBy('host')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      if (!r.state) continue;
      yield {
        id: Number(r.id),
        host: r.host,
        startedAt: r.started_at,
        state: JSON.parse(r.state) as HostState,
      };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.host;
  }
}

function latest(db: Kysely<Database>, hosts?: readonly string[]) {
  let ids = db
    .selectFrom('scan')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('status', '=', 'ok');
  if (hosts) ids = ids.where('host', 'in', hosts.length > 0 ? [...hosts] : ['']);
  return db.selectFrom('scan').where('id', 'in', ids.groupBy('host'));
}
