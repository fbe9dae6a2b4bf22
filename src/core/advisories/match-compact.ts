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
  VersionHits,
} from './advisory-index.js';

/**
 * The installed binaries of one source package built from one source version, with the shared hits of
 * that (source, version). `next` links the groups of the same source at other source versions (rare).
 */
export interface CompactGroup {
  readonly source: string;
  readonly version: string;
  /** The index's memoised hits of (source, version): shared across hosts, frozen. */
  readonly hits: readonly AdvisoryHit[];
  /** The index's entry of (source, version), which holds `version` and `hits`: shared across hosts. */
  readonly shared: VersionHits;
  /** The installed packages built from it, in the host's order (pointers into the host state). */
  readonly packages: InstalledPackage[];
  next?: CompactGroup;
}

/**
 * A {@link CompactGroup} as a class rather than an object literal: V8 may pretenure a literal's allocation
 * site (`--trace-pretenuring-statistics` shows sites tenured during this benchmark), and a host's groups
 * die with the host. Like `PackageChange` in rollup-host.ts; in alternating runs it was not slower.
 */
class Group implements CompactGroup {
  readonly shared: VersionHits;
  readonly packages: InstalledPackage[];
  next?: CompactGroup = undefined;
  constructor(p: InstalledPackage, shared: VersionHits) {
    this.shared = shared;
    this.packages = [p];
  }
  get source(): string {
    return this.packages[0]!.source;
  }
  get version(): string {
    return this.shared.version;
  }
  get hits(): readonly AdvisoryHit[] {
    return this.shared.hits;
  }
}

/**
 * One host matched without building a finding per vulnerability: the index's shared entries of the
 * affected (source package, version) pairs the host has. `findings` is the number of findings
 * `materializeFindings` (match-host.ts) yields for it; `groups` lists the installed binaries per affected
 * source, made on first use (a fleet-wide count never needs them).
 */
export class CompactMatch {
  constructor(
    readonly state: HostState,
    /** The host's ecosystem index; undefined when the index has no advisories for the host's OS. */
    readonly eco: EcosystemIndex | undefined,
    /** Affected (source, version) pairs, in order of first appearance on the host. */
    readonly met: readonly VersionHits[],
    /** Whether some source is installed at several source versions (`met` has it more than once). */
    readonly mixed: boolean,
    readonly findings: number,
    private made?: CompactGroup[],
  ) {}

  /** Affected source packages, in order of first appearance on the host, one group each. */
  get groups(): CompactGroup[] {
    return (this.made ??= this.eco ? makeGroups(this.state, this.eco) : []);
  }
}

/**
 * Matches one host against the index like `matchHost`, but allocates (almost) nothing per package: the
 * result lists the index's shared per-(package, version) entries the host has. Counting findings is
 * free (`findings`); use `materializeFindings` for `Finding` records and `groupHits` to walk them.
 *
 * Pairs and sources already met on this host are told by slots in the index, not a map: each shared
 * (package, version) remembers the call that last met it (`VersionHits.seenBy`), each package too
 * (`EcosystemIndex.seen`), so a binary of a source already met costs one field read. The counter and
 * scratch arrays live in the index (`index.scratch`): not reentrant, like everything synchronous in
 * JavaScript, and dropped with the index.
 */
export function matchHostCompact(state: HostState, index: AdvisoryIndex): CompactMatch {
  const eco = ecosystemIndexFor(state.os, index);
  if (!eco) return new CompactMatch(state, eco, NONE_MET, false, 0);
  const scratch = index.scratch;
  const call = ++scratch.calls;
  const packages = state.packages;
  const n = packages.length;
  const found = scratch.perPackage;
  const metScratch = scratch.met;
  const seenBy = seenSlots(eco);
  // First pass: the remembered hits of each shared record, and their count. The loads of one package do
  // not wait on another's, so the processor overlaps their cache misses.
  const byId = eco.byRecordId;
  const base = eco.recordBase;
  for (let i = 0; i < n; i++) {
    const id = sharedRecordId(packages[i]!);
    const vh = id === undefined ? undefined : byId[id - base];
    found[i] = vh === undefined || vh.count > 0 ? vh : NOTHING;
  }
  let mixed = false;
  let findings = 0;
  let met = 0;
  for (let i = 0; i < n; i++) {
    const vh = found[i] ?? lookUp(eco, packages[i]!);
    if (vh.count === 0 || vh.seenBy === call) continue;
    vh.seenBy = call;
    metScratch[met++] = vh;
    const k = vh.ordinal;
    if (seenBy[k] !== call) {
      seenBy[k] = call;
      findings += vh.count;
    } else mixed = true; // the same source at another source version
  }
  const pairs = met === 0 ? NONE_MET : metScratch.slice(0, met);
  // Past a large host the scratch keeps no entries alive longer than the index does.
  if (found.length > 1 << 15) found.length = 0;
  if (!mixed) return new CompactMatch(state, eco, pairs, mixed, findings);
  // Per vulnerability, one finding for all the versions of a source: counted from the groups.
  const groups = makeGroups(state, eco);
  let merged = 0;
  for (const g of groups) merged += groupHits(g, eco).length;
  return new CompactMatch(state, eco, pairs, mixed, merged, groups);
}

const NONE_MET: readonly VersionHits[] = Object.freeze([]);

/** The per-package slots of `eco`, grown to its package count. */
function seenSlots(eco: EcosystemIndex): Float64Array {
  if (eco.seen.length < eco.packages.size) eco.seen = new Float64Array(eco.packages.size);
  return eco.seen;
}

/** The shared entry of a package's (source, version), remembered by record id for shared records. */
function lookUp(eco: EcosystemIndex, p: InstalledPackage): VersionHits {
  const byId = eco.byRecordId;
  const id = sharedRecordId(p);
  const at = id === undefined ? -1 : id - eco.recordBase;
  let vh = at < 0 ? undefined : byId[at];
  if (vh !== undefined) return vh;
  vh = versionHits(eco, p.source, p.sourceVersion ?? p.version);
  if (at >= 0 && at < RECORD_MEMO_LIMIT) {
    // Filled up to the id so the array stays dense (a far index would make it a hash table).
    while (byId.length <= at) byId.push(undefined);
    byId[at] = vh;
  }
  return vh;
}

/** The groups of a matched host: its packages walked again, grouped by (source, version) and source. */
function makeGroups(state: HostState, eco: EcosystemIndex): CompactGroup[] {
  const groups: Group[] = [];
  const byPair = new Map<VersionHits, Group>();
  const bySource = new Map<number, Group>();
  for (const p of state.packages) {
    const vh = lookUp(eco, p);
    if (vh.count === 0) continue;
    let g = byPair.get(vh);
    if (g) {
      g.packages.push(p);
      continue;
    }
    byPair.set(vh, (g = new Group(p, vh)));
    let last: CompactGroup | undefined = bySource.get(vh.ordinal);
    if (!last) {
      bySource.set(vh.ordinal, g);
      groups.push(g);
      continue;
    }
    while (last.next) last = last.next;
    last.next = g;
  }
  return groups;
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

/** The (package, version) of every package that no advisory names, or none affects. */
const NOTHING = new VersionHits(undefined, '', Object.freeze([]));

/**
 * The advisories affecting `version` of `pkg` in `eco`, merged per vulnerability across feeds.
 * Memoised per (package, version); the returned hits are shared: treat them as read-only.
 */
export function hitsFor(eco: EcosystemIndex, pkg: string, version: string): readonly AdvisoryHit[] {
  return versionHits(eco, pkg, version).hits;
}

function versionHits(eco: EcosystemIndex, pkg: string, version: string): VersionHits {
  const entries = eco.packages.get(pkg);
  if (!entries) return NOTHING;
  if (entries.lastVersion === version) return entries.last!;
  let vh = entries.memo?.get(version);
  if (!vh) {
    const v = parseCached(eco, version);
    const hits = typeof v === 'string' ? NOTHING.hits : computeHits(eco, entries.entries, v);
    vh = hits.length === 0 ? NOTHING : new VersionHits(entries, ownCopy(version), hits);
    (entries.memo ??= new Map()).set(vh === NOTHING ? ownCopy(version) : vh.version, vh);
  }
  entries.lastVersion = version;
  entries.last = vh;
  return vh;
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
  if (!byInfo) return NOTHING.hits;
  return Object.freeze([...byInfo.values()].map((x) => Object.freeze(x.hit)));
}
