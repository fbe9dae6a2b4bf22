import fs from 'node:fs';
import type { Config, ProviderConfig } from '../../../core/config/config-schema.js';
import { UserError } from '../../../core/errors.js';
import { toHostName } from '../../../core/inventory/host.js';
import {
  checkCandidate,
  conflictIssues,
  withClassification,
  type ImportResult,
} from '../../../core/inventory/import-result.js';
import { mapTagNames } from '../../../core/inventory/map-tags.js';
import { RaffClient, type RaffClientOptions, type RaffVm } from './raff-client.js';

export const RAFF_DEFAULT_URL = 'https://api.rafftechnologies.com';

/** Where discovery reads from: the provider entry's name and its resolved settings. */
export interface RaffSettings {
  providerName: string;
  baseUrl: string;
  apiKey: string;
  projectId?: string;
  /** where the key came from, for messages (`$RAFF_API_KEY`, a file path), never the key */
  keySource: string;
}

function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UserError(
      'raff-key-file',
      `Cannot read the Raff API key file ${file} (${(e as NodeJS.ErrnoException).code}).`,
      'Check apiKeyFile in patchwise.yaml and the file permissions.',
      { cause: e },
    );
  }
}

type RaffEntry = Extract<ProviderConfig, { kind: 'raff' }>;

/**
 * The API key of a raff provider entry (or of none): its `apiKeyEnv`, its `apiKeyFile`, or
 * `$RAFF_API_KEY`, with where it came from (for messages; never the key).
 */
export function resolveRaffKey(
  e: RaffEntry | undefined,
  env: NodeJS.ProcessEnv,
): { apiKey: string; keySource: string } {
  let apiKey: string | undefined;
  let keySource = '$RAFF_API_KEY';
  if (e?.apiKeyEnv && env[e.apiKeyEnv]) [apiKey, keySource] = [env[e.apiKeyEnv], `$${e.apiKeyEnv}`];
  else if (e?.apiKeyFile) [apiKey, keySource] = [readKeyFile(e.apiKeyFile), e.apiKeyFile];
  else apiKey = env.RAFF_API_KEY;
  if (!apiKey)
    throw new UserError(
      'raff-no-key',
      `No Raff API key: ${e?.apiKeyEnv ? `$${e.apiKeyEnv} and ` : ''}$RAFF_API_KEY are empty.`,
      'Export RAFF_API_KEY=... (or set apiKeyEnv/apiKeyFile on the provider). Keys are never accepted on the command line.',
    );
  return { apiKey, keySource };
}

function checkProjectId(projectId: string | undefined): void {
  if (
    projectId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(projectId)
  )
    throw new UserError(
      'raff-project',
      `The Raff project id "${projectId}" is not a UUID.`,
      'Copy the project id from the Raff console (Projects).',
    );
}

/**
 * Resolves the Raff settings for `--from NAME`: the `providers:` entry of that name (kind raff), or
 * built-in defaults when NAME is `raff` and no entry exists. The key comes from the entry's `apiKeyEnv`,
 * its `apiKeyFile`, or `$RAFF_API_KEY`, never from the command line.
 */
export function resolveRaffSettings(
  config: Config,
  from: string,
  env: NodeJS.ProcessEnv,
  projectOverride?: string,
): RaffSettings {
  const entry = config.providers[from];
  if (entry && entry.kind !== 'raff')
    throw new UserError(
      'provider-kind',
      `Provider "${from}" is of kind ${entry.kind}, not raff.`,
      'Use --from with a provider of kind raff.',
    );
  if (!entry && from !== 'raff')
    throw new UserError(
      'provider-unknown',
      `No provider named "${from}" under providers: in the configuration.`,
      'Add it (kind: raff), or use --from raff.',
    );
  const e = entry?.kind === 'raff' ? entry : undefined;
  const { apiKey, keySource } = resolveRaffKey(e, env);
  const projectId = projectOverride ?? e?.projectId;
  checkProjectId(projectId);
  return {
    providerName: from,
    baseUrl: e?.baseUrl ?? env.RAFF_API_URL ?? RAFF_DEFAULT_URL,
    apiKey,
    projectId,
    keySource,
  };
}

/** One VM as an inventory host: provider id, public address, created_at, and tags read as classification. */
function vmToCandidate(vm: RaffVm, providerName: string, name: string) {
  const tagNames = (vm.tags ?? []).map((t) => t.name);
  const c = mapTagNames(tagNames);
  const address = vm.public_ipv4_address || vm.private_ipv4_address || undefined;
  const tags: Record<string, string> = {};
  if (tagNames.length) tags['raff-tags'] = tagNames.join(',');
  if (vm.template_name)
    tags['raff-template'] = [vm.template_name, vm.template_version].filter(Boolean).join(' ');
  if (vm.project_id) tags['raff-project'] = vm.project_id;
  const candidate: Record<string, unknown> = {
    name,
    provider: { name: providerName, id: vm.id },
    createdAt: vm.created_at,
    tags,
  };
  if (address) candidate.connection = { ssh: { host: address } };
  if (vm.public_ipv4_address) candidate.publicAddress = vm.public_ipv4_address;
  return { candidate: withClassification(candidate, c), c };
}

/** Turns listed VMs into hosts; VMs whose names clash get the start of their id appended. */
export function raffVmsToHosts(vms: readonly RaffVm[], providerName: string): ImportResult {
  const out: ImportResult = { format: 'raff', hosts: [], issues: [] };
  const used = new Set<string>();
  for (const vm of vms) {
    let name = toHostName(vm.name) ?? `raff-${vm.id.slice(0, 8)}`;
    if (used.has(name)) {
      out.issues.push({
        subject: vm.name,
        message: `another VM is also named "${name}"; this one is recorded as ${name}-${vm.id.slice(0, 8)}`,
      });
      name = `${name}-${vm.id.slice(0, 8)}`;
    }
    used.add(name);
    const { candidate, c } = vmToCandidate(vm, providerName, name);
    out.issues.push(...conflictIssues(name, c));
    const r = checkCandidate(name, candidate);
    if ('host' in r) out.hosts.push(r.host);
    else out.issues.push(r.issue);
  }
  return out;
}

/** Lists the project's VMs through the API and returns them as hosts. */
export async function discoverRaffHosts(
  settings: RaffSettings,
  options: Partial<RaffClientOptions> = {},
  onPage?: (got: number, total?: number) => void,
): Promise<ImportResult> {
  const client = new RaffClient({
    ...options,
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    projectId: settings.projectId,
  });
  const vms = await client.listVms(onPage);
  return raffVmsToHosts(vms, settings.providerName);
}
