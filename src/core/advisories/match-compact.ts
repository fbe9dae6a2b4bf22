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
 * die with the host. Like `Change` in rollup-host.ts; in alternating runs it was not slower.
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
 * One host matched without building a finding per vulnerability: per affected source package, a pointer
 * to the shared hit list of its installed version. `findings` is the number of findings
 * `materializeFindings` (match-host.ts) yields for it.
 */
export interface CompactMatch {
  state: HostState;
  /** The host's ecosystem index; undefined when the index has no advisories for the host's OS. */
  eco: EcosystemIndex | undefined;
  /** Affected source packages, in order of first appearance on the host, one group each. */
  groups: CompactGroup[];
  findings: number;
}

/** Numbers the calls of {@link matchHostCompact}: the index's `seenBy` slots compare with it. */
let calls = 0;

/** Reused per call: the memoised hits of each package of the host being matched. */
const perPackage: (VersionHits | undefined)[] = [];
/**
 * Reused per call: every group made, where the index's `group` slots point. Overwritten, not emptied:
 * emptying would give up its room, and the next host would grow it again.
 */
const groupsMade: Group[] = [];

/**
 * Matches one host against the index like `matchHost`, but allocates per affected source package only:
 * the result points at the index's per-(package, version) hit lists. Counting findings is free
 * (`findings`); use `materializeFindings` for `Finding` records and `groupHits` to walk them.
 *
 * Groups are found through the index, not a map: each shared (package, version) and each package
 * remembers the call that last met it and the group it went into (`VersionHits.seenBy` and `group`,
 * `EcosystemIndex.seen`), so a binary of a source already met costs two field reads. Not reentrant, like
 * everything synchronous in JavaScript.
 */
export function matchHostCompact(state: HostState, index: AdvisoryIndex): CompactMatch {
  const eco = ecosystemIndexFor(state.os, index);
  const groups: CompactGroup[] = [];
  const out: CompactMatch = { state, eco, groups, findings: 0 };
  if (!eco) return out;
  const call = ++calls;
  const packages = state.packages;
  const n = packages.length;
  const byId = eco.byRecordId;
  const found = perPackage;
  if (eco.seen.calls.length < eco.packages.size)
    eco.seen = { calls: new Float64Array(eco.packages.size), groups: new Int32Array(eco.packages.size) };
  const { calls: seenBy, groups: firstGroup } = eco.seen;
  // First pass: the remembered hits of each shared record, and their count. The loads of one package do
  // not wait on another's, so the processor overlaps their cache misses.
  for (let i = 0; i < n; i++) {
    const id = sharedRecordId(packages[i]!);
    const vh = id === undefined ? undefined : byId[id];
    found[i] = vh === undefined || vh.count > 0 ? vh : NOTHING;
  }
  let mixed = false;
  let made = 0;
  for (let i = 0; i < n; i++) {
    let vh = found[i];
    const p = packages[i]!;
    if (vh === undefined) {
      vh = versionHits(eco, p.source, p.sourceVersion ?? p.version);
      const id = sharedRecordId(p);
      if (id !== undefined && id < RECORD_MEMO_LIMIT) {
        // Filled up to the id so the array stays dense (a far index would make it a hash table).
        while (byId.length <= id) byId.push(undefined);
        byId[id] = vh;
      }
    }
    if (vh.count === 0) continue;
    if (vh.seenBy === call) {
      groupsMade[vh.group]!.packages.push(p);
      continue;
    }
    const g = new Group(p, vh);
    vh.seenBy = call;
    vh.group = made;
    groupsMade[made++] = g;
    const k = vh.ordinal;
    if (seenBy[k] !== call) {
      seenBy[k] = call;
      firstGroup[k] = vh.group;
      groups.push(g);
      out.findings += vh.count;
      continue;
    }
    // The same source at another source version: linked to its first group.
    let last: CompactGroup = groupsMade[firstGroup[k]!]!;
    while (last.next) last = last.next;
    last.next = g;
    mixed = true;
  }
  if (mixed) for (const g of groups) if (g.next) out.findings += groupHits(g).length - g.hits.length;
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
  const last = entries.last;
  if (last !== undefined && last.version === version) return last;
  let vh = entries.memo?.get(version);
  if (!vh) {
    const v = parseCached(eco, version);
    const hits = typeof v === 'string' ? NOTHING.hits : computeHits(eco, entries.entries, v);
    vh = hits.length === 0 ? NOTHING : new VersionHits(entries, ownCopy(version), hits);
    (entries.memo ??= new Map()).set(vh === NOTHING ? ownCopy(version) : vh.version, vh);
  }
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
