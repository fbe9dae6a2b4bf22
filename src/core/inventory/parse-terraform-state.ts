import { defaultLimits, limitExceeded, type Limits } from '../limits/limits.js';
import { HOST_NAME_PATTERN, HOST_NAME_RULE, toHostName } from './host.js';
import { checkCandidate, conflictIssues, withClassification, type ImportResult } from './import-result.js';
import { mapTagNames, mapTagPairs, mergeClassifications, type TagClassification } from './map-tags.js';

/** A resource as `terraform show -json` prints it under `values.root_module`. */
interface TfResource {
  address: string;
  mode?: string;
  type: string;
  name: string;
  provider_name?: string;
  values?: Record<string, unknown>;
}
interface TfModule {
  resources?: TfResource[];
  child_modules?: TfModule[];
}

/** How to read one resource type: the provider name patchwise gives it and where the fields sit. */
interface InstanceReader {
  provider: string;
  publicIp: (v: Record<string, unknown>) => unknown;
  privateIp: (v: Record<string, unknown>) => unknown;
  id?: (v: Record<string, unknown>) => unknown;
  created?: (v: Record<string, unknown>) => unknown;
}

type Nic = { access_config?: { nat_ip?: string }[]; network_ip?: string };
const nic = (v: Record<string, unknown>): Nic | undefined => (v.network_interface as Nic[] | undefined)?.[0];

/** The instance types patchwise knows; other resources are not hosts. */
const READERS: Record<string, InstanceReader> = {
  raff_vm: {
    provider: 'raff',
    publicIp: (v) => v.public_ipv4_address,
    privateIp: (v) => v.private_ipv4_address,
    created: (v) => v.created_at,
  },
  aws_instance: { provider: 'aws', publicIp: (v) => v.public_ip, privateIp: (v) => v.private_ip },
  google_compute_instance: {
    provider: 'gcp',
    publicIp: (v) => nic(v)?.access_config?.[0]?.nat_ip,
    privateIp: (v) => nic(v)?.network_ip,
    id: (v) => v.instance_id ?? v.id,
    created: (v) => v.creation_timestamp,
  },
  azurerm_linux_virtual_machine: {
    provider: 'azure',
    publicIp: (v) => v.public_ip_address,
    privateIp: (v) => v.private_ip_address,
  },
  digitalocean_droplet: {
    provider: 'digitalocean',
    publicIp: (v) => v.ipv4_address,
    privateIp: (v) => v.ipv4_address_private,
    created: (v) => v.created_at,
  },
  hcloud_server: { provider: 'hetzner', publicIp: (v) => v.ipv4_address, privateIp: () => undefined },
};

const text = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

const list = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);

/** Every resource of a module and its children; a loop, so deeply nested JSON cannot exhaust the stack. */
function* walk(root: TfModule): Generator<TfResource> {
  const todo: unknown[] = [root];
  while (todo.length) {
    const m = todo.shift() as TfModule | null;
    if (!m || typeof m !== 'object') continue;
    for (const r of list<TfResource>(m.resources)) if (r && typeof r === 'object') yield r;
    todo.push(...list(m.child_modules));
  }
}

function stringMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (x && typeof x === 'object' && !Array.isArray(x))
    for (const [k, v] of Object.entries(x))
      if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

/** Tags come as maps (AWS, Azure, GCP labels, Hetzner labels) or as name lists (Raff, DigitalOcean). */
function tagsOf(v: Record<string, unknown>): { pairs: Record<string, string>; names: string[] } {
  const names = [v.tags, v.labels].flatMap((t) =>
    Array.isArray(t) ? t.filter((x) => typeof x === 'string') : [],
  );
  return { pairs: { ...stringMap(v.labels), ...stringMap(v.tags) }, names };
}

function candidateOf(
  r: TfResource,
  reader: InstanceReader,
  c: TagClassification,
  pairs: Record<string, string>,
) {
  const v = r.values ?? {};
  const given = pairs.Name ?? (typeof v.name === 'string' ? v.name : undefined);
  // A name someone wrote is used as it is or refused; only the resource address is turned into one.
  const name = given ?? toHostName(r.address.replace(/^.*?([^.]+)$/, '$1')) ?? toHostName(r.address);
  const id = String((reader.id ?? ((x) => x.id))(v) ?? '');
  const publicIp = text(reader.publicIp(v));
  const address = publicIp ?? text(reader.privateIp(v));
  const created = text(reader.created?.(v));
  const candidate: Record<string, unknown> = { name, tags: { ...pairs, 'terraform-address': r.address } };
  if (id) candidate.provider = { name: reader.provider, id };
  if (address) candidate.connection = { ssh: { host: address } };
  if (publicIp) candidate.publicAddress = publicIp;
  if (created) candidate.createdAt = created;
  return withClassification(candidate, c);
}

/**
 * Reads the JSON that `terraform show -json` prints for a state: every managed instance of a known type
 * (raff_vm, aws_instance, google_compute_instance, azurerm_linux_virtual_machine, digitalocean_droplet,
 * hcloud_server) in the root module and child modules becomes a host with provider and provider id.
 * Tag or label keys `tier`, `exposure`, `owner`, `environment`/`env` classify it; tag name lists are
 * read like Raff tags (`tier-1`, `internet`, `owner-alice`).
 */
export function parseTerraformState(
  doc: unknown,
  o: { source?: string; limits?: Limits } = {},
): ImportResult {
  const limit = (o.limits ?? defaultLimits()).hostsPerImport;
  const out: ImportResult = { format: 'terraform-state', hosts: [], issues: [] };
  const d = doc as { values?: { root_module?: TfModule }; planned_values?: unknown };
  if (!d?.values?.root_module) {
    const what = d?.planned_values ? 'a plan, not a state' : 'no values.root_module';
    out.issues.push({
      subject: 'state',
      message: `not a terraform state (${what}); run: terraform show -json`,
    });
    return out;
  }
  for (const r of walk(d.values.root_module)) {
    const reader = Object.hasOwn(READERS, r.type) ? READERS[r.type] : undefined;
    if (!reader || (r.mode ?? 'managed') !== 'managed') continue;
    const address = String(r.address);
    const { pairs, names } = tagsOf(r.values ?? {});
    const c = mergeClassifications(mapTagPairs(pairs), mapTagNames(names));
    out.issues.push(...conflictIssues(address, c));
    const candidate = candidateOf({ ...r, address }, reader, c, pairs);
    if (typeof candidate.name !== 'string' || !HOST_NAME_PATTERN.test(candidate.name)) {
      const shown = JSON.stringify(String(candidate.name ?? '').slice(0, 80));
      out.issues.push({
        subject: address,
        message: `skipped: name ${shown} is not a valid host name (${HOST_NAME_RULE})`,
      });
      continue;
    }
    if (out.hosts.length >= limit)
      throw limitExceeded('hostsPerImport', limit, o.source ?? 'state', `resource ${address}`);
    const res = checkCandidate(address, candidate);
    if ('host' in res) out.hosts.push(res.host);
    else out.issues.push(res.issue);
  }
  return out;
}
