import type { Finding } from '../findings/finding.js';
import type { Host } from '../inventory/host.js';
import type { ActionChoice } from './choose-action.js';
import type { DecideContext } from './decide-finding.js';
import { deferralCoversHost, type Deferral } from './deferral.js';
import { compatibilityFlagsFor, hostFacts, type CompatibilityFlag, type HostFacts } from './facts.js';
import type { Policy } from './policy-schema.js';
import { hostReasons } from './reasons.js';

/**
 * What deciding needs about one host, computed once and shared by all of its findings: the host's facts,
 * the compatibility flags and deferrals that can apply to it (deferrals indexed by the finding ids and
 * package names they name), and the clock.
 */
export interface PreparedHost {
  host: Host;
  ctx: DecideContext;
  policy: Policy;
  timeZone: string;
  /** `ctx.now` in epoch ms. */
  now: number;
  nextWindowAt?: number;
  facts: HostFacts;
  /** Gaps in the host's classification that made its decisions assume the worse case. */
  assumed: string[];
  compatibility: readonly CompatibilityFlag[];
  /** Deferrals covering this host, in the caller's order. */
  deferrals: readonly Deferral[];
  /** Finding id or package name -> positions in `deferrals` of those that name it. */
  deferralIndex: ReadonlyMap<string, readonly number[]>;
  /** The action choices made so far for this host, by `choiceKey` of the finding's facts. */
  choices: ActionChoice[];
}

interface HostView {
  policy: Policy;
  facts: HostFacts;
  assumed: string[];
}
const hostViews = new WeakMap<Host, HostView>();

/** Prepares a host for deciding its findings under `ctx`. Pure. */
export function prepareHost(host: Host, ctx: DecideContext): PreparedHost {
  const { policy } = ctx;
  const view = hostView(host, policy);
  const deferrals = ctx.deferrals ? deferralsCovering(ctx.deferrals, host) : NO_DEFERRALS;
  const deferralIndex = new Map<string, number[]>();
  deferrals.forEach((d, i) => {
    for (const x of d.findings) {
      const at = deferralIndex.get(x);
      if (!at) deferralIndex.set(x, [i]);
      else if (at.at(-1) !== i) at.push(i);
    }
  });
  const p: PreparedHost = {
    host,
    ctx,
    policy,
    timeZone: ctx.timeZone ?? policy.timeZone,
    now: ctx.now.getTime(),
    facts: view.facts,
    assumed: view.assumed,
    compatibility: compatibilityFlagsFor(policy, host.name, ctx.compatibilityFlags),
    deferrals,
    deferralIndex,
    choices: [],
  };
  if (ctx.nextWindowAt) p.nextWindowAt = ctx.nextWindowAt.getTime();
  return p;
}

/** Per deferral list: positions of the deferrals naming each host, and of those with a selector. */
interface CoverIndex {
  named: Map<string, number[]>;
  selected: number[];
}
const coverIndexes = new WeakMap<readonly Deferral[], CoverIndex>();

/**
 * The deferrals covering `host`, in the caller's order: the same as filtering with `deferralCoversHost`,
 * but a fleet indexes its deferral list once by host name and tests only the selectors per host.
 */
function deferralsCovering(all: readonly Deferral[], host: Host): readonly Deferral[] {
  if (all.length === 0) return NO_DEFERRALS;
  let index = coverIndexes.get(all);
  if (!index) {
    index = { named: new Map(), selected: [] };
    for (let i = 0; i < all.length; i++) {
      const d = all[i]!;
      for (const name of new Set(d.hosts)) {
        const at = index.named.get(name);
        if (at) at.push(i);
        else index.named.set(name, [i]);
      }
      if (d.selector) index.selected.push(i);
    }
    coverIndexes.set(all, index);
  }
  const named = index.named.get(host.name);
  const selected = index.selected.filter((i) => deferralCoversHost(all[i]!, host));
  if (!named && selected.length === 0) return NO_DEFERRALS;
  const at =
    named && selected.length > 0
      ? [...new Set([...named, ...selected])].sort((a, b) => a - b)
      : (named ?? selected);
  return at.map((i) => all[i]!);
}

/** Host facts, computed once per host object and policy (a fleet decides many findings per host). */
function hostView(host: Host, policy: Policy): HostView {
  const v = hostViews.get(host);
  if (v && v.policy === policy) return v;
  const facts = hostFacts(host, policy);
  const out = { policy, facts, assumed: assumptions(facts) };
  hostViews.set(host, out);
  return out;
}

function assumptions(h: HostFacts): string[] {
  const out: string[] = [];
  if (h.tierAssumed) out.push('tier');
  if (h.exposureAssumed) out.push('exposure');
  if (!h.owner) out.push('owner');
  return out;
}

const hostSentenceCache = new WeakMap<HostFacts, string[]>();

/** The sentences about the host, built once per host's facts and only when reasons are read. */
export function hostSentences(p: PreparedHost): string[] {
  let s = hostSentenceCache.get(p.facts);
  if (!s) hostSentenceCache.set(p.facts, (s = hostReasons(p.facts)));
  return s;
}

const NO_DEFERRALS: readonly Deferral[] = [];

/**
 * The host's deferrals that name this finding (by vulnerability id, CVE, alias, package or binary), in
 * the caller's order: the same as testing each with `deferralCoversFinding`, without the scan.
 */
export function deferralsNaming(p: PreparedHost, f: Finding): readonly Deferral[] {
  if (p.deferrals.length === 0) return NO_DEFERRALS;
  let hits: number[] | undefined;
  hits = naming(p, f.vulnId, hits);
  for (const x of f.cves) hits = naming(p, x, hits);
  for (const x of f.aliases) hits = naming(p, x, hits);
  hits = naming(p, f.package, hits);
  for (const x of f.binaries) hits = naming(p, x, hits);
  if (!hits) return NO_DEFERRALS;
  return [...new Set(hits)].sort((a, b) => a - b).map((i) => p.deferrals[i]!);
}

function naming(p: PreparedHost, x: string, hits: number[] | undefined): number[] | undefined {
  const at = p.deferralIndex.get(x);
  if (!at) return hits;
  if (!hits) return [...at];
  hits.push(...at);
  return hits;
}
