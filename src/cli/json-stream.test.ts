import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJson } from './json-stream.js';

const text = (v: unknown) => {
  let s = '';
  writeJson(v, (x) => (s += x));
  return s;
};

describe('writeJson', () => {
  it('writes exactly what JSON.stringify(value, null, 2) does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        expect(text(v)).toBe(`${JSON.stringify(v, null, 2)}\n`);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles undefined, functions, toJSON and accessors as JSON.stringify does', () => {
    const withGetter = Object.defineProperty({ a: 1 }, 'b', { get: () => [1, 2], enumerable: true });
    const v = {
      u: undefined,
      f: () => 1,
      d: new Date(0),
      list: [undefined, () => 1, new Date(1), { x: undefined }, [], {}],
      nested: { deeper: { deepest: [1, { y: 2 }] }, empty: [] },
      withGetter,
    };
    expect(text(v)).toBe(`${JSON.stringify(v, null, 2)}\n`);
    expect(text([])).toBe('[]\n');
    expect(text({})).toBe('{}\n');
  });

  it('writes in pieces of about a megabyte', () => {
    const pieces: string[] = [];
    const big = { rows: Array.from({ length: 30_000 }, (_, i) => ({ i, s: 'x'.repeat(100) })) };
    writeJson(big, (s) => pieces.push(s));
    expect(pieces.length).toBeGreaterThan(2);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2 << 20);
    expect(pieces.join('')).toBe(`${JSON.stringify(big, null, 2)}\n`);
  });
});
