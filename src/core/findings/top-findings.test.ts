import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRankKeys, type RankKey } from './rank-findings.js';
import { TopFindings } from './top-findings.js';

const arbKey = fc.record({
  kev: fc.boolean(),
  epss: fc.constantFrom(-1, 0.1, 0.5),
  cvss: fc.constantFrom(-1, 5, 9.8),
  urgency: fc.integer({ min: -1, max: 6 }),
  fixed: fc.boolean(),
  package: fc.constantFrom('a', 'b', 'c'),
  vulnId: fc.constantFrom('CVE-1', 'CVE-2', 'CVE-3'),
});

describe('TopFindings', () => {
  it('keeps exactly the first `limit` of a full sort, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbKey, fc.constantFrom('h1', 'h2', 'h3')), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (rows, limit) => {
          const top = new TopFindings<[RankKey, string]>(limit);
          for (const [k, h] of rows) if (top.wants(k, h)) top.add(k, h, [k, h]);
          const sorted = [...rows].sort((a, b) => compareRankKeys(a[0], b[0], a[1], b[1]));
          const got = top.values();
          expect(got.length).toBe(Math.min(limit, rows.length));
          got.forEach(([k, h], i) => expect(compareRankKeys(k, sorted[i]![0], h, sorted[i]![1])).toBe(0));
        },
      ),
    );
  });
});
