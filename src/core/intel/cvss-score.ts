/**
 * CVSS scores of vector strings (`CVSS:3.0/…`, `CVSS:3.1/…`, `CVSS:4.0/…`) and their qualitative severity.
 * Parsing is hand-written (no regular expressions) and results are cached per vector string, because the matcher
 * scores the same advisory vectors over and over.
 */
import {
  CVSS3_METRICS,
  cvss3Scores,
  type Cvss3Scores,
  type CvssMetricDef,
  type CvssMetricValues,
} from './cvss3.js';
import { CVSS4_METRICS, cvss4Score } from './cvss4.js';

/** CVSS versions this module scores. */
export const CVSS_VERSIONS = ['3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof CVSS_VERSIONS)[number];

/** True for a CVSS version this module scores. */
export function isCvssVersion(v: unknown): v is CvssVersion {
  return (CVSS_VERSIONS as readonly unknown[]).includes(v);
}

/** Qualitative severity ratings, lowest first (CVSS v3.1 and v4.0 specifications, same bands). */
export const CVSS_SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type CvssSeverity = (typeof CVSS_SEVERITIES)[number];

/** True for a qualitative severity rating. */
export function isCvssSeverity(v: unknown): v is CvssSeverity {
  return (CVSS_SEVERITIES as readonly unknown[]).includes(v);
}

/** The rating of a score: 0.0 none, 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical. */
export function cvssSeverity(score: number): CvssSeverity {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** The base score of a vector (for v4.0, the score of the vector as written: see {@link cvssBaseScore}). */
export interface CvssBaseScore {
  readonly version: CvssVersion;
  readonly score: number;
}

/** A parsed vector: its version and metric values by position in the version's metric table. */
export interface ParsedCvssVector {
  readonly version: CvssVersion;
  readonly metrics: CvssMetricValues;
}

/** A metric table prepared for parsing: each metric's position and accepted values, and the mandatory count. */
interface Grammar {
  readonly rules: ReadonlyMap<string, { index: number; def: CvssMetricDef; values: ReadonlySet<string> }>;
  readonly keys: readonly string[];
  readonly mandatory: number;
}
const grammar = (defs: Readonly<Record<string, CvssMetricDef>>): Grammar => ({
  rules: new Map(
    Object.entries(defs).map(([k, def], index) => [
      k,
      { index, def, values: new Set(Object.keys(def.values)) },
    ]),
  ),
  keys: Object.keys(defs),
  mandatory: Object.values(defs).filter((d) => d.mandatory).length,
});
const V3 = grammar(CVSS3_METRICS);
const PREFIXES: readonly (readonly [string, CvssVersion, Grammar])[] = [
  ['CVSS:3.1/', '3.1', V3],
  ['CVSS:3.0/', '3.0', V3],
  ['CVSS:4.0/', '4.0', grammar(CVSS4_METRICS)],
];

/** Parses the metric part of a vector against a grammar, or says what is wrong with it. */
function parseMetrics(body: string, { rules, keys, mandatory }: Grammar): CvssMetricValues | string {
  const metrics = new Array<string | undefined>(keys.length).fill(undefined);
  let mandatorySeen = 0;
  for (let start = 0; start <= body.length;) {
    let end = body.indexOf('/', start);
    if (end < 0) end = body.length;
    const colon = body.indexOf(':', start);
    if (end === start) return end === body.length ? 'trailing "/"' : 'empty metric between "//"';
    if (colon < 0 || colon > end)
      return `metric "${body.slice(start, end)}" has no value (expected METRIC:VALUE)`;
    const key = body.slice(start, colon);
    const value = body.slice(colon + 1, end);
    const rule = rules.get(key);
    if (rule === undefined) return `unknown metric "${key}"`;
    if (metrics[rule.index] !== undefined) return `duplicated metric ${key}`;
    if (!rule.values.has(value))
      return `bad value "${value}" for metric ${key} (${rule.def.name}): expected one of ${[...rule.values].join(', ')}`;
    metrics[rule.index] = value;
    if (rule.def.mandatory) mandatorySeen++;
    start = end + 1;
  }
  if (mandatorySeen < mandatory) {
    const missing = keys.filter((k, i) => rules.get(k)!.def.mandatory && metrics[i] === undefined);
    return `missing mandatory metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  }
  return metrics;
}

/**
 * Parses a CVSS v3.0, v3.1 or v4.0 vector string, or returns an error message saying what is wrong with it
 * (unknown prefix, missing or duplicated metric, bad value). Metric order is not enforced.
 */
export function parseCvssVector(vector: string): ParsedCvssVector | string {
  if (vector.length === 0) return 'vector is empty';
  for (const [prefix, version, rules] of PREFIXES) {
    if (!vector.startsWith(prefix)) continue;
    const metrics = parseMetrics(vector.slice(prefix.length), rules);
    return typeof metrics === 'string' ? metrics : { version, metrics };
  }
  const slash = vector.indexOf('/');
  const prefix = slash < 0 ? vector : vector.slice(0, slash);
  return `unknown prefix "${prefix}": expected CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/`;
}

/** The metric values of a parsed vector by abbreviation, the metrics it leaves out omitted. */
export function cvssMetricRecord(parsed: ParsedCvssVector): Record<string, string> {
  const keys = Object.keys(parsed.version === '4.0' ? CVSS4_METRICS : CVSS3_METRICS);
  return Object.fromEntries(
    parsed.metrics.flatMap((v, i) => (v === undefined ? [] : [[keys[i]!, v] as const])),
  );
}

const CACHE_LIMIT = 100_000;
const cache = new Map<string, CvssBaseScore | string>();

/**
 * The base score of a CVSS v3.0, v3.1 or v4.0 vector, or an error message saying what is wrong with it.
 * For v3 any temporal and environmental metrics are validated but do not change the base score. A v4.0 vector
 * has one score, which takes in the threat and environmental metrics it carries (CVSS-B for a base-only vector).
 * Results are cached per vector string (up to 100,000 distinct vectors; the cache then starts afresh).
 */
export function cvssBaseScore(vector: string): CvssBaseScore | string {
  const hit = cache.get(vector);
  if (hit !== undefined) return hit;
  const parsed = parseCvssVector(vector);
  const result =
    typeof parsed === 'string'
      ? parsed
      : Object.freeze({
          version: parsed.version,
          score:
            parsed.version === '4.0'
              ? cvss4Score(parsed.metrics)
              : cvss3Scores(parsed.metrics, parsed.version).base,
        });
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(vector, result);
  return result;
}

/**
 * Base, temporal and environmental scores of a CVSS v3.0 or v3.1 vector, or an error message. Metrics the vector
 * leaves out count as not defined (so the temporal score of a base-only vector equals its base score).
 */
export function cvss3VectorScores(vector: string): (Cvss3Scores & { version: '3.0' | '3.1' }) | string {
  const parsed = parseCvssVector(vector);
  if (typeof parsed === 'string') return parsed;
  if (parsed.version === '4.0') return 'CVSS v4.0 has no separate temporal and environmental scores';
  return { version: parsed.version, ...cvss3Scores(parsed.metrics, parsed.version) };
}
