import { nextSharedRecordId } from '../inventory/host-state.js';
import { ownCopy } from '../own-copy.js';
import { compareParsed, parseVersion, type ParsedVersion } from '../versions/compare-versions.js';
import { schemeForOsvEcosystem, type VersionScheme } from '../versions/ecosystem.js';
import { urgencyRank } from '../findings/rank-findings.js';
import { cveIds, type AffectedPackage, type SeverityVector } from './advisory.js';

/** A version ordering: parse once, compare parsed values many times. */
export interface VersionOrder {
  parse(v: string): unknown;
  compare(a: unknown, b: unknown): number;
}

const ORDERS = new Map<VersionScheme, VersionOrder>();

/** The ordering of a version scheme (debian, rpm, alpine). */
export function versionOrderFor(scheme: VersionScheme): VersionOrder {
  let order = ORDERS.get(scheme);
  if (!order) {
    order = {
      parse: (v) => parseVersion(scheme, v),
      compare: (a, b) => compareParsed(scheme, a as ParsedVersion, b as ParsedVersion),
    };
    ORDERS.set(scheme, order);
  }
  return order;
}

const INTRODUCED = 0;
const FIXED = 1;
const LAST_AFFECTED = 2;

/**
 * One OSV range in one flat array (the index holds hundreds of thousands; an object per event would
 * triple their count): at 0 the parsed `limit` versions (null: no limit, or `*`), then per event, sorted by
 * version, its kind, its parsed version (null for `introduced: "0"`, before everything) and its text.
 */
type CompiledRange = readonly unknown[];
/** Where a {@link CompiledRange}'s events start, and the width of one. */
const FIRST_EVENT = 1;
const EVENT = 3;

/**
 * One vulnerability of one package as every feed describes it, merged: shared by all versions, hosts and
 * findings (read-only). `vulnId` is the merge key: the CVE when a record names exactly one, else its id.
 */
export interface VulnInfo {
  vulnId: string;
  /** Every other id of the vulnerability, from every feed. */
  aliases: readonly string[];
  cves: readonly string[];
  /** Feeds with an advisory of it for this package. */
  sources: readonly string[];
  severity: readonly SeverityVector[];
  /** The most urgent distro urgency any feed gives. */
  urgency?: string;
  /** The matcher's cache slot for KEV/EPSS/CVSS lookups (see match-host.ts). */
  enriched?: unknown;
}

/**
 * One advisory record of one package, ready to evaluate. It keeps only what matching needs (not the
 * record itself), so the parsed records can be dropped once the index is built.
 */
export interface IndexEntry {
  info: VulnInfo;
  ranges: CompiledRange[];
  versions: readonly unknown[];
}

/** One vulnerability affecting one installed (package, version), with the fix for that version. */
export interface AdvisoryHit {
  info: VulnInfo;
  /** The highest fix any feed gives for the range the version is in; null when none gives one. */
  fixedVersion: string | null;
}

/** The records of one package and the per-version results computed from them. */
export class PackageEntries {
  readonly entries: IndexEntry[] = [];
  /** vulnId -> info, once a package has more entries than a scan of them should cost. */
  private infos: Map<string, VulnInfo> | undefined = undefined;
  /** version string -> hits; fleets repeat the same versions, so each is evaluated once. */
  memo: Map<string, VersionHits> | undefined = undefined;
  /**
   * The last version looked up and its entry: parsers share one string per version, so `===` is cheap.
   * (The entry alone would not do: every unaffected version shares one, with no version of its own.)
   */
  lastVersion: string | undefined = undefined;
  last: VersionHits | undefined = undefined;

  /** @param ordinal the package's number in its ecosystem index, from 0 (see `EcosystemIndex.seen`) */
  constructor(readonly ordinal: number) {}

  add(entry: IndexEntry): void {
    this.entries.push(entry);
    if (this.infos) this.infos.set(entry.info.vulnId, entry.info);
    else if (this.entries.length > PackageEntries.SCANNED) {
      this.infos = new Map();
      for (const e of this.entries) this.infos.set(e.info.vulnId, e.info);
    }
  }

  /** The info of `vulnId` if an entry has it (entries of one vulnerability share one info). */
  info(vulnId: string): VulnInfo | undefined {
    if (this.infos) return this.infos.get(vulnId);
    for (const e of this.entries) if (e.info.vulnId === vulnId) return e.info;
    return undefined;
  }

  /** Entries looked through one by one before a map takes over: most packages have a handful. */
  private static readonly SCANNED = 16;
}

/**
 * The hits of one installed (package, version), shared by every host that has it, with the matcher's
 * slot for the host call that last met it (see match-compact.ts).
 */
export class VersionHits {
  /** `hits.length`, read without touching the array. */
  readonly count: number;
  /** The package's ordinal (-1: none), read without touching the package. */
  readonly ordinal: number;
  /** The matcher's slot: the host call that last met this (package, version). */
  seenBy = 0;
  /** The matcher's cache slot for the count of known-exploited hits under one intel (match-host.ts). */
  kev: { intel: unknown; count: number } | undefined = undefined;
  constructor(
    /** The package's entries; undefined for a package no advisory names. */
    pkg: PackageEntries | undefined,
    readonly version: string,
    readonly hits: readonly AdvisoryHit[],
  ) {
    this.count = hits.length;
    this.ordinal = pkg ? pkg.ordinal : -1;
  }
}

/** The index of one OSV ecosystem (`Debian:12`). */
export interface EcosystemIndex {
  ecosystem: string;
  order: VersionOrder;
  /** version string -> parsed version, or the reason it does not parse */
  parsed: Map<string, unknown>;
  packages: Map<string, PackageEntries>;
  /**
   * Hits per shared installed-package record, by its id (`sharedRecordId`) less `recordBase`: a parser
   * hands out one frozen record per distinct line across hosts, so a repeated record costs one array read.
   */
  byRecordId: (VersionHits | undefined)[];
  /** The first shared record id remembered: ids issued before the index was built are looked up. */
  recordBase: number;
  /**
   * The matcher's slot per package ordinal: the host call that last met the package. A typed array, so
   * the package itself is not read.
   */
  seen: Float64Array;
}

/** A problem found while building the index (a record whose versions do not parse). */
export interface IndexIssue {
  vulnId: string;
  ecosystem: string;
  package: string;
  message: string;
}

/**
 * What the matcher keeps from one host to the next: a call counter for the index's slots and two reused
 * arrays. Owned by the index, so it is dropped with it: nothing grows at module level.
 */
export class MatchScratch {
  /** Numbers the calls of the matcher: the index's `seenBy` and `seen` slots compare with it. */
  calls = 0;
  /** The memoised hits of each package of the host being matched. */
  readonly perPackage: (VersionHits | undefined)[] = [];
  /** The affected pairs met, copied to an exact-size array at the end. */
  readonly met: VersionHits[] = [];
}

/** Advisory records keyed by ecosystem and package, with versions pre-parsed. */
export interface AdvisoryIndex {
  ecosystems: Map<string, EcosystemIndex>;
  /** The matcher's state between hosts (see match-compact.ts). */
  scratch: MatchScratch;
  /** (package, range) pairs indexed */
  ranges: number;
  records: number;
  issues: IndexIssue[];
}

/**
 * Builds the matcher's index from advisory records of any feed, keeping only `ecosystems` when given.
 * Every event version is parsed once here; a record whose versions do not parse loses that range and is
 * reported in `issues`. Records of ecosystems patchwise cannot order are reported and skipped.
 */
export function buildAdvisoryIndex(
  records: Iterable<AffectedPackage>,
  ecosystems?: readonly string[],
): AdvisoryIndex {
  const wanted = ecosystems ? new Set(ecosystems) : undefined;
  const index: AdvisoryIndex = {
    ecosystems: new Map(),
    scratch: new MatchScratch(),
    ranges: 0,
    records: 0,
    issues: [],
  };
  const sources = new Map<string, readonly string[]>();
  for (const record of records) {
    if (wanted && !wanted.has(record.ecosystem)) continue;
    const eco = ecosystemIndex(index, record);
    if (!eco) continue;
    let pkg = eco.packages.get(record.package);
    const entry = compileEntry(eco, record, index.issues, sources, pkg);
    if (!entry) continue;
    if (!pkg) eco.packages.set(record.package, (pkg = new PackageEntries(eco.packages.size)));
    pkg.add(entry);
    index.records++;
    index.ranges += Math.max(1, entry.ranges.length);
  }
  return index;
}

function ecosystemIndex(index: AdvisoryIndex, r: AffectedPackage): EcosystemIndex | undefined {
  let eco = index.ecosystems.get(r.ecosystem);
  if (eco) return eco;
  const scheme = schemeForOsvEcosystem(r.ecosystem);
  const order = scheme && versionOrderFor(scheme);
  if (!order) {
    const message = `ecosystem ${r.ecosystem} has no version ordering in patchwise`;
    if (!index.issues.some((i) => i.ecosystem === r.ecosystem && i.message === message))
      index.issues.push({ vulnId: r.vulnId, ecosystem: r.ecosystem, package: r.package, message });
    return undefined;
  }
  eco = {
    ecosystem: r.ecosystem,
    order,
    parsed: new Map(),
    packages: new Map(),
    byRecordId: [],
    recordBase: nextSharedRecordId(),
    seen: new Float64Array(0),
  };
  index.ecosystems.set(r.ecosystem, eco);
  return eco;
}

/** Parses `v` in `eco`'s ordering, once per distinct string; a string result is the parse error. */
export function parseCached(eco: EcosystemIndex, v: string): unknown {
  let p = eco.parsed.get(v);
  if (p === undefined) {
    p = eco.order.parse(v);
    eco.parsed.set(ownCopy(v), p);
  }
  return p;
}

const NO_VERSIONS: readonly unknown[] = Object.freeze([]);

function compileEntry(
  eco: EcosystemIndex,
  record: AffectedPackage,
  issues: IndexIssue[],
  sources: Map<string, readonly string[]>,
  pkg?: PackageEntries,
): IndexEntry | undefined {
  const problem = (message: string) =>
    issues.push({ vulnId: record.vulnId, ecosystem: record.ecosystem, package: record.package, message });
  const ranges: CompiledRange[] = [];
  for (const events of record.ranges) {
    const r = compileRange(eco, events);
    if (typeof r === 'string') problem(r);
    else ranges.push(r);
  }
  const versions: unknown[] = [];
  for (const v of record.versions) {
    const p = parseCached(eco, v);
    if (typeof p === 'string') problem(`listed version ${JSON.stringify(v)} does not parse: ${p}`);
    else versions.push(p);
  }
  if (ranges.length === 0 && versions.length === 0) return undefined;
  const cves = cveIds(record);
  const key = cves.length === 1 ? cves[0]! : record.vulnId;
  const known = pkg?.info(key);
  // Exact-size copies: an array grown by push keeps room for 17 elements, and the index holds hundreds
  // of thousands of these for the whole run.
  return {
    info: known ? mergeInfo(known, record, cves) : newInfo(key, record, cves, sources),
    ranges: ranges.slice(),
    versions: versions.length === 0 ? NO_VERSIONS : versions.slice(),
  };
}

function compileRange(
  eco: EcosystemIndex,
  events: AffectedPackage['ranges'][number],
): CompiledRange | string {
  const out: { kind: number; version: unknown; raw: string }[] = [];
  let limits: unknown[] | null = [];
  for (const e of events) {
    const [kind, raw] = eventParts(e);
    if (kind === 'limit' && raw.includes('*')) {
      limits = null;
      continue;
    }
    const zero = kind === 'introduced' && raw === '0';
    const version = zero ? null : parseCached(eco, raw);
    if (typeof version === 'string')
      return `${kind} version ${JSON.stringify(raw)} does not parse: ${version}`;
    if (kind === 'limit') limits?.push(version);
    else
      out.push({
        kind: kind === 'introduced' ? INTRODUCED : kind === 'fixed' ? FIXED : LAST_AFFECTED,
        version,
        raw,
      });
  }
  if (!out.some((e) => e.kind === INTRODUCED)) return 'range has no introduced event';
  // Stable sort: events at the same version keep the record's order.
  out.sort((a, b) =>
    a.version === null
      ? b.version === null
        ? 0
        : -1
      : b.version === null
        ? 1
        : eco.order.compare(a.version, b.version),
  );
  const flat = new Array<unknown>(FIRST_EVENT + EVENT * out.length);
  flat[0] = limits && limits.length > 0 ? limits.slice() : null;
  for (let i = 0; i < out.length; i++) {
    const at = FIRST_EVENT + EVENT * i;
    flat[at] = out[i]!.kind;
    flat[at + 1] = out[i]!.version;
    flat[at + 2] = out[i]!.raw;
  }
  return flat;
}

function eventParts(e: AffectedPackage['ranges'][number][number]): [string, string] {
  if ('introduced' in e) return ['introduced', e.introduced];
  if ('fixed' in e) return ['fixed', e.fixed];
  if ('last_affected' in e) return ['last_affected', e.last_affected];
  return ['limit', e.limit];
}

/**
 * Evaluates one range for version `v` exactly as the OSV schema's `IncludedInRanges` does. Returns
 * undefined when `v` is not affected, else the fix that ends the stretch `v` is in (null when the stretch
 * ends in `last_affected` or not at all).
 */
function evaluateRange(order: VersionOrder, r: CompiledRange, v: unknown): string | null | undefined {
  const limits = r[0] as unknown[] | null;
  if (limits && !limits.some((l) => order.compare(v, l) < 0)) return undefined;
  let vulnerable = false;
  let from = -1;
  const end = r.length;
  for (let i = FIRST_EVENT; i < end; i += EVENT) {
    const kind = r[i];
    const version = r[i + 1];
    if (kind === INTRODUCED) {
      if (version === null || order.compare(v, version) >= 0) {
        vulnerable = true;
        from = i;
      }
    } else if (kind === FIXED) {
      if (order.compare(v, version) >= 0) vulnerable = false;
    } else if (order.compare(v, version) > 0) vulnerable = false;
  }
  if (!vulnerable) return undefined;
  for (let i = from + EVENT; i < end; i += EVENT) {
    if (r[i] === FIXED) return r[i + 2] as string;
    if (r[i] === LAST_AFFECTED) return null;
  }
  return null;
}

/**
 * Whether `entry` affects version `v`: undefined when not, else the fixed version (null: no fix known).
 * Several ranges containing `v`: the highest fix, or null when one of them has none.
 */
export function evaluateEntry(eco: EcosystemIndex, entry: IndexEntry, v: unknown): string | null | undefined {
  const order = eco.order;
  let result: string | null | undefined;
  let best: unknown;
  for (const r of entry.ranges) {
    const fix = evaluateRange(order, r, v);
    if (fix === undefined) continue;
    if (fix === null || result === null) {
      result = null;
      continue;
    }
    const parsed = parseCached(eco, fix);
    if (result === undefined || order.compare(parsed, best) > 0) {
      result = fix;
      best = parsed;
    }
  }
  if (result === undefined && entry.versions.some((x) => order.compare(v, x) === 0)) return null;
  return result;
}

/**
 * A vulnerability's info, every field set (one shape for all). Lists are shared where they can be: no
 * list at all, one feed's name, the record's own vectors. Merging replaces a list, never changes one.
 */
function newInfo(
  key: string,
  r: AffectedPackage,
  cves: string[],
  sources: Map<string, readonly string[]>,
): VulnInfo {
  let aliases: readonly string[] = NO_STRINGS;
  if (r.vulnId !== key || r.aliases.length > 0) {
    const ids = new Set([r.vulnId, ...r.aliases]);
    ids.delete(key);
    if (ids.size > 0) aliases = [...ids];
  }
  return {
    vulnId: key,
    aliases,
    cves,
    sources: sourceList(sources, r.source),
    severity: r.severity.length === 0 ? NO_VECTORS : r.severity,
    urgency: r.urgency || undefined,
    enriched: undefined,
  };
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_VECTORS: readonly SeverityVector[] = Object.freeze([]);
/** The shared one-feed list of `source`, one per index build (`lists`). */
function sourceList(lists: Map<string, readonly string[]>, source: string): readonly string[] {
  let list = lists.get(source);
  if (!list) lists.set(source, (list = Object.freeze([source])));
  return list;
}

/** Another record of the same vulnerability: union of ids, feeds and vectors, the most urgent urgency. */
function mergeInfo(info: VulnInfo, r: AffectedPackage, cves: string[]): VulnInfo {
  const add = <T>(list: readonly T[], more: Iterable<T>, same: (a: T, b: T) => boolean) => {
    let out = list;
    for (const x of more) if (!out.some((y) => same(x, y))) out = [...out, x];
    return out;
  };
  const eq = (a: string, b: string) => a === b;
  info.aliases = add(
    info.aliases,
    [r.vulnId, ...r.aliases].filter((id) => id !== info.vulnId),
    eq,
  );
  info.cves = add(info.cves, cves, eq);
  info.sources = add(info.sources, [r.source], eq);
  info.severity = add(info.severity, r.severity, (a, b) => a.score === b.score);
  if (r.urgency && urgencyRank(r.urgency) > urgencyRank(info.urgency)) info.urgency = r.urgency;
  return info;
}
