import { sql, type Kysely } from 'kysely';

/**
 * First-seen times at the grain a fleet can afford: per (package, vulnerability) anywhere, and per host
 * the source packages it has had affected, grouped by time in one row. A finding's deadlines count from
 * the later of the two. `finding_seen` (one row per host, vulnerability and package: 20 million rows for
 * 10,000 unpatched hosts) is converted and dropped: each package keeps the earliest time any of its
 * findings was seen on the host, each vulnerability the earliest on any host.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vuln_seen')
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('vuln_seen_pk', ['package', 'vuln_id'])
    .execute();
  await db.schema
    .createTable('package_seen')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('seen', 'text', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO vuln_seen (package, vuln_id, first_seen_at)
    SELECT package, vuln_id, MIN(first_seen_at) FROM finding_seen GROUP BY package, vuln_id`.execute(db);
  const rows = await sql<{ host: string; package: string; at: string }>`
    SELECT host, package, MIN(first_seen_at) AS at FROM finding_seen GROUP BY host, package ORDER BY host`.execute(
    db,
  );
  const byHost = new Map<string, Record<string, string[]>>();
  for (const r of rows.rows) {
    let seen = byHost.get(r.host);
    if (!seen) byHost.set(r.host, (seen = {}));
    (seen[r.at] ??= []).push(r.package);
  }
  for (const [host, seen] of byHost)
    await sql`INSERT INTO package_seen (host, seen) VALUES (${host}, ${JSON.stringify(seen)})`.execute(db);
  await db.schema.dropTable('finding_seen').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('package_seen').ifExists().execute();
  await db.schema.dropTable('vuln_seen').ifExists().execute();
}
