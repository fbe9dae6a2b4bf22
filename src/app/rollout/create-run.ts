import type { RunStore } from '../../adapters/store/run-store.js';
import { orderHosts } from '../../core/rollout/order.js';
import { runId } from '../../core/rollout/run-spec.js';
import type { RunSpec } from '../../core/rollout/run-spec.js';

/** What a new run needs besides its spec. */
export interface NewRun {
  actor: string;
  now: Date;
  pid: number;
  kind: 'window' | 'emergency';
  reason?: string;
}

/**
 * Records a new run: its id, the hosts in the order they start (canaries first, lower tiers first when
 * staged), all `pending`. Returns the id.
 */
export async function createRun(store: RunStore, spec: RunSpec, n: NewRun): Promise<string> {
  const id = runId(n.now, Math.random());
  const r = spec.rollout;
  const order = orderHosts(spec.hosts, { canary: r.canary, batchSize: r.batchSize, staged: r.staged });
  await store.create(
    {
      id,
      createdAt: n.now.toISOString(),
      actor: n.actor,
      kind: n.kind,
      ...(spec.window ? { window: spec.window.name, occurrence: spec.window.occurrence } : {}),
      ...(n.reason ? { reason: n.reason } : {}),
      spec,
      controllerPid: n.pid,
    },
    order.map((o) => ({ host: o.name, position: o.position, batch: o.batch })),
  );
  return id;
}
