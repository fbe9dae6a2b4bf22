import type { CompactGroup, CompactMatch } from '../advisories/match-compact.js';
import { FindingMaker, type MatchIntel } from '../advisories/match-host.js';
import type { VersionHits } from '../advisories/advisory-index.js';
import type { Finding } from '../findings/finding.js';
import { compareFindings, compareRankKeys, rankKeyOf, type RankKey } from '../findings/rank-findings.js';
import type { Host } from '../inventory/host.js';
import {
  decideOutcome,
  decisionFor,
  type DecideContext,
  type Decision,
  type DecisionOutcome,
} from './decide-finding.js';
import type { Deferral } from './deferral.js';
import type { CompatibilityFlag } from './facts.js';
import type { Policy } from './policy-schema.js';
import { prepareHost, type PreparedHost } from './prepare-host.js';
import type { RestorePoints } from './rollback.js';
import {
  byUrgency,
  rollupFromSummaries,
  summarizePackage,
  type HostRollup,
  type PackageSummary,
  type RolledDecision,
} from './rollup-host.js';

/** Everything deciding a fleet depends on besides the hosts and their matches. No I/O: the clock is passed in. */
export interface FleetDeciderOptions {
  policy: Policy;
  now: Date;
  /** Time zone for due dates shown to people; default `policy.timeZone`. */
  timeZone?: string;
  deferrals?: readonly Deferral[];
  intel: MatchIntel;
  /**
   * When the vulnerability was first seen in the package on any host (epoch ms). Deadlines count from
   * the later of that and when the host first had the package affected. Undefined: now.
   */
  vulnSeen?: (pkg: string, vulnId: string) => number | undefined;
  restorePoints?: ReadonlyMap<string, RestorePoints>;
  /** Each host's next maintenance window (when windows cover it); {@link FleetDecider.decide} may pass it instead. */
  nextWindows?: ReadonlyMap<string, Date>;
  compatibilityFlags?: readonly CompatibilityFlag[];
}

/**
 * One source package's decisions under one decision class: outcomes per hit of the shared
 * (package, version) entry, in the entry's order. Shared by every host of the class with the same
 * binaries installed and the same first-seen time; read it, never change it.
 */
interface GroupDecisions {
  outcomes: DecisionOutcome[];
  anchors: number[];
  keys: RankKey[];
  /** Hit positions, most pressing first (the order findings are ranked in). */
  ranked: number[];
  /** Hit positions in the order the host lists its decisions: by urgency, then ranked. */
  listing: number[];
  summary: PackageSummary<RankKey>;
  kev: number;
  fixable: number;
}

/** A host's group with the decisions that apply to it; mixed groups keep their own findings. */
interface HostPart {
  group: CompactGroup;
  decided: GroupDecisions;
  findings?: Finding[];
}

/** Decisions shared by hosts alike in everything deciding reads of a host. */
class DecisionClass {
  /** (package, version) entry -> installed binaries -> first seen (ms) -> decisions. */
  readonly groups = new Map<VersionHits, Map<string, Map<number, GroupDecisions>>>();
}

/**
 * Decides a fleet host by host, sharing decisions where their inputs are shared: the same (package,
 * version) with the same installed binaries, first seen at the same time, on hosts of the same decision
 * class (tier, exposure, environment, owner or not, OS, the deferrals, compatibility flags, restore
 * points and window that apply) decides once. A host's decisions are the same as deciding each of its
 * findings alone ({@link decidePrepared}); only the work is shared. Pure; the caller owns the object and
 * drops it with the run (its caches grow with the fleet's variety, not its size).
 */
export class FleetDecider {
  private readonly classes = new Map<string, DecisionClass>();
  private readonly nowMs: number;
  private readonly timeZone: string;

  constructor(private readonly opts: FleetDeciderOptions) {
    this.nowMs = opts.now.getTime();
    this.timeZone = opts.timeZone ?? opts.policy.timeZone;
  }

  /**
   * Decides one matched host. `since(source)` is when the host first had the source package affected
   * (epoch ms), undefined when never: then now, and the package is listed in `newPackages`.
   * `nextWindowAt` is the start of the host's next maintenance window (default: from `nextWindows`);
   * without one the `next-window` deadline follows the tier's rhythm. `maker` makes the host's findings;
   * pass the caller's when it has one for the same match, so a host's is made once.
   */
  decide(
    host: Host,
    compact: CompactMatch,
    since: (source: string) => number | undefined,
    nextWindowAt: Date | undefined = this.opts.nextWindows?.get(host.name),
    maker: FindingMaker = new FindingMaker(compact, this.opts.intel, this.opts.now),
  ): DecidedHost {
    const p = prepareHost(host, this.contextFor(host, nextWindowAt));
    const cls = this.classOf(p, compact.state.os);
    const parts: HostPart[] = [];
    const newPackages: string[] = [];
    for (const group of compact.groups) {
      let at = since(group.source);
      if (at === undefined) {
        at = this.nowMs;
        newPackages.push(group.source);
      }
      if (group.next) {
        const findings = maker.group(group);
        parts.push({ group, decided: this.decideGroup(p, findings, at), findings });
      } else parts.push({ group, decided: this.shared(cls, p, maker, group, at) });
    }
    return new DecidedHost(p, maker, parts, newPackages);
  }

  private contextFor(host: Host, next: Date | undefined): DecideContext {
    const o = this.opts;
    const restore = o.restorePoints?.get(host.name);
    return {
      policy: o.policy,
      now: o.now,
      timeZone: this.timeZone,
      ...(o.deferrals ? { deferrals: o.deferrals } : {}),
      ...(restore ? { restorePoints: restore } : {}),
      ...(next ? { nextWindowAt: next } : {}),
      ...(o.compatibilityFlags ? { compatibilityFlags: o.compatibilityFlags } : {}),
    };
  }

  /** The class of a prepared host: every fact of it that a decision reads, without its name. */
  private classOf(p: PreparedHost, os: string): DecisionClass {
    const f = p.facts;
    const key = JSON.stringify([
      os,
      f.tier,
      f.tierAssumed,
      f.exposure,
      f.exposureAssumed,
      f.production,
      f.productionBasis,
      f.environment ?? null,
      Boolean(f.owner),
      p.compatibility,
      p.deferrals.map((d) => d.id),
      p.ctx.restorePoints ?? null,
      p.nextWindowAt ?? null,
    ]);
    let cls = this.classes.get(key);
    if (!cls) this.classes.set(key, (cls = new DecisionClass()));
    return cls;
  }

  private shared(
    cls: DecisionClass,
    p: PreparedHost,
    maker: FindingMaker,
    group: CompactGroup,
    since: number,
  ): GroupDecisions {
    const packages = group.packages;
    const binaries = packages.length === 1 ? packages[0]!.name : binaryKey(group);
    let byBinaries = cls.groups.get(group.shared);
    if (!byBinaries) cls.groups.set(group.shared, (byBinaries = new Map()));
    let bySince = byBinaries.get(binaries);
    if (!bySince) byBinaries.set(binaries, (bySince = new Map()));
    let decided = bySince.get(since);
    if (!decided) bySince.set(since, (decided = this.decideGroup(p, maker.group(group), since)));
    return decided;
  }

  /** The decisions of one group's findings on a host, with what the host's rollup needs of them. */
  private decideGroup(p: PreparedHost, findings: readonly Finding[], since: number): GroupDecisions {
    const n = findings.length;
    const outcomes: DecisionOutcome[] = new Array(n);
    const anchors: number[] = new Array(n);
    const keys: RankKey[] = new Array(n);
    let kev = 0;
    let fixable = 0;
    for (let i = 0; i < n; i++) {
      const f = findings[i]!;
      const seen = this.opts.vulnSeen?.(f.package, f.vulnId) ?? this.nowMs;
      anchors[i] = Math.min(this.nowMs, Math.max(since, seen));
      outcomes[i] = decideOutcome(p, f, anchors[i]!);
      keys[i] = rankKeyOf(f);
      if (f.kev) kev++;
      if (f.fixedVersion !== null) fixable++;
    }
    const ranked = positions(n).sort((a, b) => compareRankKeys(keys[a]!, keys[b]!));
    const listing = ranked.slice().sort((a, b) => byUrgency(outcomes[a]!, outcomes[b]!));
    const rolled = listing.map((i) => rolledDecision(findings[i]!, outcomes[i]!));
    const summary = summarizePackage(
      rolled,
      (_d, k) => keys[listing[k]!]!,
      outcomes[0]?.restartsAll ?? false,
    );
    return { outcomes, anchors, keys, ranked, listing, summary, kev, fixable };
  }
}

/**
 * One host's decisions, kept as the shared parts they are made of: the rollup and the counts are ready,
 * findings and decisions are built only when asked for (for a row someone will see).
 */
export class DecidedHost {
  readonly rollup: HostRollup;
  readonly findings: number;
  readonly knownExploited: number;
  readonly fixable: number;

  constructor(
    readonly prepared: PreparedHost,
    private readonly maker: FindingMaker,
    private readonly parts: readonly HostPart[],
    /** Source packages first met affected on this host now (their first-seen time is to be recorded). */
    readonly newPackages: readonly string[],
  ) {
    let findings = 0;
    let kev = 0;
    let fixable = 0;
    let noWindow = 0;
    for (const part of parts) {
      findings += part.decided.outcomes.length;
      kev += part.decided.kev;
      fixable += part.decided.fixable;
      for (const o of part.decided.outcomes) if (o.noWindowBeforeDue) noWindow++;
    }
    this.findings = findings;
    this.knownExploited = kev;
    this.fixable = fixable;
    this.rollup = rollupFromSummaries(
      prepared.host,
      parts.map((x) => x.decided.summary),
      compareRankKeys,
      prepared.assumed,
    );
    if (prepared.nextWindowAt !== undefined) {
      this.rollup.nextWindowAt = new Date(prepared.nextWindowAt).toISOString();
      if (noWindow > 0) {
        this.rollup.noWindowBeforeDue = true;
        this.rollup.noWindowBeforeDueCount = noWindow;
      }
    }
  }

  get host(): string {
    return this.prepared.host.name;
  }

  /** Every finding of the host, most pressing first (as `rankFindings` orders them). */
  allFindings(): Finding[] {
    return this.parts.flatMap((part) => this.findingsOf(part)).sort(compareFindings);
  }

  /** Every decision of the host, in its listing order: by urgency (deferred last), then ranked. */
  decisions(): Decision[] {
    const out: { d: Decision; key: RankKey }[] = [];
    for (const part of this.parts) {
      const fs = this.findingsOf(part);
      const { outcomes, anchors, keys } = part.decided;
      for (let i = 0; i < fs.length; i++)
        out.push({ d: decisionFor(this.prepared, fs[i]!, outcomes[i]!, anchors[i]!), key: keys[i]! });
    }
    out.sort((a, b) => byUrgency(a.d, b.d) || compareRankKeys(a.key, b.key));
    return out.map((x) => x.d);
  }

  /** The most pressing finding of the host, if any. */
  worst(): Finding | undefined {
    let best: { part: HostPart; at: number } | undefined;
    for (const part of this.parts) {
      const at = part.decided.ranked[0];
      if (at === undefined) continue;
      if (!best || compareRankKeys(part.decided.keys[at]!, best.part.decided.keys[best.at]!) < 0)
        best = { part, at };
    }
    return best && this.findingsOf(best.part)[best.at];
  }

  /**
   * Offers the host's findings most pressing first, package by package, while `take` accepts them:
   * `take(key, make)` returns false to stop this package (nothing after it in rank can be wanted), and
   * calls `make` only for a row it keeps.
   */
  offerRanked(take: (key: RankKey, make: () => { finding: Finding; decision: Decision }) => boolean): void {
    for (const part of this.parts) {
      const { ranked, keys, outcomes, anchors } = part.decided;
      for (const i of ranked) {
        const make = () => {
          const finding = this.findingsOf(part)[i]!;
          return { finding, decision: decisionFor(this.prepared, finding, outcomes[i]!, anchors[i]!) };
        };
        if (!take(keys[i]!, make)) break;
      }
    }
  }

  private findingsOf(part: HostPart): Finding[] {
    return part.findings ?? this.maker.group(part.group);
  }
}

function positions(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** The installed binaries of a group as one key (names, each once, in the host's order). */
function binaryKey(group: CompactGroup): string {
  return [...new Set(group.packages.map((p) => p.name))].join('\n');
}

function rolledDecision(f: Finding, o: DecisionOutcome): RolledDecision {
  return {
    os: f.os,
    package: f.package,
    binaries: f.binaries,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    vulnId: f.vulnId,
    action: o.action,
    state: o.state,
    dueAt: o.dueAt,
    dueLocal: o.dueLocal,
    needsReboot: o.needsReboot,
    rollback: o.rollback,
    controls: o.controls,
  };
}
