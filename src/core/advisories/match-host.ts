import type { EpssScore, Finding, KevEntry } from '../findings/finding.js';
import { osEndOfLife, type EolRelease } from '../intel/eol.js';
import type { HostState, InstalledPackage } from '../inventory/host-state.js';
import { ecosystemForOs } from '../versions/ecosystem.js';
import { cvssBaseScore } from '../intel/cvss-score.js';
import {
  evaluateEntry,
  parseCached,
  type AdvisoryHit,
  type AdvisoryIndex,
  type EcosystemIndex,
  type IndexEntry,
  type VulnInfo,
} from './advisory-index.js';

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

/** The installed versions of one source package on a host, each with its hits and binaries. */
interface SourceGroup {
  version: string;
  hits: readonly AdvisoryHit[];
  binaries: string[];
  next?: SourceGroup;
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
 * all findings share the hit's id arrays: treat them as read-only.
 */
export function matchHost(state: HostState, index: AdvisoryIndex, intel: MatchIntel, now: Date): Finding[] {
  const eco = ecosystemIndexFor(state.os, index);
  if (!eco) return [];
  const groups = new Map<string, SourceGroup>();
  for (const p of state.packages) addPackage(groups, eco, p);
  const ctx: Context = { state, eco, intel, osEol: osEndOfLife(intel.eolReleases, state.os, now).eol };
  const out: Finding[] = [];
  for (const [source, group] of groups) {
    if (group.next) emitMixed(out, ctx, source, group);
    else for (const e of group.hits) out.push(finding(ctx, source, group.version, group.binaries, e));
  }
  return out;
}

function ecosystemIndexFor(os: string, index: AdvisoryIndex): EcosystemIndex | undefined {
  try {
    return index.ecosystems.get(ecosystemForOs(os).osv);
  } catch {
    return undefined;
  }
}

function addPackage(groups: Map<string, SourceGroup>, eco: EcosystemIndex, p: InstalledPackage) {
  const version = p.sourceVersion ?? p.version;
  const raw = hitsFor(eco, p.source, version);
  if (raw.length === 0) return;
  let g = groups.get(p.source);
  if (!g) {
    groups.set(p.source, { version, hits: raw, binaries: [p.name] });
    return;
  }
  while (g.version !== version && g.next) g = g.next;
  if (g.version === version) {
    if (!g.binaries.includes(p.name)) g.binaries.push(p.name);
  } else g.next = { version, hits: raw, binaries: [p.name] };
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
function emitMixed(out: Finding[], ctx: Context, source: string, first: SourceGroup) {
  const byVuln = new Map<string, Finding>();
  for (let g: SourceGroup | undefined = first; g; g = g.next) {
    for (const e of g.hits) {
      const f = byVuln.get(e.info.vulnId);
      if (!f) {
        byVuln.set(e.info.vulnId, finding(ctx, source, g.version, [...g.binaries], e));
        continue;
      }
      for (const b of g.binaries) if (!f.binaries.includes(b)) f.binaries.push(b);
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

const NO_HITS: readonly AdvisoryHit[] = Object.freeze([]);

/**
 * The advisories affecting `version` of `pkg` in `eco`, merged per vulnerability across feeds.
 * Memoised per (package, version); the returned hits are shared: treat them as read-only.
 */
export function hitsFor(eco: EcosystemIndex, pkg: string, version: string): readonly AdvisoryHit[] {
  const entries = eco.packages.get(pkg);
  if (!entries) return NO_HITS;
  let hits = entries.memo.get(version);
  if (hits) return hits;
  const v = parseCached(eco, version);
  hits = typeof v === 'string' ? NO_HITS : computeHits(eco, entries.entries, v);
  entries.memo.set(version, hits);
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
  return Object.freeze([...byInfo.values()].map((x) => x.hit));
}
