import fs from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../adapters/store/open-store.js';
import { UserError } from '../core/errors.js';
import { osFamily } from '../core/inventory/os-families.js';
import { parseOsRelease } from '../core/inventory/parse-os-release.js';
import { recordScansIn } from './record-scan.js';
import { because, outcomeOfError, outcomeOfState, type ScanOutcome, type ScanResult } from './scan-result.js';
import { PackageChecker } from '../core/inventory/parse-dpkg-status.js';
import { checkHostName, checkStatusOs, readStatusFile, stateFromStatus } from './status-file.js';

/** One host's files in a status directory. */
export interface StatusEntry {
  /** The host name: the file's (or folder's) name. */
  host: string;
  status: string;
  /** Its os-release, when one lies beside it. */
  osRelease?: string;
}

/** Suffix of the os-release beside a status file: `web-1` and `web-1.os-release`. */
export const OS_RELEASE_SUFFIX = '.os-release';

/**
 * The hosts of a status directory, by name. Two layouts, mixed freely: a file `DIR/NAME` (a copy of the
 * host's `/var/lib/dpkg/status`) with an optional `DIR/NAME.os-release`, or a folder `DIR/NAME/` holding
 * `status` and an optional `os-release`. Hidden entries (`.…`) are ignored.
 */
export async function listStatusDir(dir: string): Promise<StatusEntry[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const out: StatusEntry[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.endsWith(OS_RELEASE_SUFFIX)) continue;
    const at = path.join(dir, e.name);
    if (e.isDirectory()) {
      const inner = new Set(await fs.readdir(at).catch(() => [] as string[]));
      const entry: StatusEntry = { host: e.name, status: path.join(at, 'status') };
      if (inner.has('os-release')) entry.osRelease = path.join(at, 'os-release');
      out.push(entry);
    } else {
      const entry: StatusEntry = { host: e.name, status: at };
      if (names.has(e.name + OS_RELEASE_SUFFIX)) entry.osRelease = at + OS_RELEASE_SUFFIX;
      out.push(entry);
    }
  }
  return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/** How to import a status directory. */
export interface ImportStatusOptions {
  dir: string;
  /** The OS (`debian:12`) of hosts with no os-release beside their status file. */
  os?: string;
  /** Scans written at a time inside the import's one transaction (default 200). */
  batchSize?: number;
  onProgress?: (done: number, total: number, host: string) => void;
  now?: () => Date;
}

/**
 * Imports a directory of status files, one host each (see {@link listStatusDir}), through the one scan
 * writer in one transaction: all the hosts are recorded, or (killed or failed part-way) none. A file that cannot be read is `failed` (`read-failed`), one that lists
 * nothing installed `failed` (`no-packages`); a bad file name (`bad-name`), an OS a status file cannot
 * describe (`unsupported-os`) or no OS at all (`unknown-os`) skip that host; the others are imported.
 * One result per host, in name order. A missing directory or a bad `os` is a UserError.
 */
export async function importStatusDir(store: Store, opts: ImportStatusOptions): Promise<ScanResult[]> {
  const fallbackOs = opts.os === undefined ? undefined : checkStatusOs(opts.os);
  const entries = await listStatusDir(opts.dir).catch((e: unknown) => {
    throw new UserError('scan-status-dir', `Cannot read the directory ${opts.dir}.`, undefined, { cause: e });
  });
  const batchSize = opts.batchSize ?? 200;
  const now = () => opts.now?.() ?? new Date();
  // One checker for the import: hosts share one string per distinct name and version, checked once.
  const checker = new PackageChecker();
  // One transaction for the whole directory: killed or failed part-way, the import records no host
  // (the store is as before); done, every host (as after). Scans are written a batch at a time inside
  // it, so memory holds one batch, not the directory.
  return store.db.transaction().execute(async (tx) => {
    const results: ScanResult[] = [];
    let batch: ScanOutcome[] = [];
    // The next file is read while this one is parsed.
    let next = entries[0] ? load(entries[0], fallbackOs, now()) : undefined;
    for (const [i, entry] of entries.entries()) {
      const loaded = await next!;
      next = entries[i + 1] ? load(entries[i + 1]!, fallbackOs, now()) : undefined;
      batch.push('status' in loaded ? loaded : parse(loaded, checker));
      if (batch.length >= batchSize) {
        results.push(...(await recordScansIn(tx, batch)));
        batch = [];
      }
      opts.onProgress?.(i + 1, entries.length, entry.host);
    }
    results.push(...(await recordScansIn(tx, batch)));
    return results;
  });
}

/** A host's files, read and ready to parse. */
interface Loaded {
  host: string;
  file: string;
  text: string;
  os: string;
  startedAt: Date;
  t0: number;
}

/** Reads one host's files; any problem is already its outcome (never a throw). */
async function load(
  entry: StatusEntry,
  fallbackOs: string | undefined,
  startedAt: Date,
): Promise<Loaded | ScanOutcome> {
  const t0 = performance.now();
  try {
    const host = checkHostName(entry.host);
    const text = await readStatusFile(entry.status);
    const os = entry.osRelease ? await osOfRelease(entry.osRelease) : fallbackOs;
    if (os !== undefined) return { host, file: entry.status, text, os, startedAt, t0 };
    const message = `${entry.status} has no os-release beside it (${entry.host}${OS_RELEASE_SUFFIX}) and no --os was given.`;
    return { host, startedAt, durationMs: performance.now() - t0, ...because('unknown-os', message) };
  } catch (e) {
    // A bug met on one file is that host's result (collect-failed, with the stack), as in a fleet scan.
    return outcomeOfError(entry.host, e, startedAt, performance.now() - t0);
  }
}

function parse(l: Loaded, checker: PackageChecker): ScanOutcome {
  try {
    const state = stateFromStatus(l.text, l.file, l.host, l.os, l.startedAt, checker);
    return outcomeOfState(state, l.startedAt, performance.now() - l.t0);
  } catch (e) {
    return outcomeOfError(l.host, e, l.startedAt, performance.now() - l.t0);
  }
}

/** The OS id an os-release file names, when a dpkg status file can describe it. */
async function osOfRelease(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UserError('scan-status-file', `Cannot read ${file}.`, undefined, { cause: e });
  }
  const osr = parseOsRelease(text, file);
  if (!osr.os || osFamily(osr.fields) !== 'debian') {
    throw new UserError(
      'unsupported-os',
      `${file} describes ${JSON.stringify((osr.fields.PRETTY_NAME ?? osr.os ?? 'no OS').slice(0, 80))}, which a dpkg status file cannot.`,
      'A status directory holds Debian and Ubuntu hosts.',
    );
  }
  return checkStatusOs(osr.os);
}
