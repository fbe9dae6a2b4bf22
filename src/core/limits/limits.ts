import { UserError } from '../errors.js';

/**
 * The named limits on inventories and the configuration. Each has a default and an environment variable
 * `PATCHWISE_LIMIT_<NAME>`, spelled like the feed limits (`feed-entry-bytes` is
 * `PATCHWISE_LIMIT_FEED_ENTRY_BYTES`). Variables rather than a patchwise.yaml section, as for feeds: the
 * alias limit guards reading the configuration itself.
 */
export const LIMITS = {
  hostExpansion: {
    name: 'host-expansion',
    default: 10_000,
    what: 'hosts one Ansible host pattern may expand to, the product of its ranges',
  },
  hostsPerImport: { name: 'hosts-per-import', default: 100_000, what: 'hosts one import may read' },
  yamlAliases: { name: 'yaml-aliases', default: 1_000, what: 'YAML aliases one file may resolve' },
} as const;
export type LimitKey = keyof typeof LIMITS;
/** Every limit's value. */
export type Limits = Record<LimitKey, number>;
export const LIMIT_KEYS = Object.keys(LIMITS) as LimitKey[];

/** `host-expansion` → `PATCHWISE_LIMIT_HOST_EXPANSION`. */
export function limitEnvName(key: LimitKey): string {
  return `PATCHWISE_LIMIT_${LIMITS[key].name.toUpperCase().replace(/-/g, '_')}`;
}

/** The defaults of every limit. */
export function defaultLimits(): Limits {
  return Object.fromEntries(LIMIT_KEYS.map((k) => [k, LIMITS[k].default])) as Limits;
}

/**
 * The limits in force: the defaults, each overridden by its `PATCHWISE_LIMIT_…` variable, a positive
 * whole number, optionally with `k`, `M` or `G` (×1024), as the feed limits read them.
 *
 * @throws UserError `limit-invalid` for a value that is not such a number.
 */
export function resolveLimits(env: Readonly<Record<string, string | undefined>>): Limits {
  const out = defaultLimits();
  for (const k of LIMIT_KEYS) {
    const n = limitFromEnv(env, limitEnvName(k), LIMITS[k].default);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/**
 * The value of one limit's variable `name` in `env`: undefined when unset or empty, else a positive whole
 * number, optionally with `k`, `M` or `G` (×1024). Every limit, feeds' included, reads its variable here.
 *
 * @throws UserError `limit-invalid` for a value that is not such a number.
 */
export function limitFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  def: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const m = /^\s*(\d{1,15})\s*([kKmMgG]?)\s*$/.exec(raw);
  const n = m ? Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UserError(
      'limit-invalid',
      `${name}=${JSON.stringify(raw.slice(0, 40))}: expected a positive whole number (optionally with k, M or G).`,
      `Unset it for the default (${def}).`,
    );
  return n;
}

/**
 * The error for input past a limit: names the limit, where it was hit (`file:line`), what went past it
 * and how to raise it. Exit code 2.
 */
export function limitExceeded(key: LimitKey, value: number, where: string, what: string): UserError {
  const l = LIMITS[key];
  return new UserError(
    'inventory-limit',
    `${where}: ${what} went past the ${l.name} limit (${value} ${l.what}); nothing was read.`,
    `If the file is genuine, raise the limit, e.g. ${limitEnvName(key)}=${value * 4} (default ${l.default}).`,
  );
}
