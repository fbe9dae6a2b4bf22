import zlib from 'node:zlib';
import { z } from 'zod';
import { OperationalError } from '../../core/errors.js';
import type { HostState, InstalledPackage } from '../../core/inventory/host-state.js';
import {
  FAMILY_INFO,
  familyOfOs,
  OS_FAMILIES,
  PACKAGE_FORMATS,
  type PackageFormat,
} from '../../core/inventory/os-families.js';
import { PACKAGE_CODECS, parsePackageList } from '../../core/inventory/package-formats.js';

/** The version of the stored scan record this code writes and reads. */
export const SCAN_RECORD_VERSION = 1;

/** Issues kept in a stored scan; `issue_count` keeps the total. */
export const MAX_STORED_ISSUES = 100;

/**
 * deflate level of stored package lists. Level 1 over 6 for a 727-package dpkg list (41 KB of lines):
 * 9.9 KB in 0.6 ms against 8.3 KB in 1.6 ms; inflating takes 0.3-0.4 ms either way.
 */
const DEFLATE_LEVEL = 1;

/** A host's state without its packages, as the store keeps it beside the package list. */
export type StoredState = Omit<HostState, 'packages'>;

/** The columns of one successful scan, as {@link encodeScanV1} writes them. */
export interface EncodedScan {
  record_version: number;
  os: string;
  package_count: number;
  reboot_required: number;
  restart_list: number;
  issue_count: number;
  package_format: PackageFormat;
  packages: Uint8Array;
  state: string;
}

/**
 * A successful scan's columns, record version 1: summary columns for fleet tables, the packages in their
 * family's own line format (deflated), and the rest of the state as JSON with at most
 * {@link MAX_STORED_ISSUES} issues.
 */
export function encodeScanV1(state: HostState): EncodedScan {
  const { packages, ...rest } = state;
  const format = formatOf(state);
  const lines = PACKAGE_CODECS[format].render(packages);
  const stored: StoredState = { ...rest, issues: state.issues.slice(0, MAX_STORED_ISSUES) };
  return {
    record_version: 1,
    os: state.os,
    package_count: packages.length,
    reboot_required: state.reboot?.required ? 1 : 0,
    restart_list: state.staleProcesses?.length ?? 0,
    issue_count: state.issues.length,
    package_format: format,
    packages: zlib.deflateSync(lines, { level: DEFLATE_LEVEL }),
    state: JSON.stringify(stored),
  };
}

/**
 * The package format of a state: its collector family's, else the family of its OS id; a record from
 * neither (an older scan of a distro known only by ID_LIKE) gets the first format that gives its
 * packages back exactly.
 */
function formatOf(state: HostState): PackageFormat {
  const family = state.family ?? familyOfOs(state.os);
  if (family) return FAMILY_INFO[family].packageFormat;
  const formats = OS_FAMILIES.map((f) => FAMILY_INFO[f].packageFormat);
  return formats.find((f) => givesBack(f, state.packages)) ?? 'dpkg-query';
}

function givesBack(format: PackageFormat, packages: readonly InstalledPackage[]): boolean {
  const back = parsePackageList(format, Buffer.from(PACKAGE_CODECS[format].render(packages))).packages;
  return back.length === packages.length && back.every((p, i) => samePackage(p, packages[i]!));
}

function samePackage(a: InstalledPackage, b: InstalledPackage): boolean {
  return (
    a.name === b.name &&
    a.version === b.version &&
    a.source === b.source &&
    a.sourceVersion === b.sourceVersion &&
    a.arch === b.arch
  );
}

const issue = z.object({ source: z.string(), line: z.number().int().optional(), message: z.string() });

/** The JSON state of a stored scan (record version 1), checked on every read. */
const storedStateSchema = z.object({
  schema: z.literal(1),
  host: z.string(),
  os: z.string(),
  osPrettyName: z.string().optional(),
  family: z.enum(OS_FAMILIES).optional(),
  scannedAt: z.string(),
  kernel: z.object({ running: z.string().optional(), installed: z.array(z.string()).optional() }).optional(),
  bootTime: z.string().optional(),
  uptimeSeconds: z.number().optional(),
  reboot: z.object({ required: z.boolean(), packages: z.array(z.string()) }).optional(),
  staleProcesses: z
    .array(
      z.object({
        pid: z.number().int(),
        command: z.string(),
        unit: z.string().optional(),
        files: z.array(z.string()),
      }),
    )
    .optional(),
  listening: z
    .array(
      z.object({
        protocol: z.enum(['tcp', 'udp']),
        address: z.string(),
        port: z.number().int(),
        process: z.string().optional(),
      }),
    )
    .optional(),
  issues: z.array(issue),
});

const count = z.number().int().nonnegative();

/** The columns of a successful scan row, record version 1, checked on every read. */
export const okScanRowSchema = z.object({
  id: z.coerce.number().int(),
  host: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  record_version: z.literal(SCAN_RECORD_VERSION),
  os: z.string(),
  package_count: count,
  reboot_required: z.union([z.literal(0), z.literal(1)]),
  restart_list: count,
  issue_count: count,
  package_format: z.enum(PACKAGE_FORMATS),
  packages: z.instanceof(Uint8Array),
  state: z.string(),
});

/** One successful scan as the store gives it back: summary, packages still in their line format, state. */
export interface StoredScan {
  id: number;
  host: string;
  startedAt: string;
  finishedAt: string | null;
  summary: {
    os: string;
    packageCount: number;
    rebootRequired: boolean;
    restartList: number;
    /** All issues the scan found; `state.issues` keeps the first {@link MAX_STORED_ISSUES}. */
    issueCount: number;
  };
  /** The package list in its family's format, inflated. */
  packages: { format: PackageFormat; bytes: Uint8Array };
  state: StoredState;
}

/**
 * Checks and decodes one successful scan row. A row that fails (wrong record version, missing summary,
 * a package list that does not inflate, state JSON that is not a host state) is an OperationalError
 * naming the scan and what is wrong: it is reported, never used.
 */
export function decodeOkScan(row: Record<string, unknown>): StoredScan {
  const what = `scan ${String(row.id)} of ${JSON.stringify(String(row.host)).slice(0, 80)}`;
  const cols = okScanRowSchema.safeParse(row);
  if (!cols.success) throw invalid(what, describe(cols.error));
  let bytes: Uint8Array;
  let json: unknown;
  try {
    bytes = zlib.inflateSync(cols.data.packages);
  } catch (e) {
    throw invalid(what, `its package list does not inflate (${(e as Error).message})`, e);
  }
  try {
    json = JSON.parse(cols.data.state);
  } catch (e) {
    throw invalid(what, 'its state is not JSON', e);
  }
  const state = storedStateSchema.safeParse(json);
  if (!state.success) throw invalid(what, `its state: ${describe(state.error)}`);
  const r = cols.data;
  return {
    id: r.id,
    host: r.host,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    summary: summaryOfColumns(r),
    packages: { format: r.package_format, bytes },
    state: state.data as StoredState,
  };
}

/** The summary of a checked ok-scan row, from its summary columns (no package list read). */
export function summaryOfColumns(r: {
  os: string;
  package_count: number;
  reboot_required: number;
  restart_list: number;
  issue_count: number;
}): StoredScan['summary'] {
  return {
    os: r.os,
    packageCount: r.package_count,
    rebootRequired: r.reboot_required === 1,
    restartList: r.restart_list,
    issueCount: r.issue_count,
  };
}

/** The first few problems of a row that fails its schema, in words. */
export function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'row'}: ${i.message}`)
    .join('; ');
}

/** The error for a stored scan that cannot be used. */
export function invalid(what: string, problem: string, cause?: unknown): OperationalError {
  return new OperationalError(
    'store-scan-invalid',
    `The stored ${what} is unusable: ${problem}.`,
    'Scan the host again; the broken row stays in the store for inspection.',
    cause === undefined ? undefined : { cause },
  );
}
