import type { AffectedPackage } from '../../core/advisories/advisory.js';
import type { UnusableRecord } from '../../core/advisories/unusable-record.js';
import type { EpssScore, KevEntry } from '../../core/findings/finding.js';
import type { EpssFile } from '../../core/intel/epss.js';
import type { EolDistro, EolRelease } from '../../core/intel/eol.js';
import type { KevCatalog } from '../../core/intel/kev.js';

/** The kinds of feed patchwise imports (the `feed.kind` column). */
export const FEED_KINDS = ['osv', 'debian-tracker', 'kev', 'epss', 'eol'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];
export function isFeedKind(s: string): s is FeedKind {
  return (FEED_KINDS as readonly string[]).includes(s);
}

/** One file (or zip, or zip entry set) read and validated, before it is split into sources. */
export type FeedFile =
  | { kind: 'osv'; origin: string; records: AffectedPackage[]; unusable: UnusableRecord[]; files: number }
  | { kind: 'debian-tracker'; origin: string; json: unknown }
  | { kind: 'kev'; origin: string; catalog: KevCatalog }
  | { kind: 'epss'; origin: string; file: EpssFile }
  | { kind: 'eol'; origin: string; distro: EolDistro; releases: EolRelease[] }
  | { kind: 'skipped'; origin: string; note: string };

/** What one source's rows become. */
export type FeedPayload =
  | { type: 'affected'; records: AffectedPackage[] }
  | { type: 'kev'; entries: KevEntry[] }
  | { type: 'epss'; scores: EpssScore[] }
  | { type: 'eol'; distro: EolDistro; releases: EolRelease[] };

/**
 * One feed source ready to replace its rows in the store: `osv:Debian:12`, `debian-tracker:bookworm`,
 * `kev`, `epss`, `eol:debian`, `eol:ubuntu`.
 */
export interface ParsedSource {
  source: string;
  kind: FeedKind;
  origin: string;
  /** The data's own date (KEV dateReleased, EPSS score_date, newest OSV modified), when it has one. */
  dataDate: string | null;
  meta: Record<string, unknown>;
  unusable: UnusableRecord[];
  payload: FeedPayload;
}

/** Number of usable records of a source. */
export function recordCount(p: FeedPayload): number {
  switch (p.type) {
    case 'affected':
      return p.records.length;
    case 'kev':
      return p.entries.length;
    case 'epss':
      return p.scores.length;
    case 'eol':
      return p.releases.length;
  }
}
