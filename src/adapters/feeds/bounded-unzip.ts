import { Gunzip, Unzip, UnzipInflate, unzipSync } from 'fflate';
import { UserError } from '../../core/errors.js';
import { limitError, type FeedLimits } from './feed-limits.js';

/*
 * Compressed input is fed in small pieces so that one piece can never inflate to much more than the
 * limits (deflate expands at most ~1032:1): 16 KiB of input is at most ~16 MiB of output past a limit.
 */
const PIECE = 16 * 1024;

function corrupt(where: string, kind: string, e: unknown): UserError {
  return new UserError(
    'feed-corrupt',
    `${where}: the ${kind} is truncated or corrupt (${(e as Error).message}).`,
    'Download the file again.',
    { cause: e },
  );
}

function feed(bytes: Uint8Array, push: (piece: Uint8Array, final: boolean) => void): void {
  if (bytes.length === 0) push(bytes, true);
  for (let i = 0; i < bytes.length; i += PIECE) push(bytes.subarray(i, i + PIECE), i + PIECE >= bytes.length);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
}

/** Gunzips with a running count of the bytes produced, stopping at the entry/total limits. */
export function gunzipBounded(bytes: Uint8Array, where: string, limits: FeedLimits): Uint8Array {
  const max = Math.min(limits.entryBytes, limits.totalBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const g = new Gunzip((chunk, final) => {
    size += chunk.length;
    if (size > max)
      throw limitError(
        limits.entryBytes <= limits.totalBytes ? 'entryBytes' : 'totalBytes',
        limits,
        where,
        'decompressing the gzip body',
      );
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    feed(bytes, (p, final) => g.push(p, final));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw corrupt(where, 'gzip data', e);
  }
  if (!ended) throw corrupt(where, 'gzip data', new Error('unexpected end of data'));
  return concat(chunks, size);
}

/**
 * Reads the `*.json` entries of a zip archive one at a time, each handed to `onEntry` and then dropped.
 * The central directory is checked first (structure, entry count) without decompressing anything; then
 * entries are inflated with running counts per entry and in total.
 */
export function unzipJsonEntries(
  bytes: Uint8Array,
  where: string,
  limits: FeedLimits,
  onEntry: (name: string, data: Uint8Array, index: number, count: number) => void,
): number {
  const count = countJsonEntries(bytes, where, limits);
  let total = 0;
  let done = 0;
  const unzip = new Unzip((file) => {
    if (!file.name.endsWith('.json')) return;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const at = `${where}:${file.name}`;
    file.ondata = (err, chunk, final) => {
      if (err) throw err;
      size += chunk.length;
      total += chunk.length;
      if (size > limits.entryBytes) throw limitError('entryBytes', limits, at, 'decompressing the entry');
      if (total > limits.totalBytes) throw limitError('totalBytes', limits, at, 'decompressing the archive');
      chunks.push(chunk);
      if (final) onEntry(file.name, concat(chunks, size), done++, count);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    feed(bytes, (p, final) => unzip.push(p, final));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw corrupt(where, 'zip archive', e);
  }
  if (done !== count)
    throw corrupt(where, 'zip archive', new Error(`${done} of ${count} entries could be read`));
  return count;
}

/** Reads only the central directory (nothing is decompressed): its `*.json` entries, within the limit. */
function countJsonEntries(bytes: Uint8Array, where: string, limits: FeedLimits): number {
  let all = 0;
  let json = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (++all > limits.entries)
          throw limitError('entries', limits, where, 'counting the entries of the archive');
        if (f.name.endsWith('.json')) json++;
        return false;
      },
    });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw corrupt(where, 'zip archive', e);
  }
  return json;
}
