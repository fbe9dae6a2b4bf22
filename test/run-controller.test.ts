import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/adapters/store/open-store.js';
import { runController } from '../src/app/rollout/run-controller.js';
import type { RunEvent } from '../src/app/rollout/run-deps.js';
import { tempDir } from './helpers/cli.js';
import { fakeDeps, setUpFakeRun, type FakeRunHost } from './helpers/fake-run.js';
import type { RolloutConfig } from '../src/core/rollout/run-model.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function run(hosts: FakeRunHost[], rollout: RolloutConfig = {}) {
  const set = await setUpFakeRun(tempDir(), tempDir(), hosts, rollout);
  stores.push(set.store);
  const events: RunEvent[] = [];
  const summary = await runController(set.id, fakeDeps(set.store, set.fleet, set.spec, events));
  const states = Object.fromEntries((await set.runs.hosts(set.id)).map((h) => [h.host, h.state]));
  return { ...set, events, summary, states };
}

const started = (events: RunEvent[]) =>
  events
    .filter((e) => e.type === 'step' && e.step === 'precheck' && e.status === 'running')
    .map((e) => e.host);

describe('run controller on fake hosts', () => {
  it('takes a good update to verified, with its restore point and on-exit', async () => {
    const r = await run([{ name: 'web1' }]);
    expect(r.summary).toMatchObject({ state: 'finished', exitCode: 0, hosts: { verified: 1 } });
    expect(r.fleet.read('web1').installed.openssl).toBe('3.0.2-1');
    const steps = await r.runs.steps(r.id, 'web1');
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['precheck', 'ok'],
      ['snapshot', 'ok'],
      ['apply', 'ok'],
      ['restart', 'ok'],
      ['verify', 'ok'],
      ['on-exit', 'ok'],
    ]);
    expect(steps.every((s) => s.attempts === 1 && s.endedAt)).toBe(true);
  });

  it('rolls back through the restore point when health fails after the update', async () => {
    const r = await run([{ name: 'web1', state: { breaks: { openssl: '3.0.2-1' } } }]);
    expect(r.states.web1).toBe('rolled-back');
    expect(r.summary.exitCode).toBe(3);
    expect(r.fleet.read('web1').installed.openssl).toBe('3.0.1-1');
  });

  it('skips a host whose required restore point cannot be made, never applying', async () => {
    const r = await run([{ name: 'web1', state: { snapshotFails: true } }]);
    expect(r.states.web1).toBe('skipped');
    expect(r.fleet.read('web1').history).toEqual([]);
    const host = (await r.runs.hosts(r.id))[0]!;
    expect(host.reason).toMatch(/restore point/);
  });

  it('stops starting hosts when failures reach maxErrors', async () => {
    const bad = { breaks: { openssl: '3.0.2-1' } };
    const r = await run(
      [{ name: 'a' }, { name: 'b', state: bad }, { name: 'c', state: bad }, { name: 'd' }, { name: 'e' }],
      { maxConcurrency: 1, maxErrors: 2, canary: 0 },
    );
    expect(r.states).toEqual({
      a: 'verified',
      b: 'rolled-back',
      c: 'rolled-back',
      d: 'pending',
      e: 'pending',
    });
    expect(r.summary).toMatchObject({ state: 'stopped', exitCode: 3 });
    expect(r.summary.stopReason).toMatch(/maxErrors/);
    expect(r.fleet.read('d').history).toEqual([]);
  });

  it('runs the canary alone and first, lower tiers before higher ones', async () => {
    const r = await run(
      [
        { name: 'db', tier: 1 },
        { name: 'app', tier: 3 },
        { name: 'dev', tier: 4 },
      ],
      {
        maxConcurrency: 5,
      },
    );
    expect(started(r.events)).toEqual(['dev', 'app', 'db']);
    const devEnd = r.events.findIndex((e) => e.type === 'host' && e.host === 'dev');
    const appStart = r.events.findIndex((e) => e.type === 'step' && e.host === 'app');
    expect(devEnd).toBeLessThan(appStart);
  });

  it('reboots exactly once for a kernel update, and restarts nothing after it', async () => {
    const r = await run([{ name: 'k', state: { kernel: ['openssl'], restartOnApply: ['web.service'] } }]);
    expect(r.states.k).toBe('verified');
    const h = r.fleet.read('k');
    expect(h.reboots).toBe(1);
    expect(h.restarted).toEqual([]);
  });

  it('restarts the units on the restart list', async () => {
    const r = await run([{ name: 'w', state: { restartOnApply: ['nginx.service', 'php-fpm.service'] } }]);
    expect(r.states.w).toBe('verified');
    expect(r.fleet.read('w').restarted).toEqual(['nginx.service', 'php-fpm.service']);
  });

  it('skips a tier 1 host in a window run that its owner has not acknowledged', async () => {
    const set = await setUpFakeRun(tempDir(), tempDir(), [{ name: 'db', tier: 1 }]);
    stores.push(set.store);
    set.spec.window = { name: 'w', occurrence: '2026-12-12T01:00:00Z', end: '2026-12-12T04:00:00Z' };
    const deps = fakeDeps(set.store, set.fleet, set.spec);
    deps.acknowledged = () => Promise.resolve(false);
    // The stored spec is what the controller reads: store this one.
    const run = (await set.runs.get(set.id))!;
    await set.store.db
      .withTables<{ run: { id: string; spec: string } }>()
      .updateTable('run')
      .set({ spec: JSON.stringify({ ...run.spec, window: set.spec.window }) })
      .where('id', '=', set.id)
      .execute();
    await runController(set.id, deps);
    const host = (await set.runs.hosts(set.id))[0]!;
    expect(host).toMatchObject({ state: 'skipped', reason: 'window not acknowledged by its owner' });
  });
});
