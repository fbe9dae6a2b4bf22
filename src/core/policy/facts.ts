import type { EpssScore, Finding, KevEntry } from '../findings/finding.js';
import type { Exposure, Host, Tier } from '../inventory/host.js';
import { classifyFinding, type PackageImpact } from './classify-package.js';
import { globToRegExp } from './deferral.js';
import type { Policy, TierPolicy } from './policy-schema.js';

/** The host as deciding sees it: missing classification filled in conservatively, and marked as assumed. */
export interface HostFacts {
  name: string;
  tier: Tier;
  tierAssumed: boolean;
  exposure: Exposure;
  exposureAssumed: boolean;
  production: boolean;
  /** `environment` when the host names one, else `tier` (tiers 1-2 count as production). */
  productionBasis: 'environment' | 'tier';
  environment?: string;
  owner?: string;
  tierPolicy: TierPolicy;
}

/**
 * Host facts for deciding. A host without a tier is treated as tier 1 and one without an exposure as
 * internet-facing: never lowest risk by omission.
 */
export function hostFacts(host: Host, policy: Policy): HostFacts {
  const tier = host.tier ?? 1;
  const exposure = host.exposure ?? 'internet';
  const env = host.environment?.toLowerCase();
  const production = env ? policy.productionEnvironments.some((p) => p.toLowerCase() === env) : tier <= 2;
  return {
    name: host.name,
    tier,
    tierAssumed: host.tier === undefined,
    exposure,
    exposureAssumed: host.exposure === undefined,
    production,
    productionBasis: env ? 'environment' : 'tier',
    ...(host.environment ? { environment: host.environment } : {}),
    ...(host.owner ? { owner: host.owner } : {}),
    tierPolicy: policy.tiers[String(tier) as '1' | '2' | '3' | '4'],
  };
}

/** Severity classes the deadlines distinguish. */
export const SEVERITIES = ['critical', 'high', 'other'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A compatibility risk flag: updates of this package are tested first and staged. */
export interface CompatibilityFlag {
  /** Source or binary package name; `*` matches any run of characters. */
  package: string;
  reason: string;
  /** Only on these hosts; all hosts when absent. */
  hosts?: string[];
}

/** The finding as deciding sees it. */
export interface RiskFacts {
  /** The id to name in sentences: the first CVE, else the vulnerability id. */
  id: string;
  kev?: KevEntry;
  epss?: EpssScore;
  epssOver: boolean;
  severity: Severity;
  criticalAdvisory: boolean;
  fixAvailable: boolean;
  impact: PackageImpact;
  compatibility?: CompatibilityFlag;
}

/** An urgency reduced to its letters, lower case (`Not yet assigned` -> `notyetassigned`); remembered. */
function norm(u: string): string {
  let n = normMemo.get(u);
  if (n === undefined) {
    n = u.toLowerCase().replace(/[^a-z]/g, '');
    if (normMemo.size > 1000) normMemo.clear();
    normMemo.set(u, n);
  }
  return n;
}
const normMemo = new Map<string, string>();

/** Normalised urgency sets of a policy, computed once per policy object (deciding a fleet reuses them). */
interface Derived {
  critical: Set<string>;
  high: Set<string>;
  advisory: Set<string>;
}
const derivedCache = new WeakMap<Policy, Derived>();
function derived(policy: Policy): Derived {
  let d = derivedCache.get(policy);
  if (!d) {
    d = {
      critical: new Set(policy.severity.criticalUrgencies.map(norm)),
      high: new Set(policy.severity.highUrgencies.map(norm)),
      advisory: new Set(policy.emergency.advisoryUrgencies.map(norm)),
    };
    derivedCache.set(policy, d);
  }
  return d;
}

/** Severity class of a finding (no sentence built: this runs for every finding of the fleet). */
export function severityClass(f: Finding, policy: Policy): Severity {
  const s = policy.severity;
  const u = f.urgency ? norm(f.urgency) : undefined;
  const score = f.cvss?.score;
  if (score !== undefined && score >= s.criticalCvss) return 'critical';
  if (u && derived(policy).critical.has(u)) return 'critical';
  if (score !== undefined && score >= s.highCvss) return 'high';
  if (u && derived(policy).high.has(u)) return 'high';
  return 'other';
}

/** Severity class of a finding with the fact that decided it, in words. */
export function severityOf(f: Finding, policy: Policy): { severity: Severity; basis?: string } {
  const s = policy.severity;
  const score = f.cvss?.score;
  const severity = severityClass(f, policy);
  if (severity === 'critical')
    return score !== undefined && score >= s.criticalCvss
      ? { severity, basis: `CVSS ${score} is critical (at least ${s.criticalCvss})` }
      : { severity, basis: `the distro rates its urgency ${f.urgency}, which counts as critical` };
  if (severity === 'high')
    return score !== undefined && score >= s.highCvss
      ? { severity, basis: `CVSS ${score} is high (at least ${s.highCvss})` }
      : { severity, basis: `the distro rates its urgency ${f.urgency}, which counts as high` };
  return score !== undefined ? { severity, basis: `CVSS ${score}` } : { severity };
}

/**
 * The compatibility flags that can apply on a host, in order: the policy's, then the caller's, without
 * those limited to other hosts. Deciding a fleet computes this once per host.
 */
export function compatibilityFlagsFor(
  policy: Policy,
  host: string,
  flags: readonly CompatibilityFlag[] = [],
): readonly CompatibilityFlag[] {
  const all: readonly CompatibilityFlag[] =
    flags.length === 0 ? policy.compatibilityRisks : [...policy.compatibilityRisks, ...flags];
  return all.filter((c) => !c.hosts || c.hosts.includes(host));
}

/** The first flag whose package pattern matches the finding's package or one of its binaries. */
function compatibilityOf(f: Finding, flags: readonly CompatibilityFlag[]): CompatibilityFlag | undefined {
  for (const c of flags) {
    const re = globToRegExp(c.package);
    if (re.test(f.package) || f.binaries.some((b) => re.test(b))) return c;
  }
  return undefined;
}

/** Facts about a finding for deciding, including compatibility flags from policy and from the caller. */
export function riskFacts(
  f: Finding,
  policy: Policy,
  host: string,
  flags: readonly CompatibilityFlag[] = [],
): RiskFacts {
  return riskFactsOnHost(f, policy, compatibilityFlagsFor(policy, host, flags));
}

/** {@link riskFacts} with the host's applicable flags already chosen ({@link compatibilityFlagsFor}). */
export function riskFactsOnHost(
  f: Finding,
  policy: Policy,
  hostFlags: readonly CompatibilityFlag[],
): RiskFacts {
  const u = f.urgency ? norm(f.urgency) : undefined;
  // Plain assignments rather than conditional spreads: this runs for every finding of the fleet.
  const out: RiskFacts = {
    id: f.cves[0] ?? f.vulnId,
    epssOver: f.epss !== undefined && f.epss.score >= policy.emergency.epssThreshold,
    severity: severityClass(f, policy),
    criticalAdvisory: u !== undefined && derived(policy).advisory.has(u),
    fixAvailable: f.fixedVersion !== null,
    impact: classifyFinding(f.package, f.binaries),
  };
  if (f.kev) out.kev = f.kev;
  if (f.epss) out.epss = f.epss;
  const compatibility = hostFlags.length === 0 ? undefined : compatibilityOf(f, hostFlags);
  if (compatibility) out.compatibility = compatibility;
  return out;
}
