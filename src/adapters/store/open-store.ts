import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { OperationalError } from '../../core/errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

/** An open store: the Kysely handle plus its dialect, so callers can pick dialect-specific fast paths. */
export interface Store {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Opens (creating if needed) the embedded SQLite store in `dataDir` and brings its schema up to date.
 * WAL mode so readers never block the writer; foreign keys on.
 */
export async function openStore(dataDir: string): Promise<Store> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'patchwise.db');
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (e) {
    throw new OperationalError('store-open', `Cannot open the database ${file}.`, undefined, { cause: e });
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Applies pending migrations; a failed migration is an operational error naming it. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new OperationalError('store-migrate', `Database migration ${failed} failed.`, undefined, {
      cause: error,
    });
  }
}
