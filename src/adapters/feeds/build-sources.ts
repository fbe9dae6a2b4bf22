import type { AffectedPackage } from '../../core/advisories/advisory.js';
import { debianEcosystemForCodename } from '../../core/advisories/debian-codenames.js';
import { parseDebianTracker, trackerCodenames } from '../../core/advisories/parse-debian-tracker.js';
import { countUnusableReasons, type UnusableRecord } from '../../core/advisories/unusable-record.js';
import type { EolRelease } from '../../core/intel/eol.js';
import { parseKev } from '../../core/intel/kev.js';
import type { FeedFile, ParsedSource } from './feed-file.js';

export interface BuildOptions {
  /** Release tables already in the store, to map tracker codenames to `Debian:<version>`. */
  eol: readonly EolRelease[];
  /** Only import tracker releases of these ecosystems (sync passes the fleet's); default all. */
  trackerEcosystems?: readonly string[];
}

/**
 * Splits what was read into feed sources: OSV records by ecosystem (all OSV files of one import form one
 * OSV import), each tracker release, KEV, EPSS and each EOL table. Pure: nothing is written.
 */
export function buildSources(
  files: readonly FeedFile[],
  opts: BuildOptions,
): { sources: ParsedSource[]; notes: string[] } {
  const notes: string[] = [];
  const singles = new Map<string, ParsedSource>();
  const eol = [...files.flatMap((f) => (f.kind === 'eol' ? f.releases : [])), ...opts.eol];
  const add = (s: ParsedSource) => {
    const prev = singles.get(s.source);
    if (prev) notes.push(`${s.source}: ${prev.origin} replaced by ${s.origin} (both name the same source)`);
    singles.set(s.source, s);
  };
  for (const f of files) {
    if (f.kind === 'skipped') notes.push(f.note);
    else if (f.kind === 'debian-tracker') trackerSources(f.json, f.origin, eol, opts, notes).forEach(add);
    else if (f.kind === 'kev') add(kevSource(f));
    else if (f.kind === 'epss') add(epssSource(f));
    else if (f.kind === 'eol') add(eolSource(f));
  }
  const osv = osvSources(files.flatMap((f) => (f.kind === 'osv' ? [f] : [])));
  return { sources: [...osv, ...singles.values()], notes };
}

type OsvFile = Extract<FeedFile, { kind: 'osv' }>;

function osvSources(files: OsvFile[]): ParsedSource[] {
  if (files.length === 0) return [];
  const byEco = new Map<string, { records: AffectedPackage[]; unusable: UnusableRecord[] }>();
  const group = (eco: string) => {
    let g = byEco.get(eco);
    if (!g) byEco.set(eco, (g = { records: [], unusable: [] }));
    return g;
  };
  for (const f of files) for (const r of f.records) group(r.ecosystem).records.push(r);
  // Unusable entries without an ecosystem count against the import's main ecosystem.
  const main =
    [...byEco.entries()].sort((a, b) => b[1].records.length - a[1].records.length)[0]?.[0] ?? 'unknown';
  for (const f of files) for (const u of f.unusable) group(u.ecosystem ?? main).unusable.push(u);
  const origin = [...new Set(files.map((f) => f.origin))].join(', ');
  const fileCount = files.reduce((n, f) => n + f.files, 0);
  return [...byEco.entries()].map(([eco, g]) => ({
    source: `osv:${eco}`,
    kind: 'osv' as const,
    origin,
    dataDate: newest(g.records.map((r) => r.modified)),
    meta: {
      ecosystem: eco,
      osvRecords: fileCount,
      vulnerabilities: new Set(g.records.map((r) => r.vulnId)).size,
      unusableReasons: countUnusableReasons(g.unusable),
    },
    unusable: g.unusable,
    payload: { type: 'affected' as const, records: g.records },
  }));
}

function newest(dates: (string | undefined)[]): string | null {
  let max: string | null = null;
  for (const d of dates) if (d && (max === null || d > max)) max = d;
  return max;
}

function trackerSources(
  json: unknown,
  origin: string,
  eol: readonly EolRelease[],
  opts: BuildOptions,
  notes: string[],
): ParsedSource[] {
  const out: ParsedSource[] = [];
  for (const codename of trackerCodenames(json, origin)) {
    const ecosystem = debianEcosystemForCodename(codename, eol);
    if (!ecosystem) {
      notes.push(`${origin}: release "${codename}" skipped (no Debian release number to match hosts on)`);
      continue;
    }
    if (opts.trackerEcosystems && !opts.trackerEcosystems.includes(ecosystem)) continue;
    const { records, unusable } = parseDebianTracker(json, codename, ecosystem, origin);
    out.push({
      source: `debian-tracker:${codename}`,
      kind: 'debian-tracker',
      origin,
      dataDate: null,
      meta: { codename, ecosystem, unusableReasons: countUnusableReasons(unusable) },
      unusable,
      payload: { type: 'affected', records },
    });
  }
  return out;
}

function kevSource(f: Extract<FeedFile, { kind: 'kev' }>): ParsedSource {
  const { catalogVersion, dateReleased, count } = f.catalog;
  return {
    source: 'kev',
    kind: 'kev',
    origin: f.origin,
    dataDate: dateReleased,
    meta: { catalogVersion, count },
    unusable: [],
    payload: { type: 'kev', entries: parseKev(f.catalog) },
  };
}

function epssSource(f: Extract<FeedFile, { kind: 'epss' }>): ParsedSource {
  return {
    source: 'epss',
    kind: 'epss',
    origin: f.origin,
    dataDate: f.file.scoreDate ?? null,
    meta: { modelVersion: f.file.modelVersion ?? null },
    unusable: [],
    payload: { type: 'epss', scores: f.file.scores },
  };
}

function eolSource(f: Extract<FeedFile, { kind: 'eol' }>): ParsedSource {
  return {
    source: `eol:${f.distro}`,
    kind: 'eol',
    origin: f.origin,
    dataDate: null,
    meta: { distro: f.distro },
    unusable: [],
    payload: { type: 'eol', distro: f.distro, releases: f.releases },
  };
}
