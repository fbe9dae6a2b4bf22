import { z } from 'zod';
import { UserError } from '../errors.js';
import { schemeForOsvEcosystem } from '../versions/ecosystem.js';
import type { AffectedPackage, RangeEvent, SeverityVector } from './advisory.js';
import type { UnusableRecord } from './unusable-record.js';

const EventSchema = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);

const RangeSchema = z.object({
  type: z.string(),
  events: z.array(EventSchema).min(1),
});

const SeveritySchema = z.object({ type: z.string(), score: z.string() });

const Specific = z.record(z.string(), z.unknown()).optional();

const AffectedSchema = z.object({
  package: z.object({ ecosystem: z.string().min(1), name: z.string().min(1) }).optional(),
  ranges: z.array(RangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  severity: z.array(SeveritySchema).optional(),
  ecosystem_specific: Specific,
  database_specific: Specific,
});

/** The part of the OSV schema (1.x) patchwise reads; other fields are ignored. */
export const OsvRecordSchema = z.object({
  id: z.string().min(1),
  modified: z.string().optional(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  severity: z.array(SeveritySchema).nullish(),
  affected: z.array(AffectedSchema).nullish(),
  database_specific: Specific,
});
type OsvRecord = z.infer<typeof OsvRecordSchema>;
type OsvAffected = z.infer<typeof AffectedSchema>;

/** What one OSV record yields: usable entries and the entries patchwise cannot use, with reasons. */
export interface OsvParseResult {
  records: AffectedPackage[];
  unusable: UnusableRecord[];
}

/**
 * Turns one OSV record into one {@link AffectedPackage} per `affected[]` entry whose ecosystem patchwise
 * can order (see `schemeForOsvEcosystem`). Only ECOSYSTEM ranges are kept (SEMVER and GIT ranges do not
 * describe distro packages); explicit `versions` lists are kept. Entries of other ecosystems, withdrawn
 * records and entries with nothing to match on are returned as unusable with the reason.
 *
 * @param where the file (and zip entry) the record came from, for messages.
 * @throws UserError `feed-invalid-record` naming the file, the record id and the field when the record
 *   breaks the OSV schema.
 */
export function parseOsvRecord(json: unknown, where: string): OsvParseResult {
  const rec = validate(json, where);
  const result: OsvParseResult = { records: [], unusable: [] };
  if (rec.withdrawn) {
    result.unusable.push({ where, vulnId: rec.id, reason: 'withdrawn' });
    return result;
  }
  for (const a of rec.affected ?? []) {
    const out = affectedEntry(rec, a, where);
    if ('reason' in out) result.unusable.push(out);
    else result.records.push(out);
  }
  return result;
}

function validate(json: unknown, where: string): OsvRecord {
  // Feeds hold hundreds of thousands of well-formed records: a plain check settles those, and zod
  // decides (and explains) everything else.
  if (isPlainOsvRecord(json)) return json;
  const parsed = OsvRecordSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const id =
    typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string'
      ? (json as { id: string }).id
      : '(no id)';
  const field = issue ? formatPath(issue.path) || '(record)' : '(record)';
  throw new UserError(
    'feed-invalid-record',
    `${where}: OSV record ${id}: field ${field}: ${issue?.message ?? 'invalid'}.`,
    'The file does not follow the OSV schema (https://ossf.github.io/osv-schema/); re-download it or report it to its publisher.',
  );
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, test: (v: unknown) => boolean) => v === undefined || test(v);
const nullish = (v: unknown, test: (v: unknown) => boolean) => v === undefined || v === null || test(v);
const arrayOf = (test: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(test);
const onlyKeys = (o: Json, n: number) => Object.keys(o).length === n;
const EVENT_KINDS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);

/** An event zod would return unchanged: exactly one known kind with a string version. */
const isEvent = (v: unknown) => {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && EVENT_KINDS.has(keys[0]!) && isString(v[keys[0]!]);
};
const isRange = (v: unknown) =>
  isObject(v) &&
  isString(v.type) &&
  Array.isArray(v.events) &&
  v.events.length > 0 &&
  v.events.every(isEvent);
/** A severity entry zod would return unchanged: `type` and `score`, nothing else. */
const isSeverity = (v: unknown) => isObject(v) && isString(v.type) && isString(v.score) && onlyKeys(v, 2);
const isAffected = (v: unknown) =>
  isObject(v) &&
  optional(
    v.package,
    (p) => isObject(p) && isString(p.ecosystem) && p.ecosystem !== '' && isString(p.name) && p.name !== '',
  ) &&
  optional(v.ranges, arrayOf(isRange)) &&
  optional(v.versions, arrayOf(isString)) &&
  optional(v.severity, arrayOf(isSeverity)) &&
  optional(v.ecosystem_specific, isObject) &&
  optional(v.database_specific, isObject);

/**
 * True when zod would accept `v` as an OSV record and hand back the same facts: every field patchwise
 * reads has the schema's type, and the nested values it keeps (events, severity entries) carry no extra
 * keys. Anything else goes through {@link OsvRecordSchema}.
 */
export function isPlainOsvRecord(v: unknown): v is OsvRecord {
  return (
    isObject(v) &&
    isString(v.id) &&
    v.id !== '' &&
    optional(v.modified, isString) &&
    optional(v.published, isString) &&
    optional(v.withdrawn, isString) &&
    optional(v.summary, isString) &&
    nullish(v.aliases, arrayOf(isString)) &&
    nullish(v.severity, arrayOf(isSeverity)) &&
    nullish(v.affected, arrayOf(isAffected)) &&
    optional(v.database_specific, isObject)
  );
}

/** `affected[0].ranges[1].events` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function affectedEntry(rec: OsvRecord, a: OsvAffected, where: string): AffectedPackage | UnusableRecord {
  const base = { where, vulnId: rec.id };
  if (!a.package) return { ...base, reason: 'affected entry without a package' };
  const { ecosystem, name } = a.package;
  if (!schemeForOsvEcosystem(ecosystem)) {
    const eco = ecosystem.split(':', 1)[0];
    return {
      ...base,
      ecosystem,
      package: name,
      reason: `ecosystem "${eco}" has no version ordering in patchwise`,
    };
  }
  const ranges = (a.ranges ?? []).filter((r) => r.type === 'ECOSYSTEM').map((r) => r.events as RangeEvent[]);
  const versions = a.versions ?? [];
  if (ranges.length === 0 && versions.length === 0) {
    return { ...base, ecosystem, package: name, reason: 'no ECOSYSTEM range and no versions list' };
  }
  const severity: SeverityVector[] = a.severity ?? rec.severity ?? [];
  const out: AffectedPackage = {
    source: `osv:${ecosystem}`,
    vulnId: rec.id,
    aliases: rec.aliases ?? [],
    ecosystem,
    package: name,
    ranges,
    versions,
    severity,
  };
  const urgency = urgencyOf(a, rec, severity);
  if (urgency) out.urgency = urgency;
  if (rec.summary) out.summary = rec.summary;
  if (rec.published) out.published = rec.published;
  if (rec.modified) out.modified = rec.modified;
  return out;
}

/**
 * The distro's own urgency: Debian writes `ecosystem_specific.urgency`, others a `severity` under
 * `ecosystem_specific` or `database_specific`, Ubuntu a severity entry of type `Ubuntu`.
 */
function urgencyOf(a: OsvAffected, rec: OsvRecord, severity: SeverityVector[]): string | undefined {
  const candidates = [
    a.ecosystem_specific?.urgency,
    a.ecosystem_specific?.severity,
    a.database_specific?.severity,
    rec.database_specific?.severity,
    severity.find((s) => s.type === 'Ubuntu')?.score,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return found;
}
