import os from 'node:os';
import type { Store } from '../adapters/store/open-store.js';
import { LocalTransport } from '../adapters/transport/local-transport.js';
import { scanHost } from './fleet-scan.js';
import { recordScan } from './record-scan.js';
import { outcomeOfState, type ScanResult } from './scan-result.js';
import { checkHostName, checkStatusOs, readStatusFile, stateFromStatus } from './status-file.js';

export type { ScanResult } from './scan-result.js';

/**
 * Scans a host from a copy of its dpkg status file (the air-gapped path): `os` is `ID:VERSION_ID`
 * (`debian:12`), `name` the host's name. Bad arguments (OS, name, an unreadable file) are UserErrors and
 * record nothing; otherwise the scan is recorded, as failed (`no-packages`) when the file lists no
 * installed package.
 */
export async function scanFromStatus(
  store: Store,
  opts: { file: string; os: string; name: string; now?: Date },
): Promise<ScanResult> {
  const name = checkHostName(opts.name);
  const hostOs = checkStatusOs(opts.os);
  const started = opts.now ?? new Date();
  const t0 = performance.now();
  const text = await readStatusFile(opts.file);
  const state = stateFromStatus(text, opts.file, name, hostOs, started);
  return recordScan(store, outcomeOfState(state, started, performance.now() - t0));
}

/**
 * Scans the machine patchwise runs on (name: `name`, else its hostname) with the same collector and the
 * same outcome rules as SSH hosts, and records the scan. A bad `name` is a UserError.
 */
export async function scanLocal(store: Store, opts: { name?: string; now?: Date } = {}): Promise<ScanResult> {
  const name = checkHostName(opts.name ?? os.hostname());
  return recordScan(store, await scanHost(new LocalTransport(), name, { now: opts.now ?? new Date() }));
}
