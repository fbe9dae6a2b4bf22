import { sharedRecordId, type HostState, type InstalledPackage } from '../inventory/host-state.js';
import { ownCopy } from '../own-copy.js';
import { ecosystemForOs } from '../versions/ecosystem.js';
import {
  evaluateEntry,
  parseCached,
  type AdvisoryHit,
  type AdvisoryIndex,
  type EcosystemIndex,
  type IndexEntry,
  type VulnInfo,
} from './advisory-index.js';

/**
 * The installed binaries of one source package built from one source version, with the shared hits of
 * that (source, version). `next` links the groups of the same source at other source versions (rare).
 */
export interface CompactGroup {
  source: string;
  version: string;
  /** The index's memoised hits of (source, version): shared across hosts, frozen. */
  hits: readonly AdvisoryHit[];
  /** The installed packages built from it, in the host's order (pointers into the host state). */
  packages: InstalledPackage[];
  next?: CompactGroup;
}

/**
 * A {@link CompactGroup} as a class rather than an object literal: V8 may pretenure a literal's allocation
 * site (`--trace-pretenuring-statistics` shows sites tenured during this benchmark), and a host's groups
 * die with the host. Like `Change` in rollup-host.ts; in alternating runs it was not slower.
 */
class Group implements CompactGroup {
  source: string;
  version: string;
  hits: readonly AdvisoryHit[];
  packages: InstalledPackage[];
  next?: CompactGroup;
  constructor(p: InstalledPackage, version: string, hits: readonly AdvisoryHit[]) {
    this.source = p.source;
    this.version = version;
    this.hits = hits;
    this.packages = [p];
  }
}

/**
 * One host matched without building a finding per vulnerability: per affected source package, a pointer
 * to the shared hit list of its installed version. `findings` is the number of findings
 * `materializeFindings` (match-host.ts) yields for it.
 */
export interface CompactMatch {
  state: HostState;
  /** The host's ecosystem index; undefined when the index has no advisories for the host's OS. */
  eco: EcosystemIndex | undefined;
  /** Affected source packages, in order of first appearance on the host. */
  groups: Map<string, CompactGroup>;
  findings: number;
}

/**
 * Matches one host against the index like `matchHost`, but allocates per affected source package only:
 * the result points at the index's per-(package, version) hit lists. Counting findings is free
 * (`findings`); use `materializeFindings` for `Finding` records and `groupHits` to walk them.
 */
export function matchHostCompact(state: HostState, index: AdvisoryIndex): CompactMatch {
  const eco = ecosystemIndexFor(state.os, index);
  const groups = new Map<string, CompactGroup>();
  const out: CompactMatch = { state, eco, groups, findings: 0 };
  if (!eco) return out;
  const byId = eco.byRecordId;
  let mixed = false;
  let last: CompactGroup | undefined;
  for (const p of state.packages) {
    const version = p.sourceVersion ?? p.version;
    // Binaries of one source usually sit together: skip the lookups for the next one.
    if (last && last.source === p.source && last.version === version) {
      last.packages.push(p);
      continue;
    }
    // Shared records (one per distinct package line, across hosts) remember their hits by id.
    const id = sharedRecordId(p);
    let hits = id === undefined ? undefined : byId[id];
    if (hits === undefined) {
      hits = hitsFor(eco, p.source, version);
      if (id !== undefined && id < RECORD_MEMO_LIMIT) {
        // Filled up to the id so the array stays dense (a far index would make it a hash table).
        while (byId.length <= id) byId.push(undefined);
        byId[id] = hits;
      }
    }
    if (hits.length === 0) continue;
    let g = groups.get(p.source);
    if (!g) {
      groups.set(p.source, (last = new Group(p, version, hits)));
      out.findings += hits.length;
      continue;
    }
    while (g.version !== version && g.next) g = g.next;
    if (g.version === version) g.packages.push(p);
    else {
      g.next = new Group(p, version, hits);
      mixed = true;
    }
    last = g.version === version ? g : g.next;
  }
  if (mixed) for (const g of groups.values()) if (g.next) out.findings += groupHits(g).length - g.hits.length;
  return out;
}

/** Shared record ids remembered per ecosystem index (8 bytes each); records past it are looked up. */
const RECORD_MEMO_LIMIT = 4_000_000;

function ecosystemIndexFor(os: string, index: AdvisoryIndex): EcosystemIndex | undefined {
  try {
    return index.ecosystems.get(ecosystemForOs(os).osv);
  } catch {
    return undefined;
  }
}

/**
 * The hits of one source package on a host, one per vulnerability: the group's shared list, or for a
 * source installed at several source versions, the hit of the lowest affected version per vulnerability
 * (a new array of shared hits, in first-seen order).
 */
export function groupHits(first: CompactGroup, eco?: EcosystemIndex): readonly AdvisoryHit[] {
  if (!first.next) return first.hits;
  const byVuln = new Map<VulnInfo, { hit: AdvisoryHit; version: string }>();
  for (let g: CompactGroup | undefined = first; g; g = g.next) {
    for (const hit of g.hits) {
      const known = byVuln.get(hit.info);
      if (!known) byVuln.set(hit.info, { hit, version: g.version });
      else if (eco && lower(eco, g.version, known.version)) byVuln.set(hit.info, { hit, version: g.version });
    }
  }
  return [...byVuln.values()].map((x) => x.hit);
}

function lower(eco: EcosystemIndex, a: string, b: string): boolean {
  return eco.order.compare(parseCached(eco, a), parseCached(eco, b)) < 0;
}

const NO_HITS: readonly AdvisoryHit[] = Object.freeze([]);

/**
 * The advisories affecting `version` of `pkg` in `eco`, merged per vulnerability across feeds.
 * Memoised per (package, version); the returned hits are shared: treat them as read-only.
 */
export function hitsFor(eco: EcosystemIndex, pkg: string, version: string): readonly AdvisoryHit[] {
  const entries = eco.packages.get(pkg);
  if (!entries) return NO_HITS;
  if (entries.lastVersion === version) return entries.lastHits!;
  let hits = entries.memo.get(version);
  if (!hits) {
    const v = parseCached(eco, version);
    hits = typeof v === 'string' ? NO_HITS : computeHits(eco, entries.entries, v);
    version = ownCopy(version);
    entries.memo.set(version, hits);
  }
  entries.lastVersion = version;
  entries.lastHits = hits;
  return hits;
}

function computeHits(eco: EcosystemIndex, entries: IndexEntry[], v: unknown): readonly AdvisoryHit[] {
  let byInfo: Map<VulnInfo, { hit: AdvisoryHit; fix: unknown }> | undefined;
  for (const entry of entries) {
    const fix = evaluateEntry(eco, entry, v);
    if (fix === undefined) continue;
    byInfo ??= new Map();
    const parsed = fix === null ? undefined : parseCached(eco, fix);
    const prev = byInfo.get(entry.info);
    if (!prev) byInfo.set(entry.info, { hit: { info: entry.info, fixedVersion: fix }, fix: parsed });
    else if (parsed !== undefined && (prev.fix === undefined || eco.order.compare(parsed, prev.fix) > 0)) {
      // Feeds disagree on the fix: the highest one clears every feed's range.
      prev.fix = parsed;
      prev.hit.fixedVersion = fix;
    }
  }
  if (!byInfo) return NO_HITS;
  return Object.freeze([...byInfo.values()].map((x) => Object.freeze(x.hit)));
}
