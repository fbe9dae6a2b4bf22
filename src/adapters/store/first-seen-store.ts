import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The tables of migration 0004 as Kysely sees them. */
export type FirstSeenTables = {
  vuln_seen: { package: string; vuln_id: string; first_seen_at: string };
  /** `seen`: JSON `{ "<ISO time>": ["source package", …] }`, the host's affected packages by first-seen time. */
  package_seen: { host: string; seen: string };
};

/**
 * When findings were first seen, at the grain a fleet can afford: per (package, vulnerability) anywhere
 * and per (host, source package). A finding's deadlines count from the later of the two (see
 * docs/policy.md). Loaded per page of hosts and written back in batches, never a row per finding.
 */
export class FirstSeenStore {
  private readonly db: Kysely<Database & FirstSeenTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<FirstSeenTables>();
  }

  /** Every (package, vulnerability) first-seen time, by `package|vulnId`, in epoch ms. */
  async vulns(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('vuln_seen').selectAll().execute();
    return new Map(rows.map((r) => [vulnKey(r.package, r.vuln_id), Date.parse(r.first_seen_at)]));
  }

  /** The affected source packages of each of `hosts` with their first-seen times (epoch ms). */
  async packages(hosts: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    if (hosts.length === 0) return out;
    const rows = await this.db.selectFrom('package_seen').selectAll().where('host', 'in', hosts).execute();
    for (const r of rows) out.set(r.host, decodeSeen(r.seen));
    return out;
  }

  /**
   * Records new first-seen times: (package, vulnerability) pairs, and per host its packages (the whole
   * map, written as one row). Existing pairs keep their earlier time.
   */
  async record(
    vulns: readonly { package: string; vulnId: string; at: string }[],
    hosts: ReadonlyMap<string, ReadonlyMap<string, number>>,
  ): Promise<void> {
    if (vulns.length === 0 && hosts.size === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < vulns.length; i += 300) {
        const chunk = vulns
          .slice(i, i + 300)
          .map((v) => ({ package: v.package, vuln_id: v.vulnId, first_seen_at: v.at }));
        await tx
          .insertInto('vuln_seen')
          .values(chunk)
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      const rows = [...hosts].map(([host, seen]) => ({ host, seen: encodeSeen(seen) }));
      for (let i = 0; i < rows.length; i += 300) {
        await tx
          .insertInto('package_seen')
          .values(rows.slice(i, i + 300))
          .onConflict((oc) => oc.column('host').doUpdateSet((eb) => ({ seen: eb.ref('excluded.seen') })))
          .execute();
      }
    });
  }
}

/** The key of {@link FirstSeenStore.vulns}. */
export const vulnKey = (pkg: string, vulnId: string): string => `${pkg}|${vulnId}`;

function decodeSeen(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const byTime = JSON.parse(text) as Record<string, string[]>;
  for (const [at, packages] of Object.entries(byTime)) {
    const ms = Date.parse(at);
    for (const p of packages) out.set(p, ms);
  }
  return out;
}

function encodeSeen(seen: ReadonlyMap<string, number>): string {
  const byTime: Record<string, string[]> = {};
  for (const [pkg, ms] of seen) (byTime[new Date(ms).toISOString()] ??= []).push(pkg);
  return JSON.stringify(byTime);
}
