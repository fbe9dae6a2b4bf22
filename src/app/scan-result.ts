import { sshFailureOf } from '../adapters/transport/ssh-errors.js';
import type { ScanStatus } from '../adapters/store/scan-store.js';
import { isKnownError } from '../core/errors.js';
import type { HostState, ParseIssue } from '../core/inventory/host-state.js';

/** Why one host's scan did not succeed. */
export const SCAN_REASONS = [
  'unreachable',
  'auth-failed',
  'host-key-changed',
  'host-key-unknown',
  'timeout',
  'unsupported-os',
  'unknown-os',
  'no-connection',
  'bad-name',
  'read-failed',
  'no-packages',
  'collect-failed',
] as const;
export type ScanReason = (typeof SCAN_REASONS)[number];

/**
 * Reasons the user fixes (inventory, OS, file names): the host is `skipped`. Every other reason is a
 * failure of the world or a bug: the host is `failed`, and the command exits 3.
 */
const SKIP_REASONS: ReadonlySet<ScanReason> = new Set([
  'unsupported-os',
  'unknown-os',
  'no-connection',
  'bad-name',
]);

/** Issues a result carries in `issueSamples`; `issues` counts them all. */
export const ISSUE_SAMPLES = 5;

/** One host's scan, as every scan path returns it and `scan --json` prints it (docs/scanning.md). */
export interface ScanResult {
  host: string;
  status: ScanStatus;
  reason?: ScanReason;
  /** The reason in words (for `collect-failed` from a bug: the stack). */
  message?: string;
  os?: string;
  packages: number;
  /** How many lines of the host's output were not trusted. */
  issues: number;
  /** The first {@link ISSUE_SAMPLES} of them. */
  issueSamples: ParseIssue[];
  rebootRequired?: boolean;
  staleProcesses?: number;
  durationMs: number;
  /** The stored scan's id (absent when nothing was recorded: no store, or a name the store cannot hold). */
  scanId?: number;
}

/** What one host's scan came to, before it is recorded. */
export interface ScanOutcome {
  host: string;
  status: ScanStatus;
  reason?: ScanReason;
  message?: string;
  /** What was collected (also for a scan that found no package). */
  state?: HostState;
  startedAt: Date;
  durationMs: number;
}

/** The outcome of a collected state: `no-packages` (failed) when nothing installed was found. */
export function outcomeOfState(state: HostState, startedAt: Date, durationMs: number): ScanOutcome {
  const base = { host: state.host, state, startedAt, durationMs };
  if (state.packages.length > 0) return { ...base, status: 'ok' };
  return { ...base, ...because('no-packages', `${state.host}: no installed package found.`) };
}

/** A status and reason for `reason`: skipped when the user fixes it, else failed. */
export function because(
  reason: ScanReason,
  message: string,
): Pick<ScanOutcome, 'status' | 'reason' | 'message'> {
  return { status: SKIP_REASONS.has(reason) ? 'skipped' : 'failed', reason, message };
}

/**
 * The one treatment of an error met while scanning one host. ssh's own failures keep their reason; a
 * user-fixable error (`UserError` such as `unsupported-os`) skips the host; an operational error fails
 * it; anything else is a bug, recorded as `collect-failed` with its stack: the rest of the fleet goes on.
 */
export function outcomeOfError(host: string, e: unknown, startedAt: Date, durationMs: number): ScanOutcome {
  return { host, startedAt, durationMs, ...classify(e) };
}

const REASON_OF_CODE: Readonly<Record<string, ScanReason>> = {
  'unsupported-os': 'unsupported-os',
  'scan-bad-name': 'bad-name',
  'scan-status-file': 'read-failed',
  'command-timeout': 'timeout',
};

function classify(e: unknown): Pick<ScanOutcome, 'status' | 'reason' | 'message'> {
  if (!isKnownError(e)) {
    return because('collect-failed', `internal error (a bug): ${(e as Error)?.stack ?? String(e)}`);
  }
  const reason = sshFailureOf(e) ?? REASON_OF_CODE[e.code] ?? 'collect-failed';
  return because(reason, e.message);
}

/** The printed result of an outcome, with the stored scan's id. */
export function resultOf(o: ScanOutcome, scanId?: number): ScanResult {
  const r: ScanResult = {
    host: o.host,
    status: o.status,
    packages: o.status === 'ok' ? (o.state?.packages.length ?? 0) : 0,
    issues: o.state?.issues.length ?? 0,
    issueSamples: o.state?.issues.slice(0, ISSUE_SAMPLES) ?? [],
    durationMs: Math.round(o.durationMs),
  };
  if (o.reason) r.reason = o.reason;
  if (o.message) r.message = o.message;
  if (o.state) {
    r.os = o.state.os;
    r.rebootRequired = o.state.reboot?.required ?? false;
    r.staleProcesses = o.state.staleProcesses?.length ?? 0;
  }
  if (scanId !== undefined) r.scanId = scanId;
  return r;
}
