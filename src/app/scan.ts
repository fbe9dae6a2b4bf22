import fs from 'node:fs/promises';
import os from 'node:os';
import { collectHost } from '../adapters/collectors/collect-host.js';
import type { Store } from '../adapters/store/open-store.js';
import { saveScan, type ScanStatus } from '../adapters/store/scan-store.js';
import { LocalTransport } from '../adapters/transport/local-transport.js';
import type { Transport } from '../adapters/transport/transport.js';
import { isKnownError, UserError } from '../core/errors.js';
import type { HostState, ParseIssue } from '../core/inventory/host-state.js';
import { HOST_NAME_PATTERN } from '../core/inventory/host.js';
import { parseDpkgStatus } from '../core/inventory/parse-dpkg-status.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';

/** The outcome of scanning one host, as `scan --json` prints it. */
export interface ScanResult {
  host: string;
  status: ScanStatus;
  reason?: string;
  packages: number;
  issues: ParseIssue[];
}

/** Largest status file read (a real one is a few MiB). */
const MAX_STATUS_BYTES = 256 * 1024 * 1024;

/**
 * Scans a host from a copy of its dpkg status file (the air-gapped path): `os` is `ID:VERSION_ID`
 * (`debian:12`), `name` the host's name. The scan is recorded; a file with no installed package in it
 * is recorded as failed.
 */
export async function scanFromStatus(
  store: Store,
  opts: { file: string; os: string; name: string; now?: Date },
): Promise<ScanResult> {
  const name = checkHostName(opts.name);
  const eco = ecosystemForOs(opts.os);
  if (eco.scheme !== 'debian') {
    throw new UserError(
      'scan-status-os',
      `A dpkg status file cannot describe a ${eco.os} host.`,
      'Use --os debian:N or ubuntu:N.',
    );
  }
  const started = opts.now ?? new Date();
  const text = await readStatusFile(opts.file);
  const parsed = parseDpkgStatus(text, opts.file);
  const state: HostState = {
    schema: 1,
    host: name,
    os: eco.os,
    scannedAt: started.toISOString(),
    packages: parsed.packages,
    issues: parsed.issues,
  };
  return record(
    store,
    state,
    started,
    parsed.packages.length === 0 ? 'no installed package found in the status file' : undefined,
  );
}

/** Scans the machine patchwise runs on (name: `name`, else its hostname) with the same collector as SSH hosts, and records the scan. */
export async function scanLocal(store: Store, opts: { name?: string; now?: Date } = {}): Promise<ScanResult> {
  return scanWith(store, new LocalTransport(), checkHostName(opts.name ?? os.hostname()), opts.now);
}

/**
 * Scans one host through `transport` and records the outcome. A host that cannot be read is recorded
 * as failed with the reason, never thrown: one bad host must not stop a fleet scan.
 */
export async function scanWith(
  store: Store,
  transport: Transport,
  host: string,
  now?: Date,
): Promise<ScanResult> {
  const started = now ?? new Date();
  try {
    const state = await collectHost(transport, host, started);
    ecosystemForOs(state.os);
    return await record(
      store,
      state,
      started,
      state.packages.length === 0 ? 'no installed package found' : undefined,
    );
  } catch (e) {
    if (!isKnownError(e)) throw e;
    const status: ScanStatus = e instanceof UserError ? 'skipped' : 'failed';
    await saveScan(store.db, {
      host,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      status,
      error: e.message,
      state: null,
    });
    return { host, status, reason: e.message, packages: 0, issues: [] };
  }
}

async function record(store: Store, state: HostState, started: Date, failure?: string): Promise<ScanResult> {
  const status: ScanStatus = failure ? 'failed' : 'ok';
  await saveScan(store.db, {
    host: state.host,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    status,
    error: failure ?? null,
    state: failure ? null : state,
  });
  const out: ScanResult = { host: state.host, status, packages: state.packages.length, issues: state.issues };
  if (failure) out.reason = failure;
  return out;
}

function checkHostName(name: string): string {
  if (HOST_NAME_PATTERN.test(name)) return name;
  throw new UserError(
    'scan-bad-name',
    `The host name ${JSON.stringify(name.slice(0, 80))} is not allowed.`,
    'Use letters, digits, dot, dash and underscore, at most 63 characters (e.g. --name web-1).',
  );
}

async function readStatusFile(file: string): Promise<string> {
  let buf: Buffer;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new UserError('scan-status-file', `${file} is not a file.`);
    if (stat.size > MAX_STATUS_BYTES) {
      throw new UserError(
        'scan-status-file',
        `${file} is ${stat.size} bytes; a dpkg status file is far smaller.`,
      );
    }
    buf = await fs.readFile(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      'scan-status-file',
      `Cannot read the status file ${file}.`,
      'Copy /var/lib/dpkg/status from the host and pass its path to --from-status.',
      { cause: e },
    );
  }
  return buf.toString('utf8');
}
