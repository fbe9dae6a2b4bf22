import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { TransactionalSqliteDialect } from './open-store.js';

describe('migrations on SQLite', () => {
  it('are all or nothing: a migration that fails halfway leaves no trace and is not recorded', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<unknown>({ dialect: new TransactionalSqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({
      db,
      provider: {
        getMigrations: async () => ({
          '0001-half': {
            up: async (d: Kysely<unknown>) => {
              await d.schema.createTable('t').addColumn('x', 'integer').execute();
              await sql`INSERT INTO t (x) VALUES (1)`.execute(d);
              throw new Error('killed halfway');
            },
          },
        }),
      },
    });
    const { error } = await migrator.migrateToLatest();
    expect(String(error)).toContain('killed halfway');
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).not.toContain('t');
    expect(sqlite.prepare('SELECT count(*) AS n FROM kysely_migration').get()).toEqual({ n: 0 });
    await db.destroy();
  });
});
