import { describe, expect, it } from 'vitest';
import { ownCopy } from './own-copy.js';

describe('ownCopy', () => {
  it('returns an equal string for every length and content', () => {
    const text = 'libssl3\t3.0.15-1~deb12u1\topenssl\t3.0.15-1~deb12u1\tamd64\tii \u00e9\u{1f600}';
    for (let from = 0; from < text.length; from++)
      for (let to = from; to <= text.length; to++)
        expect(ownCopy(text.slice(from, to))).toBe(text.slice(from, to));
  });
});
