import { openStore, type Store } from '../../src/adapters/store/open-store.js';
import { RunStore } from '../../src/adapters/store/run-store.js';
import { resolveRollout } from '../../src/core/rollout/rollout-options.js';
import type { RolloutConfig } from '../../src/core/rollout/run-model.js';
import type { RunHostSpec, RunSpec } from '../../src/core/rollout/run-spec.js';
import { createRun } from '../../src/app/rollout/create-run.js';
import type { RunDeps, RunEvent } from '../../src/app/rollout/run-deps.js';
import { FakeFleet, fakeHost, type FakeHost } from './fake-fleet.js';

/** A host of a fake run: its fake state and what the run does to it. */
export interface FakeRunHost {
  name: string;
  tier?: number;
  state?: Partial<FakeHost>;
  noProvider?: boolean;
  spec?: Partial<RunHostSpec>;
}

/** The spec of a run that brings openssl from 3.0.1-1 to 3.0.2-1 on each host. */
export function fakeSpec(hosts: readonly FakeRunHost[], rollout: RolloutConfig = {}): RunSpec {
  return {
    rollout: resolveRollout({ settleSeconds: 0, rebootTimeoutSeconds: 5, ...rollout }),
    packagesGiven: true,
    emergency: { reason: 'test' },
    hosts: hosts.map((h) => ({
      name: h.name,
      ...(h.tier ? { tier: h.tier } : {}),
      owner: 'ops',
      targets: [{ name: 'openssl', version: '3.0.2-1' }],
      previous: [{ name: 'openssl', version: '3.0.1-1' }],
      vulnIds: [],
      services: [{ name: 'web', unit: 'web.service' }],
      restorePoint: 'required',
      ...(h.noProvider ? {} : { provider: { name: 'fake', id: h.name } }),
      ...h.spec,
    })),
  };
}

/** The injected dependencies of a controller over the fake fleet in `dir`. */
export function fakeDeps(store: Store, fleet: FakeFleet, spec: RunSpec, events: RunEvent[] = []): RunDeps {
  const noProvider = new Set(spec.hosts.filter((h) => !h.provider).map((h) => h.name));
  return {
    store: new RunStore(store.db),
    opsFor: (h) => fleet.ops(h),
    providerFor: (h) => (noProvider.has(h) ? undefined : { provider: fleet.provider(), id: h }),
    rescan: () => Promise.resolve({ open: [] }),
    acknowledged: () => Promise.resolve(true),
    clock: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    onEvent: (e) => events.push(e),
    actor: 'test',
    pid: process.pid,
    pollMs: 1,
  };
}

/** Writes the fake hosts to `dir`, opens the store in `dataDir` and records the run. */
export async function setUpFakeRun(
  dir: string,
  dataDir: string,
  hosts: readonly FakeRunHost[],
  rollout: RolloutConfig = {},
  edit?: (spec: RunSpec) => void,
) {
  const fleet = new FakeFleet(dir);
  for (const h of hosts) fleet.write(h.name, fakeHost(h.state));
  const store = await openStore(dataDir);
  const spec = fakeSpec(hosts, rollout);
  edit?.(spec);
  const runs = new RunStore(store.db);
  const id = await createRun(runs, spec, {
    actor: 'test',
    now: new Date(),
    pid: process.pid,
    kind: 'emergency',
    reason: 'test',
  });
  return { fleet, store, spec, runs, id };
}
