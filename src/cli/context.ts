import path from 'node:path';
import type { Store } from '../adapters/store/open-store.js';
import { UserError } from '../core/errors.js';

/** Parses a `--now` value: an ISO 8601 time with a zone, or a plain date (midnight UTC). */
export function parseNow(raw: string): Date {
  const v = raw.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(iso);
  const at = ok ? new Date(iso) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw new UserError(
      'bad-now',
      `--now (or $PATCHWISE_NOW) takes a date or an ISO 8601 time with a zone, not ${JSON.stringify(v.slice(0, 60))}.`,
      'Examples: --now 2026-12-11, --now 2026-12-11T08:00:00+01:00',
    );
  }
  return at;
}

/** Global options every command sees. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  now?: string;
  debug?: boolean;
}

/**
 * What a command needs from its surroundings, resolved once: where the configuration and data live,
 * and a lazily opened store (commands that never touch the database never open it).
 */
export class CliContext {
  private store?: Promise<Store>;
  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly cwd: string,
    private readonly globals: () => GlobalOptions,
  ) {}

  /** `--config FILE`, else `$PATCHWISE_CONFIG`, else `./patchwise.yaml`. */
  get configPath(): string {
    return path.resolve(this.cwd, this.globals().config ?? this.env.PATCHWISE_CONFIG ?? 'patchwise.yaml');
  }

  /** True when the user named a configuration explicitly (so a missing file is an error, not a default). */
  get configExplicit(): boolean {
    return Boolean(this.globals().config ?? this.env.PATCHWISE_CONFIG);
  }

  /** `--data-dir`, else `$PATCHWISE_HOME`, else `./.patchwise`. */
  get dataDir(): string {
    return path.resolve(this.cwd, this.globals().dataDir ?? this.env.PATCHWISE_HOME ?? '.patchwise');
  }

  /**
   * The clock commands decide by: `--now`, else `$PATCHWISE_NOW` (an ISO 8601 time, or a date taken as
   * its start in UTC), else undefined (the real clock). A clock set by hand answers "what if" questions
   * ("what is overdue on Friday") and records no first-seen times.
   */
  get now(): Date | undefined {
    const raw = this.globals().now ?? this.env.PATCHWISE_NOW;
    if (raw === undefined || raw === '') return undefined;
    return parseNow(raw);
  }

  /** What loading the inventory needs (configuration path, store, working directory), from this context. */
  inventoryInputs() {
    return {
      configPath: this.configPath,
      configExplicit: this.configExplicit,
      openStore: () => this.openStore(),
      cwd: this.cwd,
      env: this.env,
      dataDir: this.dataDir,
    };
  }

  /** The store, opened on first use and migrated. */
  openStore(): Promise<Store> {
    // Loaded here, not at start-up: the store pulls in kysely and better-sqlite3.
    if (!this.store) {
      const dataDir = this.dataDir;
      this.store = import('../adapters/store/open-store.js').then((m) => m.openStore(dataDir));
    }
    return this.store;
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }
}
