import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED_LIMITS, feedLimitsFromEnv, limitEnvName, size } from './feed-limits.js';

describe('feed limits', () => {
  it('default to sizes the real feeds pass inside', () => {
    expect(DEFAULT_FEED_LIMITS).toEqual({
      entryBytes: 256 * 2 ** 20,
      totalBytes: 2 ** 30,
      entries: 500_000,
      jsonDepth: 64,
      lineLength: 65_536,
    });
    expect(feedLimitsFromEnv({})).toEqual(DEFAULT_FEED_LIMITS);
  });

  it.each([
    ['entryBytes', 'PATCHWISE_LIMIT_FEED_ENTRY_BYTES', '1G', 2 ** 30],
    ['totalBytes', 'PATCHWISE_LIMIT_FEED_TOTAL_BYTES', '512m', 512 * 2 ** 20],
    ['entries', 'PATCHWISE_LIMIT_FEED_ENTRIES', '10', 10],
    ['jsonDepth', 'PATCHWISE_LIMIT_JSON_DEPTH', ' 200 ', 200],
    ['lineLength', 'PATCHWISE_LIMIT_LINE_LENGTH', '4k', 4096],
  ] as const)('%s is set by %s', (key, env, raw, value) => {
    expect(limitEnvName(key)).toBe(env);
    expect(feedLimitsFromEnv({ [env]: raw })[key]).toBe(value);
  });

  it.each(['0', '-1', '1.5', 'lots', '1T', '99999999999999999999'])('refuses %j', (raw) => {
    expect(() => feedLimitsFromEnv({ PATCHWISE_LIMIT_FEED_ENTRIES: raw })).toThrow(
      /PATCHWISE_LIMIT_FEED_ENTRIES=.*expected a positive whole number/,
    );
  });

  it('prints sizes in binary units when they are whole', () => {
    expect([size(2 ** 30), size(256 * 2 ** 20), size(4096), size(65_536), size(500_000)]).toEqual([
      '1G',
      '256M',
      '4k',
      '64k',
      '500000',
    ]);
  });
});
