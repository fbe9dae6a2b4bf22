import { isKevCatalogShape } from '../../core/intel/kev.js';

/** What a file's bytes look like, before parsing. */
export type ContainerType = 'zip' | 'gzip' | 'json' | 'csv-epss' | 'csv-eol' | 'unknown';

/** What a parsed JSON document is. */
export type JsonFeedType = 'kev' | 'osv-record' | 'debian-tracker' | 'unknown';

/** The list of formats, for "expected …" messages. */
export const EXPECTED_FORMATS =
  'an OSV all.zip, an OSV JSON record, Debian security tracker JSON, CISA KEV JSON, a FIRST EPSS CSV (optionally gzipped) or a distro-info-data CSV';

/** Tells a feed file's container by its first bytes, never by its name. */
export function detectContainer(bytes: Uint8Array): ContainerType {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05)) return 'zip';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  const head = Buffer.from(bytes.subarray(0, 256))
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const first = head.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (/^#model_version:/.test(head) || /^cve,epss,percentile\r?\n/.test(head)) return 'csv-epss';
  if (/^version,codename,series,created,release,eol/.test(head)) return 'csv-eol';
  return 'unknown';
}

/** Tells a JSON document's feed type by its shape. */
export function detectJson(json: unknown): JsonFeedType {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'unknown';
  if (isKevCatalogShape(json)) return 'kev';
  const o = json as Record<string, unknown>;
  if (typeof o.id === 'string' && ('affected' in o || 'modified' in o)) return 'osv-record';
  return looksLikeTracker(o) ? 'debian-tracker' : 'unknown';
}

/** `{source: {CVE: {releases: {...}}}}`: judged on the first entry that has any CVE. */
function looksLikeTracker(o: Record<string, unknown>): boolean {
  for (const cves of Object.values(o)) {
    if (typeof cves !== 'object' || cves === null) return false;
    const first = Object.values(cves)[0] as { releases?: unknown } | undefined;
    if (first === undefined) continue;
    return typeof first === 'object' && first !== null && typeof first.releases === 'object';
  }
  return false;
}

/** File names that are documentation beside feeds (skipped with a note inside a directory). */
export function isDocumentationName(name: string): boolean {
  return (
    name.startsWith('.') ||
    /\.(md|txt|rst|html?|asc|sig|sha256|sha512)$/i.test(name) ||
    /^(readme|licen[cs]e|copying|attribution|notice|authors)([._-]|$)/i.test(name)
  );
}
