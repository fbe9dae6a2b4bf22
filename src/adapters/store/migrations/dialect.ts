import { SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * An auto-incrementing integer primary key in whichever dialect `db` speaks: `INTEGER PRIMARY KEY
 * AUTOINCREMENT` on SQLite, an identity column on PostgreSQL. The one place migrations differ.
 */
export function autoId(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return sqlite
    ? (c) => c.primaryKey().autoIncrement()
    : (c) => c.primaryKey().generatedByDefaultAsIdentity();
}
