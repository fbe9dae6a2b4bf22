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

/** The binary column type of `db`'s dialect: `blob` on SQLite, `bytea` on PostgreSQL. */
export function blobType(db: Kysely<unknown>): 'blob' | 'bytea' {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'blob' : 'bytea';
}
