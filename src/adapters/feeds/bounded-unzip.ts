import { Gunzip, Inflate, inflateSync } from 'fflate';
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
 * The central directory is read first (structure, entry count) without decompressing anything. An entry
 * that declares a size within the limits is inflated into exactly that (see {@link inflateDeclared});
 * any other is inflated in small pieces with running counts per entry and in total.
 */
export function unzipJsonEntries(
  bytes: Uint8Array,
  where: string,
  limits: FeedLimits,
  onEntry: (name: string, data: Uint8Array, index: number, count: number) => void,
): number {
  let entries: ZipEntry[];
  try {
    entries = readCentralDirectory(bytes, where, limits).filter((e) => e.name.endsWith('.json'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw corrupt(where, 'zip archive', e);
  }
  let total = 0;
  entries.forEach((entry, index) => {
    const at = `${where}:${entry.name}`;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const take = (chunk: Uint8Array) => {
      size += chunk.length;
      total += chunk.length;
      if (size > limits.entryBytes) throw limitError('entryBytes', limits, at, 'decompressing the entry');
      if (total > limits.totalBytes) throw limitError('totalBytes', limits, at, 'decompressing the archive');
      chunks.push(chunk);
    };
    try {
      const data = entryData(bytes, entry);
      if (entry.compression === 0) take(data);
      else if (entry.size < Math.min(limits.entryBytes, limits.totalBytes - total))
        take(inflateDeclared(data, entry.size));
      else {
        let ended = false;
        const inflate = new Inflate((chunk, final) => {
          take(chunk);
          ended ||= final;
        });
        feed(data, (p, final) => inflate.push(p, final));
        if (!ended) throw new Error('the deflate stream ends early');
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw corrupt(at, 'zip entry', e);
    }
    onEntry(entry.name, concat(chunks, size), index, entries.length);
  });
  return entries.length;
}

/**
 * Inflates into a buffer of the size the directory declares (the fast path for the many small entries
 * of an OSV export: no growing and copying). A byte to spare catches a declaration that is a lie; fflate
 * drops what does not fit, so memory stays bounded by the declared size whatever the data holds.
 */
function inflateDeclared(data: Uint8Array, size: number): Uint8Array {
  const out = inflateSync(data, { out: new Uint8Array(size + 1) });
  need(
    out.length === size,
    `the entry inflates to ${out.length > size ? 'more' : 'fewer'} bytes than its directory says`,
  );
  return out;
}

interface ZipEntry {
  name: string;
  /** Uncompressed size as the directory declares it: an allocation hint, checked, never trusted. */
  size: number;
  compression: number;
  compressedSize: number;
  headerOffset: number;
}

const names = new TextDecoder();
const u16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number) =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, i: number) => u32(b, i) + u32(b, i + 4) * 2 ** 32;

function need(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** The entries listed in the central directory (zip64 aware), within the feed-entries limit. */
function readCentralDirectory(b: Uint8Array, where: string, limits: FeedLimits): ZipEntry[] {
  let eocd = b.length - 22;
  while (eocd >= 0 && eocd >= b.length - 22 - 0xffff && u32(b, eocd) !== 0x06054b50) eocd--;
  need(eocd >= 0 && u32(b, eocd) === 0x06054b50, 'no end of central directory');
  let count = u16(b, eocd + 10);
  let offset = u32(b, eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    need(locator >= 0 && u32(b, locator) === 0x07064b50, 'no zip64 locator');
    const z64 = u64(b, locator + 8);
    need(z64 + 56 <= b.length && u32(b, z64) === 0x06064b50, 'no zip64 end of central directory');
    count = u64(b, z64 + 32);
    offset = u64(b, z64 + 48);
  }
  if (count > limits.entries)
    throw limitError('entries', limits, where, `counting the entries of the archive (${count})`);
  const out: ZipEntry[] = [];
  for (let i = 0, at = offset; i < count; i++) {
    need(at + 46 <= b.length && u32(b, at) === 0x02014b50, 'a central directory entry is missing');
    const nameLength = u16(b, at + 28);
    const extraLength = u16(b, at + 30);
    const name = names.decode(b.subarray(at + 46, at + 46 + nameLength));
    let size = u32(b, at + 24);
    let csize = u32(b, at + 20);
    let headerOffset = u32(b, at + 42);
    // Zip64: the fields set to 0xffffffff follow in the 0x0001 extra field, in this order.
    for (let x = at + 46 + nameLength, end = x + extraLength; x + 4 <= end; x += 4 + u16(b, x + 2)) {
      if (u16(b, x) !== 1) continue;
      let f = x + 4;
      if (size === 0xffffffff) {
        size = u64(b, f);
        f += 8;
      }
      if (csize === 0xffffffff) {
        csize = u64(b, f);
        f += 8;
      }
      if (headerOffset === 0xffffffff) headerOffset = u64(b, f);
    }
    out.push({ name, size, compression: u16(b, at + 10), compressedSize: csize, headerOffset });
    at += 46 + nameLength + extraLength + u16(b, at + 32);
  }
  return out;
}

/** The compressed bytes of one entry, found through its local header. */
function entryData(b: Uint8Array, e: ZipEntry): Uint8Array {
  const h = e.headerOffset;
  need(h + 30 <= b.length && u32(b, h) === 0x04034b50, 'a local header is missing');
  need(e.compression === 0 || e.compression === 8, `compression method ${e.compression} is not supported`);
  const start = h + 30 + u16(b, h + 26) + u16(b, h + 28);
  need(start + e.compressedSize <= b.length, 'the entry runs past the end of the archive');
  return b.subarray(start, start + e.compressedSize);
}
