import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostOps } from '../src/adapters/patching/host-ops.js';
import { openStore, type Store } from '../src/adapters/store/open-store.js';
import { planRun } from '../src/app/rollout/plan-run.js';
import { dryRun, listRuns } from '../src/app/rollout/run-app.js';
import { decideFleetDir } from './decide-setup.js';

/**
 * HostOps answering versions only: every binary installed at `1`, the repositories offering what
 * `offered` says (newest first, as apt lists them).
 */
const versionsOnly = (offered: (name: string) => string | string[] | undefined) =>
  ({
    family: 'debian',
    availableVersions: (names: readonly string[]) =>
      Promise.resolve(Object.fromEntries(names.map((n) => [n, [offered(n) ?? []].flat()]))),
    installedVersions: (names: readonly string[]) =>
      Promise.resolve(Object.fromEntries(names.map((n) => [n, '1']))),
  }) as unknown as HostOps;

describe('planRun over the fleet pipeline', () => {
  const { dir } = decideFleetDir();
  let store: Store | undefined;
  const inputs = {
    configPath: path.join(dir, 'patchwise.yaml'),
    configExplicit: true,
    openStore: async () => (store ??= await openStore(path.join(dir, '.patchwise'))),
    cwd: dir,
    env: {},
    dataDir: path.join(dir, '.patchwise'),
  };
  afterAll(async () => store?.close());
  const now = new Date('2026-12-01T09:00:00Z');

  it("targets each host's planned binaries at the repositories' candidate", async () => {
    const p = await planRun(
      inputs,
      { emergency: true, reason: 'test', hosts: ['web-1'], now },
      () => () => versionsOnly(() => '99:9'),
    );
    const [web] = p.spec.hosts;
    expect(web).toMatchObject({
      name: 'web-1',
      tier: 1,
      owner: 'alice',
      restorePoint: 'required',
      family: 'debian',
    });
    expect(web!.skip).toBeUndefined();
    expect(web!.targets.length).toBeGreaterThan(0);
    expect(web!.targets.every((t) => t.version === '99:9')).toBe(true);
    expect(web!.previous.every((t) => t.version === '1')).toBe(true);
    expect(web!.vulnIds.length).toBeGreaterThan(0);
    expect(p.spec.emergency).toEqual({ reason: 'test' });
  });

  it('takes the oldest offered version that carries the fix, not the newest candidate', async () => {
    const p = await planRun(
      inputs,
      { emergency: true, reason: 'test', hosts: ['web-1'], now },
      () => () => versionsOnly(() => ['99:9', '50:1', '0.1']),
    );
    const [web] = p.spec.hosts;
    expect(web!.skip).toBeUndefined();
    expect(web!.targets.every((t) => t.version === '50:1')).toBe(true);
  });

  it('skips a host whose candidate is older than the fix, saying so', async () => {
    const p = await planRun(
      inputs,
      { emergency: true, reason: 'test', hosts: ['web-1'], now },
      () => () => versionsOnly(() => '0.1'),
    );
    expect(p.spec.hosts[0]!.skip).toMatch(/older than the fix/);
  });
});

describe('dry run', () => {
  it("prints each host's plan with the package manager's simulation, and records no run", async () => {
    const { dir } = decideFleetDir();
    const dataDir = path.join(dir, '.patchwise');
    const store = await openStore(dataDir);
    const inputs = {
      configPath: path.join(dir, 'patchwise.yaml'),
      configExplicit: true,
      openStore: () => Promise.resolve(store),
      cwd: dir,
      env: {},
      dataDir,
    };
    const ops = {
      ...versionsOnly(() => '99:9'),
      simulate: () =>
        Promise.resolve({
          ok: true,
          commands: [{ argv: ['apt-get', '-s'], code: 0, stdout: 'Inst x', stderr: '' }],
          installed: {},
        }),
    } as unknown as HostOps;
    const r = await dryRun(
      inputs,
      { emergency: true, reason: 't', hosts: ['web-1'], now: new Date('2026-12-01T09:00:00Z') },
      () => () => ops,
    );
    expect(r.hosts[0]).toMatchObject({ host: 'web-1', restorePoint: 'required', reboot: 'if-needed' });
    expect(r.hosts[0]!.simulation).toMatch(/apt-get -s\nInst x/);
    expect(await listRuns(inputs)).toEqual([]);
    await store.close();
  });
});

describe('planRun with --packages', () => {
  it('targets exactly the named packages on the hosts that have them, the OS from their scans', async () => {
    const { dir } = decideFleetDir();
    const dataDir = path.join(dir, '.patchwise');
    const store = await openStore(dataDir);
    const inputs = {
      configPath: path.join(dir, 'patchwise.yaml'),
      configExplicit: true,
      openStore: () => Promise.resolve(store),
      cwd: dir,
      env: {},
      dataDir,
    };
    const p = await planRun(
      inputs,
      { emergency: true, reason: 't', packages: [{ name: 'openssl', version: '3.0.99-1' }], now: new Date() },
      () => () => versionsOnly(() => undefined),
    );
    expect(p.spec.packagesGiven).toBe(true);
    const hosts = p.spec.hosts.map((h) => [h.name, h.targets, h.previous, h.family]).sort();
    expect(hosts).toEqual([
      ['build-1', [{ name: 'openssl', version: '3.0.99-1' }], [{ name: 'openssl', version: '1' }], 'debian'],
      ['web-1', [{ name: 'openssl', version: '3.0.99-1' }], [{ name: 'openssl', version: '1' }], 'debian'],
    ]);
    await store.close();
  });
});
