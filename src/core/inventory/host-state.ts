import type { OsFamily } from './os-families.js';

/**
 * What a scan learns about one host: the versioned record collectors produce and the matcher, the
 * decider and the reports read. Collectors never match; matchers never open a connection.
 */

/** One installed package. For Debian/Ubuntu `source` is the source package (advisories name it). */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Source package name; equals `name` when the distro has no separate source name. */
  source: string;
  /** Source version when it differs from the binary version (binNMUs, `Source: x (ver)`). */
  sourceVersion?: string;
  arch?: string;
}

/**
 * The key of a shared record's id: `parseDpkgQuery` hands out one frozen record per distinct package line,
 * numbered once for the life of the process, so a matcher can remember per record in a plain array. The
 * property is not enumerable: JSON, spreads and equality checks do not see it.
 */
export const SHARED_RECORD_ID: unique symbol = Symbol('patchwise.sharedRecordId');

/** The id of a shared record (see {@link SHARED_RECORD_ID}), or undefined for any other record. */
export function sharedRecordId(p: InstalledPackage): number | undefined {
  return (p as { [SHARED_RECORD_ID]?: number })[SHARED_RECORD_ID];
}

/**
 * Ids of shared records: never reused in a process, so what a matcher remembers by id never goes stale,
 * whichever parser made the record. A counter, not a store: it holds no memory.
 */
let sharedIds = 0;

/** Numbers `p` as a shared record (see {@link SHARED_RECORD_ID}) and freezes it. */
export function shareRecord<T extends InstalledPackage>(p: T): Readonly<T> {
  Object.defineProperty(p, SHARED_RECORD_ID, { value: sharedIds++ });
  return Object.freeze(p);
}

/** The id the next shared record will get: a matcher remembers records numbered from here on. */
export function nextSharedRecordId(): number {
  return sharedIds;
}

/** A process still running code from a file that has been replaced or deleted since it started. */
export interface StaleProcess {
  pid: number;
  command: string;
  unit?: string;
  files: string[];
}

/** A listening socket. */
export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  process?: string;
}

/** A parse problem in a host's output: recorded, never executed, never fatal. */
export interface ParseIssue {
  source: string;
  line?: number;
  message: string;
}

/** The versioned record of one host's state at scan time. */
export interface HostState {
  schema: 1;
  host: string;
  /** Host OS id `ID:VERSION_ID`, e.g. `debian:12`. */
  os: string;
  osPrettyName?: string;
  /** The collector family that read the host (from os-release `ID`, then `ID_LIKE`); absent in older records. */
  family?: OsFamily;
  /** ISO 8601 time the scan was taken. */
  scannedAt: string;
  packages: InstalledPackage[];
  kernel?: { running?: string; installed?: string[] };
  bootTime?: string;
  uptimeSeconds?: number;
  reboot?: { required: boolean; packages: string[] };
  staleProcesses?: StaleProcess[];
  listening?: ListeningSocket[];
  issues: ParseIssue[];
}
