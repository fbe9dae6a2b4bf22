import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/adapters/store/open-store.js';
import { DeferralStore } from '../src/adapters/store/deferral-store.js';
import { heldByOther } from '../src/app/rollout/run-app.js';
import { rollbackHosts, runController } from '../src/app/rollout/run-controller.js';
import { tempDir } from './helpers/cli.js';
import { fakeDeps, setUpFakeRun } from './helpers/fake-run.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('run controller: by hand, liveness and the log', () => {
  it('rolls a verified host back by hand to its restore point', async () => {
    const set = await setUpFakeRun(tempDir(), tempDir(), [{ name: 'web1' }]);
    stores.push(set.store);
    const deps = fakeDeps(set.store, set.fleet, set.spec);
    await runController(set.id, deps);
    expect(set.fleet.read('web1').installed.openssl).toBe('3.0.2-1');
    const r = await rollbackHosts(set.id, ['web1'], deps);
    expect(r).toEqual([{ host: 'web1', state: 'rolled-back', reason: 'rolled back by hand' }]);
    expect(set.fleet.read('web1').installed.openssl).toBe('3.0.1-1');
    await expect(rollbackHosts(set.id, ['nope'], deps)).rejects.toThrow(/not a host of run/);
  });

  it('logs the run, each step and its end in the decision log', async () => {
    const set = await setUpFakeRun(tempDir(), tempDir(), [{ name: 'web1' }]);
    stores.push(set.store);
    await runController(set.id, fakeDeps(set.store, set.fleet, set.spec));
    const log = await new DeferralStore(set.store.db).log();
    expect(log[0]).toMatchObject({ event: 'run-started', subject: set.id, actor: 'test' });
    expect(log.filter((e) => e.event === 'run-step' && e.subject === `${set.id}/web1`)).toHaveLength(6);
    expect(log.at(-1)).toMatchObject({
      event: 'run-finished',
      subject: set.id,
      detail: { state: 'finished' },
    });
  });

  it('reboots a host with nothing to install but a reboot pending, and verifies it', async () => {
    const set = await setUpFakeRun(tempDir(), tempDir(), [
      { name: 'k', state: { rebootPending: true }, spec: { targets: [], previous: [] } },
    ]);
    stores.push(set.store);
    await runController(set.id, fakeDeps(set.store, set.fleet, set.spec));
    expect((await set.runs.hosts(set.id))[0]!.state).toBe('verified');
    expect(set.fleet.read('k').reboots).toBe(1);
  });

  it('tells a live controller holding a run from a dead or stale one', async () => {
    const set = await setUpFakeRun(tempDir(), tempDir(), [{ name: 'a' }]);
    stores.push(set.store);
    const run = (await set.runs.get(set.id))!;
    const now = new Date(run.heartbeatAt!);
    expect(heldByOther({ ...run, controllerPid: process.pid }, now)).toBe(false); // itself
    expect(heldByOther({ ...run, controllerPid: process.ppid }, now)).toBe(true);
    expect(heldByOther({ ...run, controllerPid: process.ppid }, new Date(now.getTime() + 60_000))).toBe(
      false,
    );
    expect(heldByOther({ ...run, controllerPid: 2 ** 22 + 7 }, now)).toBe(false);
  });
});

describe("run controller: the window's cutoff", () => {
  it('starts no host after the cutoff, and with cancel rolls back a host that has not verified', async () => {
    let now = new Date('2026-12-12T02:00:00Z');
    const cutoffAt = '2026-12-12T04:15:00Z';
    const set = await setUpFakeRun(
      tempDir(),
      tempDir(),
      [
        { name: 'a', tier: 3 },
        { name: 'b', tier: 3 },
      ],
      { cutoffBehavior: 'cancel', canary: 1, maxErrors: 5 },
      (spec) => {
        spec.window = {
          name: 'w',
          occurrence: '2026-12-12T02:00:00Z',
          end: '2026-12-12T05:00:00Z',
          cutoffAt,
        };
      },
    );
    stores.push(set.store);
    const deps = fakeDeps(set.store, set.fleet, set.spec);
    deps.clock = () => now;
    deps.beforeStep = (_host, step) => {
      if (step === 'restart') now = new Date('2026-12-12T04:30:00Z');
      return Promise.resolve();
    };
    const summary = await runController(set.id, deps);
    const hosts = await set.runs.hosts(set.id);
    expect(hosts.map((h) => [h.host, h.state])).toEqual([
      ['a', 'rolled-back'],
      ['b', 'pending'],
    ]);
    expect(hosts[1]!.reason).toMatch(/cutoff/);
    expect(summary.state).toBe('stopped');
  });
});
