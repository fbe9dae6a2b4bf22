import fs from 'node:fs';
import { resolveRaffSettings, discoverRaffHosts } from '../adapters/providers/raff/raff-discovery.js';
import type { RaffClientOptions } from '../adapters/providers/raff/raff-client.js';
import { HostStore, type UpsertOutcome } from '../adapters/store/host-store.js';
import { UserError } from '../core/errors.js';
import { defaultLimits, resolveLimits, type Limits } from '../core/limits/limits.js';
import { classificationGaps, type Host } from '../core/inventory/host.js';
import type { ImportIssue, ImportResult } from '../core/inventory/import-result.js';
import { parseAnsibleInventory } from '../core/inventory/parse-ansible-inventory.js';
import { parseTerraformState } from '../core/inventory/parse-terraform-state.js';
import { reconcile } from '../core/inventory/reconcile.js';
import { loadInventory, type Inventory, type InventoryInputs } from './inventory.js';

/** What `hosts import` did (or, with --dry-run, would do). */
export interface ImportReport {
  from: string;
  format: ImportResult['format'];
  dryRun: boolean;
  added: string[];
  updated: string[];
  unchanged: string[];
  /** listed, but the configuration defines the host (the configuration wins) */
  skipped: { name: string; reason: string }[];
  issues: ImportIssue[];
  /** imported hosts still lacking tier, exposure or owner */
  flagged: { name: string; gaps: string[] }[];
  /** cloud imports only */
  reconciliation?: {
    provider: string;
    unmanaged: { name: string; id?: string; address?: string; createdAt?: string; gaps: string[] }[];
    gone: { name: string; id: string; source: string }[];
  };
}

/** Reads an inventory file, telling Terraform JSON from Ansible INI/YAML by its content. */
export function parseInventoryFile(file: string, limits: Limits = defaultLimits()): ImportResult {
  let text: string;
  try {
    if (!fs.statSync(file).isFile())
      throw new UserError(
        'file-not-regular',
        `${file} is not a regular file (a directory, FIFO or device); not read.`,
        'Save the inventory to a file and import that.',
      );
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      'file-unreadable',
      `Cannot read ${file} (${(e as NodeJS.ErrnoException).code}).`,
      'Check the path.',
      { cause: e },
    );
  }
  if (/^\s*\{/.test(text)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new UserError(
        'bad-json',
        `${file} starts like JSON but does not parse (${(e as Error).message}).`,
        'Save the output of `terraform show -json` to a file and import that.',
        { cause: e },
      );
    }
    const r = parseTerraformState(doc, { source: file, limits });
    if (!r.hosts.length && r.issues.some((i) => i.subject === 'state'))
      throw new UserError(
        'not-terraform-state',
        `${file}: ${r.issues[0]!.message}.`,
        'Run `terraform show -json > state.json` in the Terraform directory (not `terraform show -json PLANFILE`).',
      );
    return r;
  }
  return parseAnsibleInventory(text, { source: file, limits });
}

/**
 * Folds an imported record into the stored one: what the import knows replaces, what it does not know
 * is kept (an owner set by hand survives a re-import of an untagged VM). Tags merge; the stored name stays.
 */
export function mergeImported(existing: Host | undefined, incoming: Host): Host {
  if (!existing) return incoming;
  const merged: Record<string, unknown> = { ...existing };
  for (const [k, v] of Object.entries(incoming)) if (v !== undefined) merged[k] = v;
  merged.name = existing.name;
  merged.tags = { ...existing.tags, ...incoming.tags };
  merged.services = incoming.services.length ? incoming.services : existing.services;
  const [a, b] = [existing.connection, incoming.connection];
  if (a && b && 'ssh' in a && 'ssh' in b) merged.connection = { ssh: { ...a.ssh, ...b.ssh } };
  return merged as Host;
}

function findExisting(inv: Inventory, h: Host) {
  const byId =
    h.provider &&
    inv.entries.find(
      (e) => e.host.provider?.name === h.provider!.name && e.host.provider?.id === h.provider!.id,
    );
  if (byId) return { entry: byId, byId: true };
  const byName = inv.entries.find((e) => e.host.name === h.name);
  return byName && { entry: byName, byId: false };
}

function describeConnection(h: Host): string | undefined {
  const c = h.connection;
  if (!c) return undefined;
  if ('local' in c) return 'local';
  const { user, host, port, jump } = c.ssh;
  return `${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}${jump ? ` via ${jump}` : ''}`;
}

/**
 * What an import would change in a stored host's identity or classification (connection, provider id,
 * tier, exposure, owner, environment), in words; empty when it only adds what the host lacked.
 */
export function replacedFields(existing: Host, merged: Host): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['connection', describeConnection(existing), describeConnection(merged)],
    [
      'provider',
      existing.provider && `${existing.provider.name}:${existing.provider.id}`,
      merged.provider && `${merged.provider.name}:${merged.provider.id}`,
    ],
    ['tier', existing.tier, merged.tier],
    ['exposure', existing.exposure, merged.exposure],
    ['owner', existing.owner, merged.owner],
    ['environment', existing.environment, merged.environment],
  ];
  return pairs
    .filter(([, a, b]) => a !== undefined && a !== b)
    .map(([k, a, b]) => `${k} ${String(a)} -> ${String(b)}`);
}

/** Upserts every host in one transaction, so an interrupted import leaves the store as it was. */
async function apply(
  inputs: InventoryInputs,
  inv: Inventory,
  result: ImportResult,
  o: Pick<ImportOptions, 'dryRun' | 'now' | 'replace'>,
) {
  const { db } = await inputs.openStore();
  if (o.dryRun) return applyWith(undefined, inv, result, o);
  return db.transaction().execute((tx) => applyWith(new HostStore(tx), inv, result, o));
}

async function applyWith(
  store: HostStore | undefined,
  inv: Inventory,
  result: ImportResult,
  o: Pick<ImportOptions, 'now' | 'replace'>,
) {
  const report = {
    added: [] as string[],
    updated: [] as string[],
    unchanged: [] as string[],
    skipped: [] as ImportReport['skipped'],
    flagged: [] as ImportReport['flagged'],
  };
  const seen = new Set<string>();
  for (const incoming of result.hosts) {
    const found = findExisting(inv, incoming);
    const existing = found?.entry;
    if (existing?.source === 'config') {
      report.skipped.push({
        name: existing.host.name,
        reason: `defined in ${existing.origin ?? 'the configuration'}`,
      });
      continue;
    }
    const merged = mergeImported(existing?.host, incoming);
    if (seen.has(merged.name)) {
      report.skipped.push({
        name: merged.name,
        reason: 'listed twice in this import; the first entry was used',
      });
      continue;
    }
    seen.add(merged.name);
    const replaced = existing && !found.byId ? replacedFields(existing.host, merged) : [];
    if (replaced.length && !o.replace) {
      report.skipped.push({
        name: merged.name,
        reason: `would replace the stored host of that name (${replaced.join('; ')}); pass --replace to replace it`,
      });
      continue;
    }
    const outcome: UpsertOutcome = !store
      ? existing
        ? JSON.stringify(existing.host) === JSON.stringify(merged)
          ? 'unchanged'
          : 'updated'
        : 'added'
      : await store.upsert(merged, o.now);
    report[outcome].push(merged.name);
    const gaps = classificationGaps(merged);
    if (gaps.length) report.flagged.push({ name: merged.name, gaps });
  }
  return report;
}

/** Options for `hosts import`. */
export interface ImportOptions {
  file?: string;
  from?: string;
  project?: string;
  dryRun: boolean;
  /** replace stored hosts whose connection, provider or classification the import changes */
  replace?: boolean;
  now: string;
  env: NodeJS.ProcessEnv;
  client?: Partial<RaffClientOptions>;
  onPage?: (got: number, total?: number) => void;
}

/**
 * `hosts import FILE` (Ansible INI/YAML, `terraform show -json`) or `hosts import --from raff`: upserts
 * the hosts into the store and, for a cloud listing, reconciles it with the inventory as it was before
 * the import: VMs it lacked are unmanaged; provider-linked hosts whose VM is gone are reported.
 */
export async function importHosts(inputs: InventoryInputs, o: ImportOptions): Promise<ImportReport> {
  if (!o.file === !o.from)
    throw new UserError(
      'import-source',
      'Give either a FILE or --from PROVIDER.',
      'e.g. patchwise hosts import inventory.ini, or patchwise hosts import --from raff',
    );
  const inv = await loadInventory(inputs);
  let result: ImportResult;
  let settings: ReturnType<typeof resolveRaffSettings> | undefined;
  const limits = resolveLimits(o.env);
  if (o.file) result = parseInventoryFile(o.file, limits);
  else {
    settings = resolveRaffSettings(inv.config.config, o.from!, o.env, o.project);
    result = await discoverRaffHosts(settings, o.client, o.onPage);
  }
  const applied = await apply(inputs, inv, result, o);
  const report: ImportReport = {
    from: o.file ?? o.from!,
    format: result.format,
    dryRun: o.dryRun,
    ...applied,
    issues: result.issues,
  };
  if (settings) {
    // A listing limited to one project says nothing about hosts recorded from another project.
    const pid = settings.projectId;
    const scope = inv.hosts.filter((h) => !pid || !h.tags['raff-project'] || h.tags['raff-project'] === pid);
    const r = reconcile(scope, result.hosts, settings.providerName);
    report.reconciliation = {
      provider: settings.providerName,
      unmanaged: r.unmanaged.map((h) => ({
        name: h.name,
        id: h.provider?.id,
        address: h.publicAddress,
        createdAt: h.createdAt,
        gaps: classificationGaps(h),
      })),
      gone: r.gone.map((h) => ({
        name: h.name,
        id: h.provider!.id,
        source: inv.entries.find((e) => e.host === h)?.origin ?? 'store',
      })),
    };
  }
  return report;
}
