import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OperationalError, UserError } from '../../core/errors.js';
import type { ProgressFn, RestorePointInfo, RestorePointProvider } from './restore-point.js';

/** The part of lab/lab.ts's `Lab` this provider calls (lab/ is not part of the build, so no import). */
interface LabSnapshot {
  name: string;
  createdAt: string;
  bytes: number;
}
interface LabApi {
  snapshot(host: string, name: string, opts?: { live?: boolean }): Promise<LabSnapshot>;
  restore(host: string, name: string): Promise<void>;
  listSnapshots(host: string): LabSnapshot[];
  deleteSnapshot(host: string, name: string): void;
  shutdown(host: string): Promise<void>;
  start(host: string): Promise<void>;
}
interface LabModule {
  Lab: { fromStateDir(stateDir: string): LabApi };
}

/** The checkout's root: this file is src/adapters/providers/ (tsx, vitest) or dist/adapters/providers/. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function needsCheckout(why: string, cause?: unknown): OperationalError {
  return new OperationalError(
    'lab-provider-unavailable',
    `The lab provider needs a patchwise source checkout with its dev dependencies: ${why}.`,
    'Run patchwise from a git checkout after `npm install` (the lab is TypeScript in lab/, run by tsx).',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Loads lab/lab.ts. Running from source (tsx, vitest) it is imported as it is; from the built CLI
 * (dist/) through tsx's scoped loader (`tsImport`), which compiles it on the fly without registering
 * hooks for the rest of the process.
 */
async function loadLabModule(): Promise<LabModule> {
  const file = path.join(REPO_ROOT, 'lab', 'lab.ts');
  if (!fs.existsSync(file)) throw needsCheckout(`${file} does not exist`);
  const url = pathToFileURL(file).href;
  if (import.meta.url.endsWith('.ts')) return (await import(url)) as LabModule;
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch (e) {
    throw needsCheckout('tsx (a dev dependency) is not installed', e);
  }
  const mod = (await tsImport(url, import.meta.url)) as Partial<LabModule>;
  if (typeof mod.Lab?.fromStateDir !== 'function') throw needsCheckout(`${file} has no Lab.fromStateDir`);
  return mod as LabModule;
}

let labModule: Promise<LabModule> | undefined;

/**
 * The lab's errors come from its own copy of src/core/errors (compiled by tsx beside dist's): give them
 * this build's classes so the CLI maps them to their exit codes.
 */
function ownError(e: unknown): unknown {
  if (e instanceof UserError || e instanceof OperationalError || !(e instanceof Error)) return e;
  const { code, hint } = e as Error & { code?: unknown; hint?: unknown };
  if (typeof code !== 'string') return e;
  const h = typeof hint === 'string' ? hint : undefined;
  if (e.name === 'UserError') return new UserError(code, e.message, h, { cause: e });
  if (e.name === 'OperationalError') return new OperationalError(code, e.message, h, { cause: e });
  return e;
}

function info(s: LabSnapshot): RestorePointInfo {
  return { name: s.name, id: s.name, status: 'ready', createdAt: s.createdAt, bytes: s.bytes };
}

/**
 * Restore points of the lab's hosts (`kind: lab`): live snapshots of a host's own layer (its processes
 * frozen for the copy, no reboot). The VM id is the lab host's name; a restore point's id is its name.
 */
export class LabRestorePoints implements RestorePointProvider {
  readonly kind = 'lab';
  private lab: Promise<LabApi> | undefined;
  constructor(readonly config: { stateDir: string }) {}

  private async call<T>(fn: (lab: LabApi) => T | Promise<T>): Promise<T> {
    labModule ??= loadLabModule();
    this.lab ??= labModule.then((m) => m.Lab.fromStateDir(this.config.stateDir));
    let lab: LabApi;
    try {
      lab = await this.lab;
    } catch (e) {
      labModule = undefined;
      this.lab = undefined;
      throw ownError(e);
    }
    try {
      return await fn(lab);
    } catch (e) {
      throw ownError(e);
    }
  }

  async create(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo> {
    const existing = await this.find(id, name);
    if (existing) return existing;
    progress?.(`taking a live snapshot ${name} of lab host ${id}`);
    return info(await this.call((lab) => lab.snapshot(id, name)));
  }

  find(id: string, name: string): Promise<RestorePointInfo | undefined> {
    return this.call((lab) => {
      const s = lab.listSnapshots(id).find((x) => x.name === name);
      return s && info(s);
    });
  }

  async restore(id: string, name: string, progress?: ProgressFn): Promise<void> {
    if (!(await this.find(id, name)))
      throw new OperationalError(
        'lab-restore-point-missing',
        `Lab host ${id} has no snapshot named ${name}.`,
      );
    progress?.(`restoring lab host ${id} from ${name} (stop, replace its layer, boot, wait for sshd)`);
    // Lab.restore returns once the host's sshd accepts TCP connections again.
    await this.call((lab) => lab.restore(id, name));
  }

  async delete(id: string, name: string): Promise<void> {
    if (!(await this.find(id, name))) return;
    await this.call((lab) => lab.deleteSnapshot(id, name));
  }

  list(id: string): Promise<RestorePointInfo[]> {
    return this.call((lab) =>
      lab
        .listSnapshots(id)
        .filter((s) => s.name.startsWith('patchwise-'))
        .map(info),
    );
  }

  async powerCycle(id: string, progress?: ProgressFn): Promise<void> {
    progress?.(`power-cycling lab host ${id}`);
    await this.call(async (lab) => {
      await lab.shutdown(id);
      await lab.start(id);
    });
  }
}
