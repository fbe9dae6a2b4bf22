import type { EpssScore, Finding, KevEntry } from '../findings/finding.js';
import { osEndOfLife, type EolRelease } from '../intel/eol.js';
import type { HostState } from '../inventory/host-state.js';
import { cvssBaseScore } from '../intel/cvss-score.js';
import {
  parseCached,
  type AdvisoryHit,
  type AdvisoryIndex,
  type EcosystemIndex,
  type VulnInfo,
} from './advisory-index.js';
import {
  groupHits,
  hitsFor,
  matchHostCompact,
  type CompactGroup,
  type CompactMatch,
} from './match-compact.js';

/** What the matcher adds to each finding besides the advisory: exploitation, likelihood, OS support. */
export interface MatchIntel {
  kev: ReadonlyMap<string, KevEntry>;
  epss: ReadonlyMap<string, EpssScore>;
  eolReleases: readonly EolRelease[];
}

/** What every finding of one host shares. */
interface Context {
  state: HostState;
  eco: EcosystemIndex;
  intel: MatchIntel;
  osEol: boolean;
}

/** KEV entry, best EPSS score and CVSS of one vulnerability, looked up once per intel. */
interface Enriched {
  intel: MatchIntel;
  kev: KevEntry | undefined;
  epss: EpssScore | undefined;
  cvss: Finding['cvss'];
}

/**
 * Matches one host's installed packages against the advisory index: the SOURCE version of each package
 * (`sourceVersion ?? version`) against the advisories of its source package in the host's ecosystem.
 * Returns one finding per (source package, vulnerability) listing the binaries built from it, merged
 * across feeds, enriched with KEV and EPSS (by CVE), CVSS (from the advisory's vectors), the distro
 * urgency and whether the host's OS is past its end of life at `now`. A host whose OS has no advisories
 * in the index yields no findings. Findings of one host and package share their `binaries` array and
 * all findings share the hit's id arrays: treat them as read-only. Built on `matchHostCompact`.
 */
export function matchHost(state: HostState, index: AdvisoryIndex, intel: MatchIntel, now: Date): Finding[] {
  return materializeFindings(matchHostCompact(state, index), intel, now);
}

/**
 * The `Finding` records of a compact match (exactly what `matchHost` returns), enriched with `intel`
 * at `now`. Allocates one object per finding: for fleet-wide counts use the compact match itself.
 */
export function materializeFindings(compact: CompactMatch, intel: MatchIntel, now: Date): Finding[] {
  const { state, eco } = compact;
  if (!eco || compact.met.length === 0) return [];
  const ctx: Context = { state, eco, intel, osEol: osEndOfLife(intel.eolReleases, state.os, now).eol };
  const out: Finding[] = [];
  for (const group of compact.groups) {
    if (group.next) emitMixed(out, ctx, group.source, group);
    else {
      const binaries = binaryNames(group);
      for (const e of group.hits) out.push(finding(ctx, group.source, group.version, binaries, e));
    }
  }
  return out;
}

/**
 * Makes the `Finding` records of one matched host group by group (what {@link materializeFindings} does
 * for the whole host): a fleet that shares decisions between hosts materializes only the groups it must.
 */
export class FindingMaker {
  private readonly ctx: Context | undefined;
  constructor(
    readonly compact: CompactMatch,
    intel: MatchIntel,
    now: Date,
  ) {
    const { state, eco } = compact;
    this.ctx = eco && { state, eco, intel, osEol: osEndOfLife(intel.eolReleases, state.os, now).eol };
  }

  /** The findings of one source package's group, in the order {@link materializeFindings} lists them. */
  group(group: CompactGroup): Finding[] {
    const ctx = this.ctx;
    if (!ctx) return [];
    const out: Finding[] = [];
    if (group.next) emitMixed(out, ctx, group.source, group);
    else {
      const binaries = binaryNames(group);
      for (const e of group.hits) out.push(finding(ctx, group.source, group.version, binaries, e));
    }
    return out;
  }
}

/**
 * How many of a compact match's findings are known-exploited (would carry a KEV entry in
 * `materializeFindings`), without making them: counted once per shared (package, version) and intel,
 * so a fleet-wide count costs a lookup per affected package.
 */
export function knownExploitedCount(compact: CompactMatch, intel: MatchIntel): number {
  let n = 0;
  if (compact.mixed) for (const g of compact.groups) n += kevIn(groupHits(g, compact.eco), intel);
  else
    for (const shared of compact.met) {
      if (shared.kev?.intel !== intel) shared.kev = { intel, count: kevIn(shared.hits, intel) };
      n += shared.kev.count;
    }
  return n;
}

function kevIn(hits: readonly AdvisoryHit[], intel: MatchIntel): number {
  let n = 0;
  for (const hit of hits) if (enriched(hit.info, intel).kev) n++;
  return n;
}

/** The names of a group's installed binaries, each once, in the host's order. */
export function binaryNames(g: CompactGroup): string[] {
  if (g.packages.length === 1) return [g.packages[0]!.name];
  return [...new Set(g.packages.map((p) => p.name))];
}

/** The KEV entry, best EPSS score and CVSS of `info` under `intel`, computed once per vulnerability. */
export function enrichmentOf(info: VulnInfo, intel: MatchIntel): Readonly<Omit<Enriched, 'intel'>> {
  return enriched(info, intel);
}

function enriched(info: VulnInfo, intel: MatchIntel): Enriched {
  const known = info.enriched as Enriched | undefined;
  if (known?.intel === intel) return known;
  const e: Enriched = { intel, kev: undefined, epss: undefined, cvss: pickCvss(info) };
  for (const cve of info.cves) {
    e.kev ??= intel.kev.get(cve);
    const s = intel.epss.get(cve);
    if (s && (!e.epss || s.score > e.epss.score)) e.epss = s;
  }
  info.enriched = e;
  return e;
}

/** Binaries of one source built from different source versions: per vulnerability, the lowest wins. */
function emitMixed(out: Finding[], ctx: Context, source: string, first: CompactGroup) {
  const byVuln = new Map<string, Finding>();
  // Each finding's binary names as a set, so merging the groups stays linear in their binaries.
  const namesOf = new Map<Finding, Set<string>>();
  for (let g: CompactGroup | undefined = first; g; g = g.next) {
    const binaries = binaryNames(g);
    for (const e of g.hits) {
      const f = byVuln.get(e.info.vulnId);
      if (!f) {
        byVuln.set(e.info.vulnId, finding(ctx, source, g.version, [...binaries], e));
        continue;
      }
      let names = namesOf.get(f);
      if (!names) namesOf.set(f, (names = new Set(f.binaries)));
      for (const b of binaries) {
        if (names.has(b)) continue;
        names.add(b);
        f.binaries.push(b);
      }
      const order = ctx.eco.order;
      if (order.compare(parseCached(ctx.eco, g.version), parseCached(ctx.eco, f.installedVersion)) < 0) {
        f.installedVersion = g.version;
        f.fixedVersion = e.fixedVersion;
      }
    }
  }
  out.push(...byVuln.values());
}

/** One finding; every field is always set (undefined when absent) so all findings share one shape. */
function finding(
  ctx: Context,
  source: string,
  version: string,
  binaries: string[],
  hit: AdvisoryHit,
): Finding {
  const info = hit.info;
  const e = enriched(info, ctx.intel);
  return {
    host: ctx.state.host,
    os: ctx.state.os,
    package: source,
    binaries,
    installedVersion: version,
    fixedVersion: hit.fixedVersion,
    vulnId: info.vulnId,
    aliases: info.aliases,
    cves: info.cves,
    cvss: e.cvss,
    urgency: info.urgency,
    kev: e.kev,
    epss: e.epss,
    osEol: ctx.osEol,
    sources: info.sources,
  };
}

/** CVSS vector types from the most to the least preferred. */
const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'] as const;

/**
 * The CVSS of a hit: its highest-version vector (v4.0, then v3.1, v3.0, v2), scored. Vectors that do not
 * score are passed over. Memoised per hit (hits are shared across hosts).
 */
export function pickCvss(info: Pick<VulnInfo, 'severity'>): Finding['cvss'] {
  const candidates = info.severity
    .filter((s) => (CVSS_PREFERENCE as readonly string[]).includes(s.type))
    .sort((a, b) => cvssRank(b.type, b.score) - cvssRank(a.type, a.score));
  let picked: Finding['cvss'] | null = null;
  for (const s of candidates) {
    const scored = cvssBaseScore(s.score);
    if (typeof scored === 'string') continue;
    picked = { version: scored.version, vector: s.score, score: scored.score };
    break;
  }
  return picked ?? undefined;
}

function cvssRank(type: string, vector: string): number {
  const m = /^CVSS:(\d+\.\d+)\//.exec(vector);
  if (m) return Number(m[1]);
  return type === 'CVSS_V2' ? 2 : type === 'CVSS_V3' ? 3 : 4;
}

export { hitsFor };
