import type { Host } from './host.js';

/** What a cloud listing says about the inventory. */
export interface Reconciliation {
  /** Inventory hosts found in the listing, by provider id, or by name when the host had no provider. */
  matched: { host: Host; found: Host; by: 'provider-id' | 'name' }[];
  /** In the cloud, not in the inventory: the forgotten machines nobody patches. */
  unmanaged: Host[];
  /** In the inventory with this provider, but the cloud no longer has the VM. */
  gone: Host[];
}

/**
 * Compares the inventory with what a provider listed. `providerName` is the `providers:` entry the
 * listing came from; only inventory hosts linked to it can be "gone". A host without any provider is
 * matched by name, so a host written by hand is not reported as unmanaged once it is in the cloud.
 */
export function reconcile(
  inventory: readonly Host[],
  listed: readonly Host[],
  providerName: string,
): Reconciliation {
  const byId = new Map<string, Host>();
  const byName = new Map<string, Host>();
  for (const h of inventory) {
    if (h.provider?.name === providerName) byId.set(h.provider.id, h);
    else if (!h.provider) byName.set(h.name, h);
  }
  const out: Reconciliation = { matched: [], unmanaged: [], gone: [] };
  const seen = new Set<Host>();
  for (const found of listed) {
    const id = found.provider?.id;
    const viaId = id === undefined ? undefined : byId.get(id);
    const viaName = viaId ? undefined : byName.get(found.name);
    const host = viaId ?? viaName;
    if (!host || seen.has(host)) {
      out.unmanaged.push(found);
      continue;
    }
    seen.add(host);
    out.matched.push({ host, found, by: viaId ? 'provider-id' : 'name' });
  }
  for (const h of byId.values()) if (!seen.has(h)) out.gone.push(h);
  return out;
}
