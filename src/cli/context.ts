import path from 'node:path';
import type { Store } from '../adapters/store/open-store.js';

/** Global options every command sees. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
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
