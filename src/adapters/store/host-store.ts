import type { Kysely } from 'kysely';
import { HostSchema, type Host } from '../../core/inventory/host.js';
import { latestScanSummaries } from './scan-store.js';
import type { Database } from './schema.js';

/** A host as the store keeps it. */
export interface StoredHost {
  host: Host;
  createdAt: string;
  updatedAt: string;
}

/** What an upsert did. */
export type UpsertOutcome = 'added' | 'updated' | 'unchanged';

/** JSON with keys sorted at every level, so equal records compare equal as text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * The inventory hosts kept in the database (added with `hosts add` or imported), one row per host
 * name, the record stored as the JSON of {@link Host}.
 */
export class HostStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every stored host, by name; a row that no longer parses is returned in `invalid`, not thrown. */
  async list(): Promise<{ hosts: StoredHost[]; invalid: { name: string; reason: string }[] }> {
    const rows = await this.db.selectFrom('host').selectAll().orderBy('name').execute();
    const hosts: StoredHost[] = [];
    const invalid: { name: string; reason: string }[] = [];
    for (const r of rows) {
      const parsed = HostSchema.safeParse(safeJson(r.record));
      if (parsed.success) hosts.push({ host: parsed.data, createdAt: r.created_at, updatedAt: r.updated_at });
      else invalid.push({ name: r.name, reason: parsed.error.issues[0]?.message ?? 'invalid record' });
    }
    return { hosts, invalid };
  }

  /** One stored host, or undefined. */
  async get(name: string): Promise<StoredHost | undefined> {
    const r = await this.db.selectFrom('host').selectAll().where('name', '=', name).executeTakeFirst();
    if (!r) return undefined;
    const parsed = HostSchema.safeParse(safeJson(r.record));
    return parsed.success
      ? { host: parsed.data, createdAt: r.created_at, updatedAt: r.updated_at }
      : undefined;
  }

  /** Inserts or replaces a host; says whether anything changed. `now` is an ISO timestamp. */
  async upsert(host: Host, now: string): Promise<UpsertOutcome> {
    const record = canonical(HostSchema.parse(host));
    const existing = await this.db
      .selectFrom('host')
      .select('record')
      .where('name', '=', host.name)
      .executeTakeFirst();
    if (!existing) {
      await this.db
        .insertInto('host')
        .values({ name: host.name, record, created_at: now, updated_at: now })
        .execute();
      return 'added';
    }
    if (canonical(safeJson(existing.record)) === record) return 'unchanged';
    await this.db
      .updateTable('host')
      .set({ record, updated_at: now })
      .where('name', '=', host.name)
      .execute();
    return 'updated';
  }

  /** Removes a host; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('host').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The OS (`debian:12`) of each named host's latest successful scan, from its summary column (no package list read). */
  async latestOs(names: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const s of await latestScanSummaries(this.db, names)) if (s.lastOk?.os) out.set(s.host, s.lastOk.os);
    return out;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
