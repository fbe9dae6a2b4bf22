import fs from 'node:fs';
import path from 'node:path';
import { gzipSync, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED_LIMITS, type FeedLimits } from './feed-limits.js';
import { gunzipBounded, unzipJsonEntries } from './bounded-unzip.js';

const real = fs.readFileSync(path.resolve(import.meta.dirname, '../../../feeds/snapshot/debian-12-osv.zip'));
const small: FeedLimits = {
  ...DEFAULT_FEED_LIMITS,
  entryBytes: 2 ** 20,
  totalBytes: 3 * 2 ** 20,
  entries: 10,
};

function read(zip: Uint8Array, limits = small): Record<string, string> {
  const out: Record<string, string> = {};
  unzipJsonEntries(zip, 'a.zip', limits, (name, data) => (out[name] = Buffer.from(data).toString()));
  return out;
}

/** The central directory's uncompressed size of the first entry, rewritten. */
function lieAboutSize(zip: Uint8Array, size: number): Uint8Array {
  const b = Buffer.from(zip);
  b.writeUInt32LE(size, b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
  return b;
}

describe('unzipJsonEntries', () => {
  it('reads every entry of the real OSV export exactly as fflate does', () => {
    const expected = unzipSync(real);
    let n = 0;
    unzipJsonEntries(real, 'all.zip', DEFAULT_FEED_LIMITS, (name, data) => {
      expect(Buffer.compare(Buffer.from(data), Buffer.from(expected[name]!))).toBe(0);
      n++;
    });
    expect(n).toBe(Object.keys(expected).length);
  });

  it('reads stored and deflated entries, skipping names that are not *.json', () => {
    const zip = zipSync({
      'a.json': [strToU8('{"a":1}'), { level: 0 }],
      'b.json': strToU8('{"b":2}'),
      'c.txt': strToU8('x'),
    });
    expect(read(zip)).toEqual({ 'a.json': '{"a":1}', 'b.json': '{"b":2}' });
  });

  it('stops an entry whose directory understates its size, without inflating past it', () => {
    const zip = lieAboutSize(zipSync({ 'a.json': new Uint8Array(4 * 2 ** 20).fill(32) }), 10);
    expect(() => read(zip)).toThrow(
      /a\.zip:a\.json: the zip entry is truncated or corrupt \(the entry inflates to more bytes/,
    );
  });

  it('counts the real bytes when the directory overstates them', () => {
    const zip = lieAboutSize(zipSync({ 'a.json': new Uint8Array(4 * 2 ** 20).fill(32) }), 2 ** 31);
    expect(() => read(zip)).toThrow(
      /a\.zip:a\.json: decompressing the entry went past the feed-entry-bytes limit/,
    );
  });

  it('refuses more entries than the limit before inflating any', () => {
    const zip = zipSync(
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`${i}.json`, strToU8('{}')])),
    );
    expect(() => read(zip)).toThrow(
      /a\.zip: counting the entries of the archive \(11\) went past the feed-entries limit/,
    );
  });

  it('refuses a truncated archive', () => {
    expect(() => read(real.subarray(0, 100_000), DEFAULT_FEED_LIMITS)).toThrow(
      /a\.zip: the zip archive is truncated or corrupt/,
    );
  });
});

describe('gunzipBounded', () => {
  it('gunzips, and stops past the limit', () => {
    expect(Buffer.from(gunzipBounded(gzipSync(strToU8('hello')), 'x.gz', small)).toString()).toBe('hello');
    expect(() => gunzipBounded(gzipSync(new Uint8Array(2 * 2 ** 20)), 'x.gz', small)).toThrow(
      /x\.gz: decompressing the gzip body went past the feed-entry-bytes limit \(1M/,
    );
    expect(() => gunzipBounded(gzipSync(strToU8('hello')).subarray(0, 12), 'x.gz', small)).toThrow(
      /x\.gz: the gzip data is truncated/,
    );
  });
});
