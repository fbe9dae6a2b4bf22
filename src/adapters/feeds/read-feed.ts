import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, strFromU8, unzipSync } from 'fflate';
import type { AffectedPackage } from '../../core/advisories/advisory.js';
import { parseOsvRecord } from '../../core/advisories/parse-osv.js';
import type { UnusableRecord } from '../../core/advisories/unusable-record.js';
import { UserError } from '../../core/errors.js';
import { parseEpss } from '../../core/intel/epss.js';
import { parseEolCsv } from '../../core/intel/eol.js';
import { detectContainer, detectJson, EXPECTED_FORMATS, isDocumentationName } from './detect-feed.js';
import type { FeedFile } from './feed-file.js';
import { validateKev } from './validate-kev.js';

/** Called as reading goes: a label and, for archives, entries done of total. */
export type ReadProgress = (label: string, done?: number, total?: number) => void;

export interface ReadOptions {
  /** What to record as the origin (a URL for downloads); default: the absolute path. */
  origin?: string;
  onProgress?: ReadProgress;
}

/**
 * Reads and validates a feed file, or every file under a directory, telling formats by content. Nothing
 * is written anywhere. Inside a directory, documentation files (README, *.md, LICENSE, …) are returned
 * as `skipped`; every other file must be a feed.
 *
 * @throws UserError naming the file (and zip entry, record and field) for unreadable, truncated, invalid
 *   or unrecognised files.
 */
export function readFeedPath(p: string, opts: ReadOptions = {}): FeedFile[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw new UserError('feed-not-found', `Cannot read ${p}: no such file or directory.`, undefined, {
      cause: e,
    });
  }
  if (!stat.isDirectory()) return [readFeedFile(p, opts)];
  return listFiles(p).map((file) =>
    isDocumentationName(path.basename(file))
      ? { kind: 'skipped', origin: file, note: `${file}: skipped (not a feed file)` }
      : readFeedFile(file, opts),
  );
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...listFiles(full));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Reads one file. */
export function readFeedFile(file: string, opts: ReadOptions = {}): FeedFile {
  const origin = opts.origin ?? path.resolve(file);
  opts.onProgress?.(`reading ${file}`);
  return readBytes(fs.readFileSync(file), file, origin, opts, false);
}

function readBytes(
  bytes: Uint8Array,
  where: string,
  origin: string,
  opts: ReadOptions,
  unzipped: boolean,
): FeedFile {
  const container = detectContainer(bytes);
  switch (container) {
    case 'zip':
      return readOsvZip(bytes, where, origin, opts);
    case 'gzip':
      if (unzipped) break;
      return readBytes(gunzip(bytes, where), where, origin, opts, true);
    case 'json':
      return readJson(text(bytes), where, origin);
    case 'csv-epss':
      return { kind: 'epss', origin, file: parseEpss(text(bytes), where) };
    case 'csv-eol': {
      const { distro, releases } = parseEolCsv(text(bytes), where);
      return { kind: 'eol', origin, distro, releases };
    }
    case 'unknown':
      break;
  }
  throw new UserError(
    'feed-wrong-type',
    `${where}: not a feed file patchwise knows: expected ${EXPECTED_FORMATS}.`,
  );
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

function gunzip(bytes: Uint8Array, where: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new UserError(
      'feed-corrupt',
      `${where}: the gzip data is truncated or corrupt (${(e as Error).message}).`,
      'Download the file again.',
      { cause: e },
    );
  }
}

function parseJson(s: string, where: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new UserError(
      'feed-corrupt',
      `${where}: invalid JSON: ${(e as Error).message}.`,
      'The file is truncated or not JSON; download it again.',
      { cause: e },
    );
  }
}

function readJson(s: string, where: string, origin: string): FeedFile {
  const json = parseJson(s, where);
  switch (detectJson(json)) {
    case 'kev':
      return { kind: 'kev', origin, catalog: validateKev(json, where) };
    case 'osv-record': {
      const { records, unusable } = parseOsvRecord(json, where);
      return { kind: 'osv', origin, records, unusable, files: 1 };
    }
    case 'debian-tracker':
      return { kind: 'debian-tracker', origin, json };
    case 'unknown':
      throw new UserError(
        'feed-wrong-type',
        `${where}: JSON, but not a feed patchwise knows: expected ${EXPECTED_FORMATS}.`,
      );
  }
}

/** An OSV export (`all.zip`): every `*.json` entry is one OSV record. */
function readOsvZip(bytes: Uint8Array, where: string, origin: string, opts: ReadOptions): FeedFile {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.endsWith('.json') });
  } catch (e) {
    throw new UserError(
      'feed-corrupt',
      `${where}: the zip archive is truncated or corrupt (${(e as Error).message}).`,
      'Download the file again.',
      { cause: e },
    );
  }
  const names = Object.keys(entries);
  const records: AffectedPackage[] = [];
  const unusable: UnusableRecord[] = [];
  names.forEach((name, i) => {
    if (i % 500 === 0) opts.onProgress?.(`reading ${where}`, i, names.length);
    const at = `${where}:${name}`;
    const r = parseOsvRecord(parseJson(strFromU8(entries[name]!), at), at);
    for (const x of r.records) records.push(x);
    for (const x of r.unusable) unusable.push(x);
  });
  if (names.length === 0)
    throw new UserError(
      'feed-wrong-type',
      `${where}: a zip archive without any OSV JSON records: expected ${EXPECTED_FORMATS}.`,
    );
  return { kind: 'osv', origin, records, unusable, files: names.length };
}
