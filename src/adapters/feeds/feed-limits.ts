import { UserError } from '../../core/errors.js';
import { limitFromEnv } from '../../core/limits/limits.js';

/**
 * Bounds on what reading one feed may cost, checked while reading (never after): a hostile or broken
 * file ends in a `feed-limit` UserError naming the limit, the file (and zip entry) and how to raise it.
 */
export interface FeedLimits {
  /** Bytes of one file, or of one zip entry or gzip body once decompressed. */
  entryBytes: number;
  /** Bytes decompressed from one archive (zip or gzip) in all. */
  totalBytes: number;
  /** Entries in one zip archive (every entry, not only `*.json`). */
  entries: number;
  /** Nesting of arrays and objects in one JSON document. */
  jsonDepth: number;
  /** Characters in one line of a CSV feed. */
  lineLength: number;
}

/** The limits: their names (in messages), environment variables, defaults and meaning. */
export const FEED_LIMITS = [
  { key: 'entryBytes', name: 'feed-entry-bytes', def: 256 * 2 ** 20, what: 'bytes of one file or zip entry' },
  { key: 'totalBytes', name: 'feed-total-bytes', def: 2 ** 30, what: 'bytes decompressed from one archive' },
  { key: 'entries', name: 'feed-entries', def: 500_000, what: 'entries in one zip archive' },
  { key: 'jsonDepth', name: 'json-depth', def: 64, what: 'nesting levels of one JSON document' },
  { key: 'lineLength', name: 'line-length', def: 65_536, what: 'characters in one CSV line' },
] as const satisfies readonly { key: keyof FeedLimits; name: string; def: number; what: string }[];

export type FeedLimitKey = (typeof FEED_LIMITS)[number]['key'];

/** `feed-entry-bytes` → `PATCHWISE_LIMIT_FEED_ENTRY_BYTES`. */
export function limitEnvName(key: FeedLimitKey): string {
  const name = FEED_LIMITS.find((l) => l.key === key)!.name;
  return `PATCHWISE_LIMIT_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The defaults: the real feeds (OSV Debian all.zip, KEV, EPSS, the tracker JSON) pass well inside. */
export const DEFAULT_FEED_LIMITS: FeedLimits = Object.fromEntries(
  FEED_LIMITS.map((l) => [l.key, l.def]),
) as unknown as FeedLimits;

/**
 * The limits, each overridable by its `PATCHWISE_LIMIT_…` environment variable: a positive integer,
 * optionally with a binary suffix `k`, `M` or `G` (`PATCHWISE_LIMIT_FEED_ENTRY_BYTES=1G`).
 *
 * @throws UserError `limit-invalid` for a value that is not such a number.
 */
export function feedLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): FeedLimits {
  const out = { ...DEFAULT_FEED_LIMITS };
  for (const l of FEED_LIMITS) {
    const n = limitFromEnv(env, limitEnvName(l.key), l.def);
    if (n !== undefined) out[l.key] = n;
  }
  return out;
}

/** The error for input past a limit: names the limit, the input and how to raise it. */
export function limitError(key: FeedLimitKey, limits: FeedLimits, where: string, what: string): UserError {
  const l = FEED_LIMITS.find((x) => x.key === key)!;
  const env = limitEnvName(key);
  return new UserError(
    'feed-limit',
    `${where}: ${what} went past the ${l.name} limit (${size(limits[key])} ${l.what}); reading stopped.`,
    `If the file is genuine, raise the limit, e.g. ${env}=${size(limits[key] * 4)} (default ${size(l.def)}).`,
  );
}

/** 268435456 → `256M`; numbers that are not whole binary units stay as they are. */
export function size(n: number): string {
  for (const [unit, f] of [
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['k', 2 ** 10],
  ] as const)
    if (n >= f && n % f === 0) return `${n / f}${unit}`;
  return String(n);
}
