/**
 * CVSS v3.0 and v3.1 scores (base, temporal, environmental), exactly as the FIRST specifications define them:
 * https://www.first.org/cvss/v3.0/specification-document and https://www.first.org/cvss/v3.1/specification-document.
 * The two versions differ only in Roundup (v3.1 rounds on integers to avoid floating-point surprises) and in the
 * modified impact of a changed scope.
 */

/** A metric of a CVSS vector: its name and the values it accepts, with their weights. */
export interface CvssMetricDef {
  readonly name: string;
  readonly mandatory: boolean;
  readonly values: Readonly<Record<string, number>>;
}

const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC = { L: 0.77, H: 0.44 };
const PR = { N: 0.85, L: 0.62, H: 0.27 };
const PR_CHANGED: Readonly<Record<string, number>> = { N: 0.85, L: 0.68, H: 0.5 };
const UI = { N: 0.85, R: 0.62 };
const SCOPE = { U: 0, C: 1 };
const CIA = { H: 0.56, L: 0.22, N: 0 };
const REQ = { X: 1, H: 1.5, M: 1, L: 0.5 };
const X = { X: NaN };

const base = (name: string, values: Record<string, number>): CvssMetricDef => ({
  name,
  mandatory: true,
  values,
});
const optional = (name: string, values: Record<string, number>): CvssMetricDef => ({
  name,
  mandatory: false,
  values,
});

/** Every CVSS v3.x metric, in vector-string order. Modified metrics' `X` (not defined) falls back to the base. */
const DEFS = {
  AV: base('Attack Vector', AV),
  AC: base('Attack Complexity', AC),
  PR: base('Privileges Required', PR),
  UI: base('User Interaction', UI),
  S: base('Scope', SCOPE),
  C: base('Confidentiality', CIA),
  I: base('Integrity', CIA),
  A: base('Availability', CIA),
  E: optional('Exploit Code Maturity', { X: 1, H: 1, F: 0.97, P: 0.94, U: 0.91 }),
  RL: optional('Remediation Level', { X: 1, U: 1, W: 0.97, T: 0.96, O: 0.95 }),
  RC: optional('Report Confidence', { X: 1, C: 1, R: 0.96, U: 0.92 }),
  CR: optional('Confidentiality Requirement', REQ),
  IR: optional('Integrity Requirement', REQ),
  AR: optional('Availability Requirement', REQ),
  MAV: optional('Modified Attack Vector', { ...X, ...AV }),
  MAC: optional('Modified Attack Complexity', { ...X, ...AC }),
  MPR: optional('Modified Privileges Required', { ...X, ...PR }),
  MUI: optional('Modified User Interaction', { ...X, ...UI }),
  MS: optional('Modified Scope', { ...X, ...SCOPE }),
  MC: optional('Modified Confidentiality', { ...X, ...CIA }),
  MI: optional('Modified Integrity', { ...X, ...CIA }),
  MA: optional('Modified Availability', { ...X, ...CIA }),
};
/** Every CVSS v3.x metric, in vector-string order. Modified metrics' `X` (not defined) falls back to the base. */
export const CVSS3_METRICS: Readonly<Record<string, CvssMetricDef>> = DEFS;

/** The three CVSS v3.x scores of one vector. */
export interface Cvss3Scores {
  base: number;
  temporal: number;
  environmental: number;
}

/**
 * Parsed metric values of a vector, by position in its version's metric table (`CVSS3_METRICS` or
 * `CVSS4_METRICS`, in key order): the value letter, or undefined where the vector leaves the metric out.
 * Positional rather than keyed, so scoring reads fixed slots instead of looking up names.
 */
export type CvssMetricValues = readonly (string | undefined)[];

/** Position of each v3 metric in {@link CvssMetricValues}. */
const M = Object.fromEntries(Object.keys(DEFS).map((k, i) => [k, i])) as Record<keyof typeof DEFS, number>;
const WEIGHTS = Object.values(DEFS).map((d) => d.values);

/**
 * Roundup: the smallest number with one decimal that is not below the input. Computed on integers as the v3.1
 * specification (Appendix A) prescribes, so a binary artefact such as 5.0 x 0.92 = 4.6000000000000005 rounds to
 * 4.6, as the exact arithmetic of v3.0's own definition does too (FIRST's old v3.0 calculator said 4.7 there).
 */
function roundup(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

function weight(m: CvssMetricValues, i: number): number {
  return WEIGHTS[i]![m[i] ?? 'X']!;
}

/** The value of a modified metric, falling back to its base metric when not defined. */
function modifiedValue(m: CvssMetricValues, base: number, modified: number): string {
  const v = m[modified];
  return v === undefined || v === 'X' ? m[base]! : v;
}

/** The weight of a modified metric, falling back to its base metric when not defined. */
function modified(m: CvssMetricValues, base: number, modified: number): number {
  return WEIGHTS[base]![modifiedValue(m, base, modified)]!;
}

function privileges(value: string, changed: boolean): number {
  return changed ? PR_CHANGED[value]! : PR[value as keyof typeof PR];
}

/** Combines impact and exploitability into a score before the temporal factors. */
function combine(impact: number, exploitability: number, changed: boolean): number {
  if (impact <= 0) return 0;
  return roundup(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
}

/**
 * Computes the base, temporal and environmental scores of parsed CVSS v3.0 or v3.1 metrics. Missing
 * temporal and environmental metrics count as not defined (`X`), as the specification says.
 */
export function cvss3Scores(m: CvssMetricValues, version: '3.0' | '3.1'): Cvss3Scores {
  const temporalFactor = weight(m, M.E) * weight(m, M.RL) * weight(m, M.RC);

  const changed = m[M.S] === 'C';
  const iss = 1 - (1 - weight(m, M.C)) * (1 - weight(m, M.I)) * (1 - weight(m, M.A));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability =
    8.22 * weight(m, M.AV) * weight(m, M.AC) * privileges(m[M.PR]!, changed) * weight(m, M.UI);
  const baseScore = combine(impact, exploitability, changed);

  const mChanged = modifiedValue(m, M.S, M.MS) === 'C';
  const miss = Math.min(
    1 -
      (1 - modified(m, M.C, M.MC) * weight(m, M.CR)) *
        (1 - modified(m, M.I, M.MI) * weight(m, M.IR)) *
        (1 - modified(m, M.A, M.MA) * weight(m, M.AR)),
    0.915,
  );
  const mImpact = !mChanged
    ? 6.42 * miss
    : version === '3.1'
      ? 7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02) ** 13
      : 7.52 * (miss - 0.029) - 3.25 * (miss - 0.02) ** 15;
  const mExploitability =
    8.22 *
    modified(m, M.AV, M.MAV) *
    modified(m, M.AC, M.MAC) *
    privileges(modifiedValue(m, M.PR, M.MPR), mChanged) *
    modified(m, M.UI, M.MUI);
  const modifiedScore = combine(mImpact, mExploitability, mChanged);

  return {
    base: baseScore,
    temporal: roundup(baseScore * temporalFactor),
    environmental: mImpact <= 0 ? 0 : roundup(modifiedScore * temporalFactor),
  };
}
