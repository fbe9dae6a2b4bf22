import { UserError } from '../errors.js';
import type { AffectedPackage } from './advisory.js';
import type { UnusableRecord } from './unusable-record.js';

/**
 * Release statuses the Debian security tracker writes, and what each means for a package of that release.
 * `resolved` carries a `fixed_version` (`"0"` means never affected); `open` and `undetermined` have no fix yet.
 */
export const TRACKER_STATUSES = ['resolved', 'open', 'undetermined', 'not-affected'] as const;
export type TrackerStatus = (typeof TRACKER_STATUSES)[number];
export function isTrackerStatus(s: unknown): s is TrackerStatus {
  return typeof s === 'string' && (TRACKER_STATUSES as readonly string[]).includes(s);
}

/** What a tracker file yields for one release. */
export interface TrackerParseResult {
  records: AffectedPackage[];
  unusable: UnusableRecord[];
}

interface ReleaseEntry {
  status: string;
  fixed_version?: string;
  urgency?: string;
}

/**
 * Reads the Debian security tracker's JSON (`{source: {CVE: {releases: {<codename>: {status, fixed_version,
 * urgency}}}}}`) for one release into {@link AffectedPackage} records of `ecosystem` (e.g. `Debian:12`):
 * `resolved` with a fixed version becomes `introduced 0 / fixed X`; `open` and `undetermined` become
 * `introduced 0` with no fix; `fixed_version "0"` and `not-affected` mean the release was never affected
 * and yield nothing. Entries that mention other releases only are skipped; an unknown status is unusable.
 *
 * @throws UserError `feed-invalid-record` naming the file, the source package, the CVE and the field when
 *   the file does not have the tracker's layout.
 */
export function parseDebianTracker(
  json: unknown,
  codename: string,
  ecosystem: string,
  where: string,
): TrackerParseResult {
  const result: TrackerParseResult = { records: [], unusable: [] };
  for (const [pkg, cves] of Object.entries(asObject(json, where, '(file)', '(top level)'))) {
    for (const [vulnId, entry] of Object.entries(asObject(cves, where, pkg, '(package)'))) {
      const at = `${pkg}/${vulnId}`;
      const releases = asObject(asObject(entry, where, at, '(entry)').releases, where, at, 'releases');
      const raw = releases[codename];
      if (raw === undefined) continue;
      const rel = releaseEntry(raw, where, at, `releases.${codename}`);
      const rec = toRecord(rel, { pkg, vulnId, codename, ecosystem, where });
      if (rec === 'not-affected') continue;
      if ('reason' in rec) result.unusable.push(rec);
      else result.records.push(rec);
    }
  }
  return result;
}

/** The codenames a tracker file has entries for (`bookworm`, `trixie`, `sid`, …), in first-seen order. */
export function trackerCodenames(json: unknown, where: string): string[] {
  const seen = new Set<string>();
  for (const [pkg, cves] of Object.entries(asObject(json, where, '(file)', '(top level)'))) {
    for (const [vulnId, entry] of Object.entries(asObject(cves, where, pkg, '(package)'))) {
      const at = `${pkg}/${vulnId}`;
      const releases = asObject(asObject(entry, where, at, '(entry)').releases, where, at, 'releases');
      for (const c of Object.keys(releases)) seen.add(c);
    }
  }
  return [...seen];
}

interface Ctx {
  pkg: string;
  vulnId: string;
  codename: string;
  ecosystem: string;
  where: string;
}

function toRecord(rel: ReleaseEntry, c: Ctx): AffectedPackage | UnusableRecord | 'not-affected' {
  if (rel.status === 'not-affected' || rel.fixed_version === '0') return 'not-affected';
  const unusable = { where: c.where, vulnId: c.vulnId, ecosystem: c.ecosystem, package: c.pkg };
  if (!isTrackerStatus(rel.status)) return { ...unusable, reason: `unknown tracker status "${rel.status}"` };
  let fixed: string | undefined;
  if (rel.status === 'resolved') {
    if (!rel.fixed_version) {
      return { ...unusable, reason: 'resolved without a fixed_version' };
    }
    fixed = rel.fixed_version;
  }
  const out: AffectedPackage = {
    source: `debian-tracker:${c.codename}`,
    vulnId: c.vulnId,
    aliases: [],
    ecosystem: c.ecosystem,
    package: c.pkg,
    ranges: [fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }]],
    versions: [],
    severity: [],
  };
  if (rel.urgency) out.urgency = rel.urgency;
  return out;
}

function releaseEntry(raw: unknown, where: string, at: string, field: string): ReleaseEntry {
  const o = asObject(raw, where, at, field);
  for (const k of ['status', 'fixed_version', 'urgency'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') fail(where, at, `${field}.${k}`, 'expected a string');
  }
  if (o.status === undefined) fail(where, at, `${field}.status`, 'missing');
  return o as unknown as ReleaseEntry;
}

function asObject(v: unknown, where: string, at: string, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, at, field, 'expected an object');
  return v as Record<string, unknown>;
}

function fail(where: string, at: string, field: string, message: string): never {
  throw new UserError(
    'feed-invalid-record',
    `${where}: Debian tracker entry ${at}: field ${field}: ${message}.`,
    'The file does not have the layout of https://security-tracker.debian.org/tracker/data/json; re-download it.',
  );
}
