import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { gzipSync, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { buildSources } from '../src/adapters/feeds/build-sources.js';
import type { FeedLimits } from '../src/adapters/feeds/feed-limits.js';
import { readFeedPath } from '../src/adapters/feeds/read-feed.js';
import { FIXTURES, SNAPSHOT, tempDir } from './helpers/cli.js';

/** Small limits, so that no generated input can cost much memory or time. */
const LIMITS: FeedLimits = {
  entryBytes: 8 * 2 ** 20,
  totalBytes: 16 * 2 ** 20,
  entries: 2000,
  jsonDepth: 64,
  lineLength: 4096,
};

const snapshot = (name: string) => fs.readFileSync(path.join(SNAPSHOT, name));
const zipEntries = unzipSync(snapshot('debian-12-osv.zip'));
const smallZip = zipSync(Object.fromEntries(Object.entries(zipEntries).slice(0, 20)));
const tracker = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, 'advisories/debian-tracker-bookworm.json'), 'utf8'),
) as Record<string, unknown>;
const smallTracker = strToU8(JSON.stringify(Object.fromEntries(Object.entries(tracker).slice(0, 40))));
const epss = snapshot('epss_scores-sample-head100.csv');

/** Real inputs of every format the readers tell apart (the KEV catalog cut to keep runs fast). */
const REAL: [string, Uint8Array][] = [
  ['osv.zip', smallZip],
  ['osv-record.json', Object.values(zipEntries)[0]!],
  ['kev.json', kevSample()],
  ['epss.csv', epss],
  ['epss.csv.gz', gzipSync(epss)],
  ['debian.csv', snapshot('debian.csv')],
  ['ubuntu.csv', snapshot('ubuntu.csv')],
  ['tracker.json', smallTracker],
];

function kevSample(): Uint8Array {
  const kev = JSON.parse(snapshot('known_exploited_vulnerabilities.json').toString('utf8')) as {
    vulnerabilities: unknown[];
  };
  kev.vulnerabilities = kev.vulnerabilities.slice(0, 30);
  return strToU8(JSON.stringify(kev));
}

const dir = tempDir('patchwise-fuzz-');
let n = 0;

/** Reads and splits one input as `feeds import` does: success, or a UserError naming the input. */
function readsOrRefuses(bytes: Uint8Array): 'read' | 'refused' {
  const file = path.join(dir, `input-${n++}`);
  fs.writeFileSync(file, bytes);
  try {
    buildSources(readFeedPath(file, { limits: LIMITS }), { eol: [] });
    return 'read';
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message).toContain(file);
    return 'refused';
  } finally {
    fs.rmSync(file);
  }
}

const mutation = fc.oneof(
  // A letter replaced by a letter: often still valid, so mutated inputs also reach the parsers' success path.
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('letter' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      byte: fc.integer({ min: 0x61, max: 0x7a }),
    }),
  },
  fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ maxLength: 16 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 64 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = input;
  for (const m of ms) {
    const at = Math.floor(m.at * b.length);
    if (m.op === 'truncate') b = b.subarray(0, at);
    else if (m.op === 'flip') (b = b.slice())[at] = m.byte;
    else if (m.op === 'letter') {
      if (/[a-z]/i.test(String.fromCharCode(b[at] ?? 0))) (b = b.slice())[at] = m.byte;
    } else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
  }
  return b;
}

describe('feed readers under fuzzing (fast-check)', () => {
  it('read every real input unchanged', () => {
    for (const [, bytes] of REAL) expect(readsOrRefuses(bytes)).toBe('read');
  });

  it('never crash on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => void readsOrRefuses(b)),
      { numRuns: 300 },
    );
  });

  it('never crash on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), (s) => void readsOrRefuses(strToU8(s))),
      { numRuns: 300 },
    );
  });

  it('never crash on mutated real inputs of every format', () => {
    const seen = { read: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        ([, bytes], ms) => {
          seen[readsOrRefuses(mutate(bytes, ms))]++;
        },
      ),
      { numRuns: 400 },
    );
    // Both outcomes occur: the mutations reach past the format checks into the parsers.
    expect(seen.read).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });

  it('never crash on zips of mutated OSV records (the entries reach the record parser)', () => {
    const records = Object.values(zipEntries).slice(0, 5);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...records), fc.array(mutation, { maxLength: 3 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (entries) => {
          const zip = zipSync(Object.fromEntries(entries.map(([r, ms], i) => [`R${i}.json`, mutate(r, ms)])));
          readsOrRefuses(zip);
        },
      ),
      { numRuns: 200 },
    );
  });
});
