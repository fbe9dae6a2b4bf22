import fs from 'node:fs';
import { emptyConfig, loadConfig, type LoadedConfig } from '../adapters/config/load-config.js';
import { HostStore } from '../adapters/store/host-store.js';
import type { Store } from '../adapters/store/open-store.js';
import { UserError } from '../core/errors.js';
import { resolveLimits } from '../core/limits/limits.js';
import { classificationGaps, type Host } from '../core/inventory/host.js';
import { currentActor } from './actor.js';
import { recordConfigChange } from './audit.js';

/** Where a host of the inventory is recorded. */
export type HostSource = 'config' | 'store';

/** One host with where it came from and what its classification lacks. */
export interface InventoryEntry {
  host: Host;
  source: HostSource;
  /** `patchwise.yaml:14` for configuration hosts */
  origin?: string;
  /** `no tier`, `no exposure`, `no owner`; empty when fully classified */
  gaps: string[];
  /** when the host was added to the store, for stored hosts */
  addedAt?: string;
}

/** The whole inventory: configuration hosts plus stored hosts, the configuration winning a clash. */
export interface Inventory {
  config: LoadedConfig;
  hosts: Host[];
  entries: InventoryEntry[];
  /** hosts lacking tier, exposure or owner: shown everywhere, never defaulted */
  flagged: { name: string; gaps: string[] }[];
  warnings: string[];
}

/** What loading the inventory needs; CliContext provides all of it. */
export interface InventoryInputs {
  configPath: string;
  /** true when the user named the file (--config or $PATCHWISE_CONFIG), so a missing file is an error */
  configExplicit: boolean;
  openStore: () => Promise<Store>;
  cwd?: string;
  /** where `PATCHWISE_LIMIT_*` variables are read (the process environment when absent) */
  env?: Record<string, string | undefined>;
}

/** The configuration, or an empty one when the default ./patchwise.yaml does not exist. */
export function loadConfigOrEmpty(
  inputs: Pick<InventoryInputs, 'configPath' | 'configExplicit' | 'cwd' | 'env'>,
): LoadedConfig {
  if (!inputs.configExplicit && !fs.existsSync(inputs.configPath)) return emptyConfig(inputs.configPath);
  const { yamlAliases } = resolveLimits(inputs.env ?? process.env);
  return loadConfig(inputs.configPath, inputs.cwd, { maxAliases: yamlAliases });
}

/**
 * Loads the inventory every command works on: hosts from patchwise.yaml (and its includes) and hosts
 * from the store (`hosts add`, `hosts import`). A name in both uses the configuration's record, with a
 * warning. Hosts lacking tier, exposure or owner are listed in `flagged`.
 */
export async function loadInventory(inputs: InventoryInputs): Promise<Inventory> {
  const config = loadConfigOrEmpty(inputs);
  const warnings = [...config.warnings];
  const entries: InventoryEntry[] = config.config.hosts.map((host) => {
    const o = config.origins.get(host.name);
    return {
      host,
      source: 'config',
      origin: o ? `${o.file}:${o.line}` : undefined,
      gaps: classificationGaps(host),
    };
  });
  const store = await inputs.openStore();
  // A changed configuration is a decision too: one indexed read per load, a write only when it changed.
  if (fs.existsSync(config.path))
    await recordConfigChange(store.db, config, currentActor(inputs.env ?? process.env), new Date());
  const stored = await new HostStore(store.db).list();
  for (const bad of stored.invalid)
    warnings.push(`stored host "${bad.name}" is unreadable (${bad.reason}); re-add it.`);
  for (const s of stored.hosts) {
    const c = config.origins.get(s.host.name);
    if (c) {
      warnings.push(
        `host "${s.host.name}" is in ${c.file}:${c.line} and in the store; using the configuration (drop the stored copy with: patchwise hosts remove ${s.host.name}).`,
      );
      continue;
    }
    entries.push({ host: s.host, source: 'store', gaps: classificationGaps(s.host), addedAt: s.createdAt });
  }
  entries.sort((a, b) => a.host.name.localeCompare(b.host.name));
  return {
    config,
    hosts: entries.map((e) => e.host),
    entries,
    flagged: entries.filter((e) => e.gaps.length).map((e) => ({ name: e.host.name, gaps: e.gaps })),
    warnings,
  };
}

/** The inventory host named `name`, or a UserError listing a few names that exist. */
export function requireHost(inv: Inventory, name: string): InventoryEntry {
  const e = inv.entries.find((x) => x.host.name === name);
  if (e) return e;
  const some = inv.entries.slice(0, 5).map((x) => x.host.name);
  throw new UserError(
    'host-unknown',
    `No host named "${name}" in the inventory.`,
    some.length
      ? `Known hosts include: ${some.join(', ')}. See: patchwise hosts list`
      : 'Add one with: patchwise hosts add NAME --tier N --exposure E --owner O --ssh USER@ADDR',
  );
}

/** The inventory host named `name`, if any (for `scan --name`, which attaches to an existing host). */
export function findHost(inv: Inventory, name: string): InventoryEntry | undefined {
  return inv.entries.find((x) => x.host.name === name);
}
