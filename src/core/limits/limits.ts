import { UserError } from '../errors.js';

/**
 * The named limits on what patchwise reads from outside (inventories, the configuration). Each has a
 * default, an environment variable `PATCHWISE_LIMIT_<NAME>` and, where the configuration can set it, a
 * key under `limits:` in patchwise.yaml (the variable wins).
 */
export const LIMITS = {
  hostExpansion: {
    env: 'PATCHWISE_LIMIT_HOST_EXPANSION',
    default: 10_000,
    what: 'hosts one Ansible host pattern may expand to (the product of its ranges)',
  },
  hostsPerImport: {
    env: 'PATCHWISE_LIMIT_HOSTS_PER_IMPORT',
    default: 100_000,
    what: 'hosts one `hosts import` may read',
  },
  yamlAliases: {
    env: 'PATCHWISE_LIMIT_YAML_ALIASES',
    default: 1_000,
    what: 'YAML aliases (*name) one file may resolve',
  },
} as const;
export type LimitName = keyof typeof LIMITS;
/** Every limit's value. */
export type Limits = Record<LimitName, number>;
export const LIMIT_NAMES = Object.keys(LIMITS) as LimitName[];

/** The defaults of every limit. */
export function defaultLimits(): Limits {
  return Object.fromEntries(LIMIT_NAMES.map((n) => [n, LIMITS[n].default])) as Limits;
}

/**
 * The limits in force: the defaults, then `limits:` of the configuration, then `PATCHWISE_LIMIT_*`
 * variables. A variable that is not a positive integer is a UserError naming it.
 */
export function resolveLimits(
  env: Record<string, string | undefined>,
  fromConfig: Partial<Limits> = {},
): Limits {
  const out = { ...defaultLimits(), ...fromConfig };
  for (const n of LIMIT_NAMES) {
    const raw = env[LIMITS[n].env];
    if (raw === undefined || raw === '') continue;
    if (!/^[1-9][0-9]{0,14}$/.test(raw.trim()))
      throw new UserError(
        'limit-invalid',
        `${LIMITS[n].env} must be a positive whole number (got ${JSON.stringify(raw.slice(0, 40))}).`,
        `Set it to a number such as ${LIMITS[n].default} (the default), or unset it.`,
      );
    out[n] = Number(raw.trim());
  }
  return out;
}

/**
 * The error for input past a limit: names the limit, where it was hit (`file:line`) and how to raise
 * it. Exit code 2.
 */
export function limitExceeded(
  name: LimitName,
  value: number,
  where: string,
  found = 'the input',
  o: { envOnly?: boolean } = {},
): UserError {
  const l = LIMITS[name];
  return new UserError(
    'limit-exceeded',
    `${where}: ${found} exceeds the limit ${name} (${l.what}: at most ${value}).`,
    `If the input is trusted, raise it: ${l.env}=N${o.envOnly ? '' : `, or limits: { ${name}: N } in patchwise.yaml`}.`,
  );
}
