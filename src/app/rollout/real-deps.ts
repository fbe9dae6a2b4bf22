import { hostOpsFor } from '../../adapters/patching/host-ops-for.js';
import type { HostOps } from '../../adapters/patching/host-ops.js';
import { restorePointProviderFor } from '../../adapters/providers/providers.js';
import type { RestorePointProvider } from '../../adapters/providers/restore-point.js';
import { RunStore } from '../../adapters/store/run-store.js';
import { WindowEventStore } from '../../adapters/store/window-event-store.js';
import { transportFactory } from '../../adapters/transport/transport-for-host.js';
import { OperationalError } from '../../core/errors.js';
import type { Host } from '../../core/inventory/host.js';
import type { OsFamily } from '../../core/inventory/os-families.js';
import { scanHost } from '../fleet-scan.js';
import { FleetRun } from '../fleet-pipeline.js';
import type { Inventory, InventoryInputs } from '../inventory.js';
import { Notifier, runNotifier } from '../notify.js';
import { recordScan } from '../record-scan.js';
import type { OpsFactory } from './plan-run.js';
import type { RunDeps, RunEvent } from './run-deps.js';

/**
 * The real adapters behind a run, from the inventory: each host's `HostOps` (`hostOpsFor` over the
 * transport its connection names), its restore point provider (`restorePointProviderFor` of its
 * `provider.name` entry under `providers:`), and `rescan` (scan the host, record the scan, decide it
 * through the fleet pipeline, and list which targeted findings are still open).
 */
export function realOpsFactory(inputs: InventoryInputs & { dataDir: string }, inv: Inventory): OpsFactory {
  const transportFor = transportFactory(inputs.dataDir, inv.config.config.ssh ?? {});
  return (host: Host, family: OsFamily): HostOps => {
    const t = transportFor(host);
    if (!t) throw new OperationalError('no-connection', `${host.name} has no connection in the inventory.`);
    return hostOpsFor(family, t);
  };
}

/** The run controller's dependencies over the real adapters. */
export async function realRunDeps(
  inputs: InventoryInputs & { dataDir: string; env: NodeJS.ProcessEnv },
  inv: Inventory,
  families: Readonly<Record<string, OsFamily | undefined>>,
  o: { actor: string; onEvent: (e: RunEvent) => void; clock?: () => Date },
): Promise<RunDeps> {
  const store = await inputs.openStore();
  const byName = new Map(inv.hosts.map((h) => [h.name, h]));
  const opsFactory = realOpsFactory(inputs, inv);
  const transportFor = transportFactory(inputs.dataDir, inv.config.config.ssh ?? {});
  const ops = new Map<string, HostOps>();
  const providers = new Map<string, RestorePointProvider>();
  const host = (name: string) => {
    const h = byName.get(name);
    if (!h) throw new OperationalError('run-host-gone', `${name} is no longer in the inventory.`);
    return h;
  };
  const clock = o.clock ?? (() => new Date());
  return {
    store: new RunStore(store.db),
    opsFor: (name) => {
      let x = ops.get(name);
      if (!x) {
        const family = families[name] ?? 'debian';
        x = opsFactory(host(name), family);
        ops.set(name, x);
      }
      return x;
    },
    providerFor: (name) => {
      const p = byName.get(name)?.provider;
      const cfg = p ? inv.config.config.providers[p.name] : undefined;
      if (!p || !cfg) return undefined;
      let x = providers.get(p.name);
      if (!x) {
        x = restorePointProviderFor(p.name, cfg, inputs.env);
        providers.set(p.name, x);
      }
      return { provider: x, id: p.id };
    },
    rescan: async (name, vulnIds) => {
      const t = transportFor(host(name));
      if (!t) throw new OperationalError('no-connection', `${name} has no connection in the inventory.`);
      const outcome = await scanHost(t, name, { now: clock() });
      const r = await recordScan(store, outcome);
      if (r.status !== 'ok')
        throw new OperationalError(
          'rescan-failed',
          `The rescan of ${name} failed: ${r.message ?? r.status}.`,
        );
      const run = await FleetRun.open(inputs, { inventory: inv, hosts: [name], now: clock() });
      const open = new Set<string>();
      for await (const fh of run.hosts())
        for (const p of fh.decided!.rollup.packages) p.vulnIds.forEach((v) => open.add(v));
      return { open: vulnIds.filter((v) => open.has(v)) };
    },
    acknowledged: async (window, occurrence) => {
      const events = await new WindowEventStore(store.db).list(window);
      return events.some((e) => e.event === 'acknowledged' && e.occurrence === occurrence);
    },
    clock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    onEvent: o.onEvent,
    ...(inv.config.config.notifications.length
      ? {
          notifier: runNotifier(
            new Notifier(store.db, inv.config.config.notifications, { env: inputs.env, clock }),
          ),
        }
      : {}),
    actor: o.actor,
    pid: process.pid,
  };
}
