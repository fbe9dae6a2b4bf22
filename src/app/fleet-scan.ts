import { collectHost } from '../adapters/collectors/collect-host.js';
import type { Store } from '../adapters/store/open-store.js';
import type { Transport } from '../adapters/transport/transport.js';
import type { HostState } from '../core/inventory/host-state.js';
import type { Host } from '../core/inventory/host.js';
import { recordScan } from './record-scan.js';
import { because, outcomeOfError, outcomeOfState, type ScanOutcome, type ScanResult } from './scan-result.js';

export { SCAN_REASONS, type ScanReason, type ScanResult } from './scan-result.js';

/** @deprecated The one scan record is {@link ScanResult}; this name stays for older callers. */
export type FleetScanResult = ScanResult;

/** Collects one host's state through a transport (default: `collectHost`). */
export type CollectFn = (transport: Transport, host: string, now: Date) => Promise<HostState>;

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
  collect?: CollectFn;
  onResult?: (result: ScanResult, done: number, total: number) => void;
  now?: () => Date;
}

/**
 * Scans hosts concurrently, at most `concurrency` at a time, each within its own timeout. Every host
 * gets a result (ok, failed with its reason, skipped); a failing host never stops the others, not even
 * a bug met on its data (recorded as `collect-failed`, with the stack). Results come back in the order
 * of `hosts`.
 */
export async function scanFleet(hosts: readonly Host[], opts: FleetScanOptions): Promise<ScanResult[]> {
  const results: ScanResult[] = new Array(hosts.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      const host = hosts[i]!;
      const started = opts.now?.() ?? new Date();
      let transport: Transport | undefined;
      try {
        transport = opts.transportFor(host);
      } catch (e) {
        // A connection ssh must not be given (checked again here) fails this host only.
        results[i] = await recordScan(opts.store, outcomeOfError(host.name, e, started, 0));
        opts.onResult?.(results[i]!, ++done, hosts.length);
        continue;
      }
      const outcome = transport
        ? await scanHost(transport, host.name, { ...opts, now: started })
        : {
            host: host.name,
            startedAt: started,
            durationMs: 0,
            ...because('no-connection', `${host.name} has no connection in the inventory.`),
          };
      results[i] = await recordScan(opts.store, outcome);
      opts.onResult?.(results[i]!, ++done, hosts.length);
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 10, hosts.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

/**
 * Scans one host through `transport` within a time limit and closes the transport: the outcome, never
 * a throw (see `outcomeOfError` for how errors are told apart). Used by fleet and `--local` scans.
 */
export async function scanHost(
  transport: Transport,
  name: string,
  opts: { now?: Date; perHostTimeoutMs?: number; collect?: CollectFn } = {},
): Promise<ScanOutcome> {
  const started = opts.now ?? new Date();
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const timeoutMs = opts.perHostTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ScanOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          host: name,
          startedAt: started,
          durationMs: elapsed(),
          ...because('timeout', `${name} did not finish within ${timeoutMs} ms.`),
        }),
      timeoutMs,
    );
  });
  const collect = opts.collect ?? collectHost;
  const work = collect(transport, name, started).then(
    (state) => outcomeOfState(state, started, elapsed()),
    (e: unknown) => outcomeOfError(name, e, started, elapsed()),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    await transport.close?.().catch(() => undefined);
  }
}
