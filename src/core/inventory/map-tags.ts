import { isTier, type Exposure, type Tier } from './host.js';

/** The classification a set of tags or labels yields; a field is absent when nothing said it. */
export interface TagClassification {
  tier?: Tier;
  exposure?: Exposure;
  owner?: string;
  environment?: string;
  /** Fields two tags disagreed on (left unset, so the host is flagged rather than guessed). */
  conflicts: string[];
  /** Tags that said nothing about the classification. */
  unmatched: string[];
  /** Tags naming tier or exposure with a value that is not one (`tier=9`): ignored, and reported. */
  invalid: string[];
}

type Field = 'tier' | 'exposure' | 'owner' | 'environment';
type Hit = { field: Field; value: string | number };

const EXPOSURE_WORDS: Record<string, Exposure> = {
  internet: 'internet',
  public: 'internet',
  'internet-facing': 'internet',
  internal: 'internal',
  private: 'internal',
  isolated: 'isolated',
};
const ENV_WORDS: Record<string, string> = {
  production: 'production',
  prod: 'production',
  staging: 'staging',
  stage: 'staging',
  dev: 'development',
  development: 'development',
  test: 'test',
};

/** Reads one tag name (`tier-1`, `internet`, `owner-alice`, `env-prod`); undefined when it says nothing. */
function readName(raw: string): Hit | undefined {
  // Ansible group names cannot contain dashes, so `tier_1` and `owner_alice` mean the same.
  const t = raw.trim().toLowerCase().replace(/_/g, '-');
  const tier = /^tier[-:]?([1-4])$/.exec(t);
  if (tier) return { field: 'tier', value: Number(tier[1]) };
  if (EXPOSURE_WORDS[t]) return { field: 'exposure', value: EXPOSURE_WORDS[t] };
  if (ENV_WORDS[t]) return { field: 'environment', value: ENV_WORDS[t] };
  const owner = /^owner[-_:](.+)$/i.exec(raw.trim());
  if (owner) return { field: 'owner', value: owner[1]! };
  const env = /^(?:env|environment)[-_:](.+)$/i.exec(raw.trim());
  if (env) return { field: 'environment', value: ENV_WORDS[env[1]!.toLowerCase()] ?? env[1]! };
  return undefined;
}

/** Reads one key/value label (`tier=1`, `exposure=internet`, `owner=alice`, `env=prod`). */
function readPair(key: string, value: string): Hit | undefined {
  const k = key
    .trim()
    .toLowerCase()
    .replace(/^patchwise[-_:.]?/, '');
  const v = value.trim();
  if (k === 'tier') {
    const n = Number(v.replace(/^tier[-_:]?/i, ''));
    return isTier(n) ? { field: 'tier', value: n } : undefined;
  }
  if (k === 'exposure') {
    const e = EXPOSURE_WORDS[v.toLowerCase()];
    return e ? { field: 'exposure', value: e } : undefined;
  }
  if (k === 'owner' && v) return { field: 'owner', value: v };
  if ((k === 'environment' || k === 'env') && v)
    return { field: 'environment', value: ENV_WORDS[v.toLowerCase()] ?? v };
  return undefined;
}

/** True for a key/value label that names tier or exposure (whatever its value says). */
function namesRiskField(key: string): boolean {
  return /^(?:patchwise[-_:.]?)?(?:tier|exposure)$/.test(key.trim().toLowerCase());
}

function combine(hits: { hit?: Hit; source: string; invalid?: boolean }[]): TagClassification {
  const found = new Map<Field, Set<string | number>>();
  const unmatched: string[] = [];
  const invalid: string[] = [];
  for (const { hit, source, invalid: bad } of hits) {
    if (!hit) {
      (bad ? invalid : unmatched).push(source);
      continue;
    }
    if (!found.has(hit.field)) found.set(hit.field, new Set());
    found.get(hit.field)!.add(hit.value);
  }
  const out: TagClassification = { conflicts: [], unmatched, invalid };
  for (const [field, values] of found) {
    if (values.size > 1) {
      out.conflicts.push(`${field}: ${[...values].join(' vs ')}`);
      continue;
    }
    const [v] = [...values];
    if (field === 'tier') out.tier = v as Tier;
    else if (field === 'exposure') out.exposure = v as Exposure;
    else out[field] = String(v);
  }
  return out;
}

/**
 * Maps tag names (Raff VM tags, Ansible group names, DigitalOcean tags) to tier, exposure, owner and
 * environment: `tier-1`..`tier-4` or `tier1`; `internet`/`public`/`internet-facing`, `internal`,
 * `isolated`; `owner-NAME` or `owner:NAME`; `env-NAME`, `production`, `staging`, `dev`. Two tags that
 * disagree leave the field unset and are reported in `conflicts`.
 */
export function mapTagNames(names: readonly string[]): TagClassification {
  return combine(
    names.map((n) => ({ hit: readName(n), source: n, invalid: /^tier[-_:]?\S/i.test(n.trim()) })),
  );
}

/**
 * Maps key/value labels (Terraform tags, Ansible `patchwise_*` vars) to the classification: keys `tier`,
 * `exposure`, `owner`, `environment`/`env` (any case), optionally prefixed `patchwise_`. Values under
 * other keys are ignored: a `Name` tag of `public` says nothing about exposure.
 */
export function mapTagPairs(pairs: Readonly<Record<string, string>>): TagClassification {
  return combine(
    Object.entries(pairs).map(([k, v]) => ({
      hit: readPair(k, v),
      source: `${k}=${v}`,
      invalid: namesRiskField(k),
    })),
  );
}

/**
 * Joins two classifications: `primary` wins field by field (explicit variables over group names, say);
 * conflicts and unmatched tags of both are kept.
 */
export function mergeClassifications(
  primary: TagClassification,
  secondary: TagClassification,
): TagClassification {
  return {
    tier: primary.tier ?? secondary.tier,
    exposure: primary.exposure ?? secondary.exposure,
    owner: primary.owner ?? secondary.owner,
    environment: primary.environment ?? secondary.environment,
    conflicts: [...primary.conflicts, ...secondary.conflicts],
    unmatched: [...primary.unmatched, ...secondary.unmatched],
    invalid: [...primary.invalid, ...secondary.invalid],
  };
}
