/**
 * CVSS v4.0 scores, exactly as the FIRST specification (https://www.first.org/cvss/v4.0/specification-document)
 * and its reference calculator (cvss_score.js) compute them: find the vector's macrovector (six equivalence
 * classes), take its score from the lookup table, then subtract the mean proportional severity distance to the
 * highest-severity vectors of the macrovector, interpolated towards the next lower macrovectors.
 */
import type { CvssMetricDef, CvssMetricValues } from './cvss3.js';
import { CVSS4_LOOKUP, CVSS4_MAX_COMPOSED, CVSS4_MAX_SEVERITY } from './cvss4-lookup.js';

// Severity levels of the reference calculator: distance from the most severe value, in steps of 0.1.
const AV = { N: 0.0, A: 0.1, L: 0.2, P: 0.3 };
const AC = { L: 0.0, H: 0.1 };
const AT = { N: 0.0, P: 0.1 };
const PR = { N: 0.0, L: 0.1, H: 0.2 };
const UI = { N: 0.0, P: 0.1, A: 0.2 };
const VULN = { H: 0.0, L: 0.1, N: 0.2 };
const SUB = { H: 0.1, L: 0.2, N: 0.3 };
const SAFETY = { S: 0.0, ...SUB };
const REQ = { H: 0.0, M: 0.1, L: 0.2 };
const X = { X: NaN };

const m = (name: string, values: Record<string, number>, mandatory = false): CvssMetricDef => ({
  name,
  mandatory,
  values,
});
const flags = (...values: string[]): Record<string, number> =>
  Object.fromEntries(['X', ...values].map((v) => [v, 0]));

/**
 * Every CVSS v4.0 metric, in vector-string order, with its severity level (0 is the most severe; threat and
 * supplemental metrics carry 0, they do not enter the distance).
 */
const DEFS = {
  AV: m('Attack Vector', AV, true),
  AC: m('Attack Complexity', AC, true),
  AT: m('Attack Requirements', AT, true),
  PR: m('Privileges Required', PR, true),
  UI: m('User Interaction', UI, true),
  VC: m('Vulnerable System Confidentiality', VULN, true),
  VI: m('Vulnerable System Integrity', VULN, true),
  VA: m('Vulnerable System Availability', VULN, true),
  SC: m('Subsequent System Confidentiality', SUB, true),
  SI: m('Subsequent System Integrity', SUB, true),
  SA: m('Subsequent System Availability', SUB, true),
  E: m('Exploit Maturity', flags('A', 'P', 'U')),
  CR: m('Confidentiality Requirement', { ...X, ...REQ }),
  IR: m('Integrity Requirement', { ...X, ...REQ }),
  AR: m('Availability Requirement', { ...X, ...REQ }),
  MAV: m('Modified Attack Vector', { ...X, ...AV }),
  MAC: m('Modified Attack Complexity', { ...X, ...AC }),
  MAT: m('Modified Attack Requirements', { ...X, ...AT }),
  MPR: m('Modified Privileges Required', { ...X, ...PR }),
  MUI: m('Modified User Interaction', { ...X, ...UI }),
  MVC: m('Modified Vulnerable System Confidentiality', { ...X, ...VULN }),
  MVI: m('Modified Vulnerable System Integrity', { ...X, ...VULN }),
  MVA: m('Modified Vulnerable System Availability', { ...X, ...VULN }),
  MSC: m('Modified Subsequent System Confidentiality', { ...X, ...SUB }),
  MSI: m('Modified Subsequent System Integrity', { ...X, ...SAFETY }),
  MSA: m('Modified Subsequent System Availability', { ...X, ...SAFETY }),
  S: m('Safety', flags('N', 'P')),
  AU: m('Automatable', flags('N', 'Y')),
  R: m('Recovery', flags('A', 'U', 'I')),
  V: m('Value Density', flags('D', 'C')),
  RE: m('Vulnerability Response Effort', flags('L', 'M', 'H')),
  U: m('Provider Urgency', flags('Clear', 'Green', 'Amber', 'Red')),
};
/** Every CVSS v4.0 metric with its accepted values, in vector-string order (see above). */
export const CVSS4_METRICS: Readonly<Record<string, CvssMetricDef>> = DEFS;
/** Position of each metric in {@link CvssMetricValues}. */
const POS = Object.fromEntries(Object.keys(DEFS).map((k, i) => [k, i])) as Record<keyof typeof DEFS, number>;

/** The metrics that enter the severity distance, in the reference calculator's summation order. */
// prettier-ignore
const DISTANCE_METRICS = ['AV', 'PR', 'UI', 'AC', 'AT', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA', 'CR', 'IR', 'AR'] as const;
type DistanceMetric = (typeof DISTANCE_METRICS)[number];
/** Position of each distance metric in the arrays below. */
const I = Object.fromEntries(DISTANCE_METRICS.map((k, i) => [k, i])) as Record<DistanceMetric, number>;
const IMPACTS = [I.VC, I.VI, I.VA, I.SC, I.SI, I.SA];
const LEVELS: readonly Readonly<Record<string, number>>[] = [
  ...[AV, PR, UI, AC, AT, VULN, VULN, VULN, SUB, SAFETY, SAFETY, REQ, REQ, REQ],
];
const OWN = DISTANCE_METRICS.map((k) => POS[k]);
// The security requirements have no modified form: slot -1 always reads undefined.
const MODIFIED = DISTANCE_METRICS.map((k) => (k === 'CR' || k === 'IR' || k === 'AR' ? -1 : POS[`M${k}`]));

/** The values the metrics take for scoring: the modified metric when defined, the documented defaults for X. */
function effective(v: CvssMetricValues): string[] {
  return DISTANCE_METRICS.map((_, i) => {
    const mod = v[MODIFIED[i]!];
    const own = v[OWN[i]!];
    return mod !== undefined && mod !== 'X' ? mod : own !== undefined && own !== 'X' ? own : 'H';
  });
}

/** The six equivalence-class levels EQ1..EQ6 of effective metrics and exploit maturity. */
function macroVector(e: readonly string[], exploit: string): number[] {
  const [AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, CR, IR, AR] = e;
  const eq1 =
    AV === 'N' && PR === 'N' && UI === 'N'
      ? 0
      : (AV === 'N' || PR === 'N' || UI === 'N') && AV !== 'P'
        ? 1
        : 2;
  const eq2 = AC === 'L' && AT === 'N' ? 0 : 1;
  const eq3 = VC === 'H' && VI === 'H' ? 0 : VC === 'H' || VI === 'H' || VA === 'H' ? 1 : 2;
  const eq4 = SI === 'S' || SA === 'S' ? 0 : SC === 'H' || SI === 'H' || SA === 'H' ? 1 : 2;
  const eq5 = exploit === 'A' ? 0 : exploit === 'P' ? 1 : 2;
  const eq6 = (CR === 'H' && VC === 'H') || (IR === 'H' && VI === 'H') || (AR === 'H' && VA === 'H') ? 0 : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

/** A highest-severity vector part, parsed once: [distance-metric index, severity level] pairs. */
type Part = readonly (readonly [number, number])[];
const parsePart = (path: string): Part =>
  path.split('/').map((field) => {
    const [k, v] = field.split(':') as [DistanceMetric, string];
    const i = DISTANCE_METRICS.indexOf(k);
    return [i, LEVELS[i]![v]!] as const;
  });
const parts = (paths: readonly string[]) => paths.map(parsePart);
const MAX_PARTS = {
  eq1: CVSS4_MAX_COMPOSED.eq1.map(parts),
  eq2: CVSS4_MAX_COMPOSED.eq2.map(parts),
  eq3eq6: CVSS4_MAX_COMPOSED.eq3eq6.map((byEq6) => byEq6.map(parts)),
  eq4: CVSS4_MAX_COMPOSED.eq4.map(parts),
};

/**
 * Per-metric distances from the vector to the first highest-severity vector it does not exceed. The reference
 * calculator walks the cartesian product of the class parts in order; since the parts are independent, the first
 * combination with no negative distance is the first such part of each class. If none qualifies it keeps the last
 * combination, and so does this.
 */
function distances(level: readonly number[], candidates: readonly (readonly Part[])[]): number[] {
  const fits = (part: Part) => part.every(([i, max]) => level[i]! - max >= 0);
  const chosen = candidates.map((list) => list.find(fits));
  const picked = chosen.every((p) => p !== undefined)
    ? chosen
    : candidates.map((list) => list[list.length - 1]!);
  const d = new Array<number>(DISTANCE_METRICS.length).fill(0);
  for (const part of picked) for (const [i, max] of part) d[i] = level[i]! - max;
  return d;
}

/** Macrovector scores by numeric index (NaN where the specification defines no macrovector). */
const LOOKUP = new Float64Array(3 * 2 * 3 * 3 * 3 * 2).fill(NaN);
const index = (eq: readonly number[]) =>
  ((((eq[0]! * 2 + eq[1]!) * 3 + eq[2]!) * 3 + eq[3]!) * 3 + eq[4]!) * 2 + eq[5]!;
for (const [key, score] of Object.entries(CVSS4_LOOKUP)) LOOKUP[index([...key].map(Number))] = score;

const EQ_MAX = [2, 1, 2, 2, 2, 1];
const lookup = (eq: readonly number[]): number =>
  eq.some((x, i) => x > EQ_MAX[i]!) ? NaN : (LOOKUP[index(eq)] ?? NaN);
const lower = (eq: readonly number[], i: number): number => lookup(eq.map((x, j) => (j === i ? x + 1 : x)));

/** The score of the next lower macrovector in EQ3+EQ6, which move jointly. */
function lowerEq3Eq6(eq: readonly number[]): number {
  const [eq3, eq6] = [eq[2]!, eq[5]!];
  if (eq3 === 0 && eq6 === 0) {
    const left = lower(eq, 5);
    const right = lower(eq, 2);
    return left > right ? left : right;
  }
  if (eq6 === 1 && eq3 <= 1) return lower(eq, 2);
  if (eq3 === 1 && eq6 === 0) return lower(eq, 5);
  return NaN; // EQ3 = 2 is the lowest class: nothing below it
}

/** Rounds to one decimal as the reference calculator does: half up, with an epsilon for binary fractions. */
function round1(x: number): number {
  return Math.round(10 * (x + 1e-6)) / 10;
}

/** What the interpolation needs from a macrovector alone, computed once per macrovector. */
interface MacroInfo {
  readonly value: number;
  /** Highest-severity vector parts per class: EQ1, EQ2, EQ3+EQ6, EQ4. */
  readonly candidates: readonly (readonly Part[])[];
  /** Score distance to the next lower macrovector per class (NaN where there is none). */
  readonly available: readonly number[];
  /** Maximal severity distance per class. */
  readonly maxSeverity: readonly number[];
  /** Lower classes that exist, EQ5 included (whose proportional distance is always 0). */
  readonly existing: number;
}

const MACRO_INFO: (MacroInfo | undefined)[] = [];

function macroInfo(eq: readonly number[]): MacroInfo {
  const cached = MACRO_INFO[index(eq)];
  if (cached) return cached;
  const value = lookup(eq);
  const step = 0.1;
  const available = [
    value - lower(eq, 0),
    value - lower(eq, 1),
    value - lowerEq3Eq6(eq),
    value - lower(eq, 3),
  ];
  const info: MacroInfo = {
    value,
    candidates: [
      MAX_PARTS.eq1[eq[0]!]!,
      MAX_PARTS.eq2[eq[1]!]!,
      MAX_PARTS.eq3eq6[eq[2]!]![eq[5]!]!,
      MAX_PARTS.eq4[eq[3]!]!,
    ],
    available,
    maxSeverity: [
      CVSS4_MAX_SEVERITY.eq1[eq[0]!]! * step,
      CVSS4_MAX_SEVERITY.eq2[eq[1]!]! * step,
      CVSS4_MAX_SEVERITY.eq3eq6[eq[2]!]![eq[5]!]! * step,
      CVSS4_MAX_SEVERITY.eq4[eq[3]!]! * step,
    ],
    existing: [...available, value - lower(eq, 4)].filter((x) => x >= 0).length,
  };
  MACRO_INFO[index(eq)] = info;
  return info;
}

/**
 * Computes the CVSS v4.0 score of parsed metrics (all base metrics present). The score takes in whichever
 * threat and environmental metrics the vector carries (CVSS-B, -BT, -BE or -BTE in the specification's words).
 */
export function cvss4Score(v: CvssMetricValues): number {
  const e = effective(v);
  if (IMPACTS.every((i) => e[i] === 'N')) return 0; // no impact on any system
  const exploit = v[POS.E];
  const info = macroInfo(macroVector(e, exploit === undefined || exploit === 'X' ? 'A' : exploit));
  const d = distances(
    e.map((x, i) => LEVELS[i]![x]!),
    info.candidates,
  );
  const current = [
    d[I.AV]! + d[I.PR]! + d[I.UI]!,
    d[I.AC]! + d[I.AT]!,
    d[I.VC]! + d[I.VI]! + d[I.VA]! + d[I.CR]! + d[I.IR]! + d[I.AR]!,
    d[I.SC]! + d[I.SI]! + d[I.SA]!,
  ];
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    if (info.available[i]! >= 0) sum += info.available[i]! * (current[i]! / info.maxSeverity[i]!);
  }
  const score = info.value - (info.existing === 0 ? 0 : sum / info.existing);
  return round1(Math.min(10, Math.max(0, score)));
}
