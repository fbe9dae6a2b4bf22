import fs from 'node:fs';
import path from 'node:path';
import type { AffectedPackage } from '../../core/advisories/advisory.js';
import { parseOsvRecord } from '../../core/advisories/parse-osv.js';
import type { UnusableRecord } from '../../core/advisories/unusable-record.js';
import { UserError } from '../../core/errors.js';
import { parseEpss } from '../../core/intel/epss.js';
import { parseEolCsv } from '../../core/intel/eol.js';
import { gunzipBounded, unzipJsonEntries } from './bounded-unzip.js';
import { checkJsonDepth, checkLineLength, decodeUtf8 } from './check-text.js';
import { detectContainer, detectJson, EXPECTED_FORMATS, isDocumentationName } from './detect-feed.js';
import type { FeedFile } from './feed-file.js';
import { DEFAULT_FEED_LIMITS, type FeedLimits } from './feed-limits.js';
import { readRegularFile, unreadableError } from './read-regular-file.js';
import { validateKev } from './validate-kev.js';

/** Called as reading goes: a label and, for archives, entries done of total. */
export type ReadProgress = (label: string, done?: number, total?: number) => void;

export interface ReadOptions {
  /** What to record as the origin (a URL for downloads); default: the absolute path. */
  origin?: string;
  onProgress?: ReadProgress;
  /** Bounds on sizes, entries, nesting and lines; default {@link DEFAULT_FEED_LIMITS}. */
  limits?: FeedLimits;
}

/**
 * Reads and validates a feed file, or every file under a directory, telling formats by content. Nothing
 * is written anywhere. Inside a directory, documentation files (README, *.md, LICENSE, …) are returned
 * as `skipped`; every other file must be a feed.
 *
 * @throws UserError naming the file (and zip entry, record and field) for unreadable, truncated, invalid
 *   or unrecognised files, special files (FIFOs, devices), and input past a limit (`feed-limit`).
 */
export function readFeedPath(p: string, opts: ReadOptions = {}): FeedFile[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw unreadableError(p, e);
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
    // Anything else (a symlink, a FIFO, a device) is listed too, to be read or refused by name.
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) out.push(...listFiles(full));
    } else out.push(full);
  }
  return out;
}

/** Reads one file. */
export function readFeedFile(file: string, opts: ReadOptions = {}): FeedFile {
  const origin = opts.origin ?? path.resolve(file);
  opts.onProgress?.(`reading ${file}`);
  const limits = opts.limits ?? DEFAULT_FEED_LIMITS;
  return readBytes(readRegularFile(file, limits), file, origin, { ...opts, limits }, false);
}

function readBytes(
  bytes: Uint8Array,
  where: string,
  origin: string,
  opts: ReadOptions & { limits: FeedLimits },
  unzipped: boolean,
): FeedFile {
  const limits = opts.limits;
  const container = detectContainer(bytes);
  switch (container) {
    case 'zip':
      return readOsvZip(bytes, where, origin, opts);
    case 'gzip':
      if (unzipped) break;
      return readBytes(gunzipBounded(bytes, where, limits), where, origin, opts, true);
    case 'json':
      return readJson(decodeUtf8(bytes, where), where, origin, limits);
    case 'csv-epss':
      return { kind: 'epss', origin, file: parseEpss(csvText(bytes, where, limits), where) };
    case 'csv-eol': {
      const { distro, releases } = parseEolCsv(csvText(bytes, where, limits), where);
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

function csvText(bytes: Uint8Array, where: string, limits: FeedLimits): string {
  const s = decodeUtf8(bytes, where);
  checkLineLength(s, where, limits);
  return s;
}

function parseJson(s: string, where: string, limits: FeedLimits): unknown {
  checkJsonDepth(s, where, limits);
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

function readJson(s: string, where: string, origin: string, limits: FeedLimits): FeedFile {
  const json = parseJson(s, where, limits);
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

/** An OSV export (`all.zip`): every `*.json` entry is one OSV record, parsed as it is inflated. */
function readOsvZip(
  bytes: Uint8Array,
  where: string,
  origin: string,
  opts: ReadOptions & { limits: FeedLimits },
): FeedFile {
  const records: AffectedPackage[] = [];
  const unusable: UnusableRecord[] = [];
  const count = unzipJsonEntries(bytes, where, opts.limits, (name, data, i, total) => {
    if (i % 500 === 0) opts.onProgress?.(`reading ${where}`, i, total);
    const at = `${where}:${name}`;
    const r = parseOsvRecord(parseJson(decodeUtf8(data, at), at, opts.limits), at);
    for (const x of r.records) records.push(x);
    for (const x of r.unusable) unusable.push(x);
  });
  if (count === 0)
    throw new UserError(
      'feed-wrong-type',
      `${where}: a zip archive without any OSV JSON records: expected ${EXPECTED_FORMATS}.`,
    );
  return { kind: 'osv', origin, records, unusable, files: count };
}
