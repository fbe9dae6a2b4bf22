import { collectHost } from '../adapters/collectors/collect-host.js';
import type { Store } from '../adapters/store/open-store.js';
import { saveScan, type ScanStatus } from '../adapters/store/scan-store.js';
import { sshFailureOf } from '../adapters/transport/ssh-errors.js';
import type { Transport } from '../adapters/transport/transport.js';
import { isKnownError } from '../core/errors.js';
import type { HostState } from '../core/inventory/host-state.js';
import type { Host } from '../core/inventory/host.js';

/** Why one host's scan did not succeed. */
export const SCAN_FAILURE_REASONS = [
  'unreachable',
  'auth-failed',
  'host-key-changed',
  'host-key-unknown',
  'timeout',
  'unsupported-os',
  'no-connection',
  'no-packages',
  'collect-failed',
] as const;
export type ScanFailureReason = (typeof SCAN_FAILURE_REASONS)[number];

/** One host's outcome, as `scan --json` prints it. */
export interface FleetScanResult {
  host: string;
  status: ScanStatus;
  reason?: ScanFailureReason;
  /** The full reason in words (the error message). */
  message?: string;
  os?: string;
  packages: number;
  /** Parse problems recorded for the host. */
  issues: number;
  staleProcesses?: number;
  rebootRequired?: boolean;
  durationMs: number;
  scanId?: number;
}

/** How to run a fleet scan. */
export interface FleetScanOptions {
  /** Hosts scanned at once (default 10). */
  concurrency?: number;
  /** A host still running after this long is stopped and recorded as `timeout` (default 120 s). */
  perHostTimeoutMs?: number;
  /** The transport for a host; undefined skips the host (`no-connection`). */
  transportFor: (host: Host) => Transport | undefined;
  /** Where each result is recorded as soon as it is known (every scan is kept). */
  store?: Store;
  /** The collector (default: os-release detection, packages, extras). */
  collect?: (transport: Transport, host: string, now: Date) => Promise<HostState>;
  onResult?: (result: FleetScanResult, done: number, total: number) => void;
  now?: () => Date;
}

/**
 * Scans hosts concurrently, at most `concurrency` at a time, each within its own timeout. Every host
 * gets a result (ok, failed with its reason, skipped); a failing host never stops the others, not even
 * a bug met on its data (recorded as `collect-failed`, with the stack). Results come back in the order
 * of `hosts`.
 */
export async function scanFleet(hosts: readonly Host[], opts: FleetScanOptions): Promise<FleetScanResult[]> {
  const results: FleetScanResult[] = new Array(hosts.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      results[i] = await scanOne(hosts[i]!, opts);
      opts.onResult?.(results[i]!, ++done, hosts.length);
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 10, hosts.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

async function scanOne(host: Host, opts: FleetScanOptions): Promise<FleetScanResult> {
  const started = opts.now?.() ?? new Date();
  const t0 = performance.now();
  const transport = opts.transportFor(host);
  let outcome: Outcome;
  if (!transport) {
    outcome = {
      status: 'skipped',
      reason: 'no-connection',
      message: `${host.name} has no connection in the inventory.`,
    };
  } else {
    outcome = await collectWithTimeout(transport, host.name, started, opts);
  }
  const result: FleetScanResult = {
    host: host.name,
    status: outcome.status,
    packages: outcome.state?.packages.length ?? 0,
    issues: outcome.state?.issues.length ?? 0,
    durationMs: Math.round(performance.now() - t0),
  };
  if (outcome.reason) result.reason = outcome.reason;
  if (outcome.message) result.message = outcome.message;
  if (outcome.state) {
    result.os = outcome.state.os;
    result.staleProcesses = outcome.state.staleProcesses?.length ?? 0;
    result.rebootRequired = outcome.state.reboot?.required ?? false;
  }
  if (opts.store) {
    result.scanId = await saveScan(opts.store.db, {
      host: host.name,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      status: outcome.status,
      error: outcome.message ?? null,
      state: outcome.status === 'ok' ? (outcome.state ?? null) : null,
    });
  }
  return result;
}

interface Outcome {
  status: ScanStatus;
  reason?: ScanFailureReason;
  message?: string;
  state?: HostState;
}

async function collectWithTimeout(
  transport: Transport,
  name: string,
  started: Date,
  opts: FleetScanOptions,
): Promise<Outcome> {
  const timeoutMs = opts.perHostTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'failed',
          reason: 'timeout',
          message: `${name} did not finish within ${timeoutMs} ms.`,
        }),
      timeoutMs,
    );
  });
  const collect = opts.collect ?? collectHost;
  const work = collect(transport, name, started).then(
    (state): Outcome =>
      state.packages.length === 0
        ? { status: 'failed', reason: 'no-packages', message: `${name}: no installed package found.`, state }
        : { status: 'ok', state },
    (e: unknown): Outcome => failure(e),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    await transport.close?.().catch(() => undefined);
  }
}

function failure(e: unknown): Outcome {
  // A bug met on one host's data is still that host's result: the rest of the fleet goes on.
  if (!isKnownError(e)) {
    return {
      status: 'failed',
      reason: 'collect-failed',
      message: `internal error (a bug): ${(e as Error)?.stack ?? String(e)}`,
    };
  }
  const ssh = sshFailureOf(e);
  if (ssh) return { status: 'failed', reason: ssh, message: e.message };
  if (e.code === 'unsupported-os') return { status: 'failed', reason: 'unsupported-os', message: e.message };
  if (e.code === 'command-timeout') return { status: 'failed', reason: 'timeout', message: e.message };
  return { status: 'failed', reason: 'collect-failed', message: e.message };
}
