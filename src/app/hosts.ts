import { HostStore } from '../adapters/store/host-store.js';
import { UserError } from '../core/errors.js';
import { EXPOSURES, HostSchema, TIERS, classificationGaps, type Host } from '../core/inventory/host.js';
import { loadConfigOrEmpty, loadInventory, type InventoryInputs } from './inventory.js';

/** `hosts add` flags, as typed. */
export interface AddHostInput {
  name: string;
  tier?: string;
  exposure?: string;
  owner?: string;
  env?: string;
  ssh?: string;
  jump?: string;
  local?: boolean;
  tags?: string[];
  services?: string[];
}

/** `USER@ADDR[:PORT]`, `ADDR`, `USER@[v6]:PORT` -> the ssh connection fields. */
export function parseSshTarget(text: string): { host: string; user?: string; port?: number } {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (port !== undefined && (port < 1 || port > 65535)))
    throw new UserError(
      'bad-ssh-target',
      `"${text}" is not an SSH target.`,
      'Write USER@ADDRESS[:PORT], e.g. --ssh root@203.0.113.10:22 (an ~/.ssh/config alias works as ADDRESS).',
    );
  return {
    host: m[2]!.replace(/^\[(.*)\]$/, '$1'),
    ...(m[1] ? { user: m[1] } : {}),
    ...(port ? { port } : {}),
  };
}

function keyValues(list: string[] | undefined, flag: string, example: string): [string, string][] {
  return (list ?? []).map((kv) => {
    const i = kv.indexOf('=');
    if (i < 1)
      throw new UserError(
        'bad-key-value',
        `${flag} "${kv}" is not KEY=VALUE.`,
        `For example: ${flag} ${example}`,
      );
    return [kv.slice(0, i), kv.slice(i + 1)];
  });
}

function tierOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(TIERS as readonly number[]).includes(n))
    throw new UserError(
      'bad-tier',
      `--tier must be 1, 2, 3 or 4 (got "${text}").`,
      'Tier 1 is production/critical, 2 important, 3 internal or development, 4 archived/low value.',
    );
  return n;
}

function exposureOf(text: string | undefined): string | undefined {
  if (text !== undefined && !(EXPOSURES as readonly string[]).includes(text))
    throw new UserError(
      'bad-exposure',
      `--exposure must be internet, internal or isolated (got "${text}").`,
      'internet: reachable from the internet; internal: private network only; isolated: no network path in.',
    );
  return text;
}

/** Builds and validates the host record `hosts add` stores. */
export function hostFromFlags(input: AddHostInput): Host {
  if (input.local && input.ssh)
    throw new UserError('bad-connection', 'Give either --ssh or --local, not both.');
  if (input.jump && !input.ssh)
    throw new UserError(
      'bad-connection',
      '--jump needs --ssh.',
      'e.g. --ssh root@10.0.0.5 --jump admin@bastion.example.com',
    );
  const ssh = input.ssh
    ? { ...parseSshTarget(input.ssh), ...(input.jump ? { jump: input.jump } : {}) }
    : undefined;
  const services = keyValues(input.services, '--service', 'web=http://10.0.0.5:8080/health').map(
    ([name, url]) =>
      /^[^:/\s]+:\d+$/.test(url)
        ? { name, tcp: url }
        : /^[a-z]+:\/\//.test(url)
          ? { name, http: url }
          : { name, unit: url },
  );
  const candidate = {
    name: input.name,
    connection: input.local ? { local: true } : ssh ? { ssh } : undefined,
    tier: tierOf(input.tier),
    exposure: exposureOf(input.exposure),
    owner: input.owner,
    environment: input.env,
    services,
    tags: Object.fromEntries(keyValues(input.tags, '--tag', 'role=web')),
  };
  const r = HostSchema.safeParse(candidate);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new UserError(
    'bad-host',
    `${i.path.join('.') || 'host'}: ${i.message}.`,
    'See `patchwise hosts add --help` for the accepted forms.',
  );
}

/** Adds a host to the store. A name the configuration or the store already has is refused. */
export async function addHost(inputs: InventoryInputs, input: AddHostInput, now: string) {
  const host = hostFromFlags(input);
  const config = loadConfigOrEmpty(inputs);
  const o = config.origins.get(host.name);
  if (o)
    throw new UserError(
      'host-in-config',
      `Host "${host.name}" is already defined in ${o.file}:${o.line}.`,
      'Edit it there; the configuration wins over the store.',
    );
  const store = new HostStore((await inputs.openStore()).db);
  if (await store.get(host.name))
    throw new UserError(
      'host-exists',
      `Host "${host.name}" is already in the inventory.`,
      `Remove it first (patchwise hosts remove ${host.name}) or pick another name.`,
    );
  await store.upsert(host, now);
  return { host, gaps: classificationGaps(host) };
}

/** Removes a stored host. Hosts written in patchwise.yaml are removed there, not here. */
export async function removeHost(inputs: InventoryInputs, name: string) {
  const config = loadConfigOrEmpty(inputs);
  const store = new HostStore((await inputs.openStore()).db);
  const removed = await store.remove(name);
  const o = config.origins.get(name);
  if (!removed && o)
    throw new UserError(
      'host-in-config',
      `Host "${name}" is defined in ${o.file}:${o.line}, not in the store.`,
      'Delete it from that file.',
    );
  if (!removed)
    throw new UserError('host-unknown', `No host named "${name}" in the store.`, 'See: patchwise hosts list');
  return { name, stillInConfig: o ? `${o.file}:${o.line}` : undefined };
}

/** One row of `hosts list`. */
export interface HostRow {
  name: string;
  connection: string;
  os?: string;
  tier?: number;
  exposure?: string;
  owner?: string;
  environment?: string;
  source: string;
  provider?: { name: string; id: string };
  flags: string[];
  host: Host;
}

function describeConnection(h: Host): string {
  const c = h.connection;
  if (!c) return '';
  if ('local' in c) return 'local';
  const { user, host, port, jump } = c.ssh;
  return `${user ? `${user}@` : ''}${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}${jump ? ` via ${jump}` : ''}`;
}

/** The rows `hosts list` prints: inventory hosts with OS from their latest scan and their flags. */
export async function listHosts(inputs: InventoryInputs): Promise<{ rows: HostRow[]; warnings: string[] }> {
  const inv = await loadInventory(inputs);
  const osByHost = await new HostStore((await inputs.openStore()).db).latestOs(inv.hosts.map((h) => h.name));
  const rows = inv.entries.map((e): HostRow => {
    const h = e.host;
    return {
      name: h.name,
      connection: describeConnection(h),
      os: osByHost.get(h.name) ?? h.os,
      tier: h.tier,
      exposure: h.exposure,
      owner: h.owner,
      environment: h.environment,
      source: e.source === 'config' ? 'config' : (h.provider?.name ?? 'store'),
      provider: h.provider,
      flags: e.gaps,
      host: h,
    };
  });
  return { rows, warnings: inv.warnings };
}
