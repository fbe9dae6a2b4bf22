import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, type MigrationProvider } from 'kysely';
import { OperationalError, UserError } from '../../core/errors.js';
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
 * SQLite runs DDL in transactions, but Kysely's adapter says it does not, so its migrator would run each
 * migration and its bookkeeping row outside one: a process killed halfway through converting a store
 * (migration 0003 rewrites every scan) would leave it half converted, and the next start would fail on
 * it. Saying so makes every migration all or nothing.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * Opens (creating if needed) the embedded SQLite store in `dataDir` and brings its schema up to date.
 * WAL mode so readers never block the writer; foreign keys on. A data directory that is not one, a
 * database file that is damaged or not a database, and one that cannot be written are the user's to fix
 * (`UserError`); anything else the store reports is operational.
 */
export async function openStore(dataDir: string): Promise<Store> {
  makeDataDir(dataDir);
  const file = path.join(dataDir, 'patchwise.db');
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
  } catch (e) {
    sqlite?.close();
    throw (
      storeError(file, e) ??
      new OperationalError('store-open', `Cannot open the database ${file}.`, undefined, { cause: e })
    );
  }
  const db = new Kysely<Database>({ dialect: new TransactionalSqliteDialect({ database: sqlite }) });
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw storeError(file, e instanceof OperationalError ? e.cause : e) ?? e;
  }
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Creates the data directory (mode 0700); a path that is not a directory or cannot be made is a user error. */
function makeDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      'Point --data-dir (or $PATCHWISE_HOME) at a directory patchwise may write; it is created if missing.';
    if (code === 'ENOTDIR')
      throw new UserError(
        'data-dir-not-dir',
        `The data directory ${dataDir} cannot be created: part of its path is a file.`,
        hint,
        { cause: e },
      );
    if (code === 'EEXIST')
      throw new UserError('data-dir-not-dir', `The data directory ${dataDir} is not a directory.`, hint, {
        cause: e,
      });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new UserError(
        'data-dir-access',
        `The data directory ${dataDir} cannot be created (${code}).`,
        hint,
        { cause: e },
      );
    throw e;
  }
}

/** The user error for what SQLite says of a database file, if it is one the user must fix. */
function storeError(file: string, e: unknown): UserError | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'))
    return new UserError(
      'store-corrupt',
      `The database ${file} is damaged or is not a patchwise database (${(e as Error).message}).`,
      `Move it aside (mv ${file} ${file}.bad) and import feeds and scans again, or restore it from a backup; or use another --data-dir.`,
      { cause: e },
    );
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM')
  )
    return new UserError(
      'store-access',
      `The database ${file} cannot be opened for writing (${(e as Error).message}).`,
      'Check that the data directory and patchwise.db are writable by this user, or use another --data-dir.',
      { cause: e },
    );
  return undefined;
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
