import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutoffAt, errorLimit, mayStart, orderHosts } from './order.js';

describe('orderHosts', () => {
  it('puts lower tiers first, canaries alone, then batches within a tier', () => {
    const hosts = [
      { name: 'db', tier: 1 },
      { name: 'web1', tier: 3 },
      { name: 'web2', tier: 3 },
      { name: 'web3', tier: 3 },
      { name: 'old', tier: 4 },
    ];
    const o = orderHosts(hosts, { canary: 1, batchSize: 2, staged: true });
    expect(o.map((h) => [h.name, h.batch, h.canary])).toEqual([
      ['old', 0, true],
      ['web1', 1, false],
      ['web2', 1, false],
      ['web3', 2, false],
      ['db', 3, false],
    ]);
  });
  it('orders by name alone when not staged', () => {
    const o = orderHosts(
      [
        { name: 'b', tier: 1 },
        { name: 'a', tier: 4 },
      ],
      { canary: 0, batchSize: 5, staged: false },
    );
    expect(o.map((h) => h.name)).toEqual(['a', 'b']);
    expect(o.every((h) => h.batch === 0)).toBe(true);
  });
  it('keeps every host once, batches never larger than batchSize, canaries alone', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1 }), tier: fc.constantFrom(1, 2, 3, 4) }), {
          selector: (h) => h.name,
        }),
        fc.nat(3),
        fc.integer({ min: 1, max: 4 }),
        (hosts, canary, batchSize) => {
          const o = orderHosts(hosts, { canary, batchSize, staged: true });
          expect(o.map((h) => h.name).sort()).toEqual(hosts.map((h) => h.name).sort());
          const sizes = new Map<number, number>();
          for (const h of o) sizes.set(h.batch, (sizes.get(h.batch) ?? 0) + 1);
          for (const h of o) expect(sizes.get(h.batch)!).toBeLessThanOrEqual(h.canary ? 1 : batchSize);
        },
      ),
    );
  });
});

describe('errorLimit', () => {
  it.each([
    [1, 5, 1],
    [0, 5, 1],
    [3, 5, 3],
    ['20%', 5, 1],
    ['50%', 5, 3],
    ['100%', 4, 4],
  ] as const)('%s of %d hosts -> %d', (m, n, want) => expect(errorLimit(m, n)).toBe(want));
});

describe('mayStart', () => {
  const now = new Date('2026-12-12T02:00:00Z');
  it('refuses after the error limit, after the cutoff, and before the batch before is done', () => {
    expect(mayStart({ now, failures: 1, limit: 1, earlierBatchesDone: true })).toMatchObject({ ok: false });
    const cutoff = cutoffAt(new Date('2026-12-12T02:30:00Z'), 30);
    expect(mayStart({ now, cutoff, failures: 0, limit: 1, earlierBatchesDone: true })).toMatchObject({
      ok: false,
      wait: false,
    });
    expect(mayStart({ now, failures: 0, limit: 1, earlierBatchesDone: false })).toMatchObject({ wait: true });
    expect(mayStart({ now, failures: 0, limit: 2, earlierBatchesDone: true })).toEqual({ ok: true });
  });
});
