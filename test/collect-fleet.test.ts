import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFleet } from '../src/app/fleet-scan.js';
import { diffHostScans } from '../src/app/scan-diff.js';
import { openStore, type Store } from '../src/adapters/store/open-store.js';
import { hostScans } from '../src/adapters/store/scan-store.js';
import { knownHostsName, pinKeys, scanHostKeys } from '../src/adapters/transport/known-hosts.js';
import { transportFactory, knownHostsPath } from '../src/adapters/transport/transport-for-host.js';
import type { Host } from '../src/core/inventory/host.js';
import { tempDir } from './helpers/cli.js';
import { freePort, requireSshd, startSshd, type TestSshd } from './helpers/test-sshd.js';

const host = (name: string, connection?: Host['connection']): Host => ({
  name,
  services: [],
  tags: {},
  ...(connection ? { connection } : {}),
});

describe('fleet scan over ssh against a real sshd', { timeout: 180_000 }, () => {
  requireSshd();
  let sshd: TestSshd;
  let store: Store;
  let dataDir: string;
  let self: Host;

  beforeAll(async () => {
    const dir = tempDir('patchwise-fleet-');
    dataDir = path.join(dir, 'data');
    sshd = await startSshd(dir);
    store = await openStore(dataDir);
    self = host('self', {
      ssh: { host: '127.0.0.1', port: sshd.port, user: 'root', identityFile: sshd.identityFile },
    });
    await pinKeys(
      knownHostsPath(dataDir),
      knownHostsName('127.0.0.1', sshd.port),
      await scanHostKeys({ host: '127.0.0.1', port: sshd.port }),
    );
  });

  afterAll(async () => {
    const t = transportFactory(dataDir)(self);
    await (t as { close?: (o: { exitMaster: boolean }) => Promise<void> } | undefined)?.close?.({
      exitMaster: true,
    });
    await store?.close();
    await sshd?.stop();
  });

  it('scans reachable hosts and records every other host with its reason', async () => {
    const closed = await freePort();
    await pinKeys(
      knownHostsPath(dataDir),
      knownHostsName('127.0.0.1', closed),
      await scanHostKeys({ host: '127.0.0.1', port: sshd.port }),
    );
    const hosts = [
      self,
      host('down', {
        ssh: { host: '127.0.0.1', port: closed, user: 'root', identityFile: sshd.identityFile },
      }),
      host('stranger', {
        ssh: { host: 'localhost', port: sshd.port, user: 'root', identityFile: sshd.identityFile },
      }),
      host('nowhere'),
    ];
    const seen: string[] = [];
    const results = await scanFleet(hosts, {
      concurrency: 4,
      perHostTimeoutMs: 120_000,
      transportFor: transportFactory(dataDir, {}, { connectTimeoutSec: 5 }),
      store,
      onResult: (r) => seen.push(r.host),
    });
    expect(results.map((r) => [r.host, r.status, r.reason])).toEqual([
      ['self', 'ok', undefined],
      ['down', 'failed', 'unreachable'],
      ['stranger', 'failed', 'host-key-unknown'],
      ['nowhere', 'skipped', 'no-connection'],
    ]);
    expect(seen.sort()).toEqual(['down', 'nowhere', 'self', 'stranger']);
    const ok = results[0]!;
    expect(ok.os).toBe('debian:12');
    expect(ok.packages).toBeGreaterThan(50);
    const [scan] = await hostScans(store.db, 'self', { limit: 1 });
    expect(scan!.stored!.state.kernel?.running).toMatch(/\d/);
    expect(scan!.stored!.state.bootTime).toMatch(/^\d{4}-/);
    expect(scan!.stored!.state.listening?.some((s) => s.port === sshd.port && s.process === 'sshd')).toBe(
      true,
    );
    const [down] = await hostScans(store.db, 'down', { limit: 1 });
    expect(down).toMatchObject({ status: 'failed', stored: null });
    expect(down!.error).toMatch(/unreachable/);
  });

  it('keeps every scan and diffs the latest against the previous', async () => {
    await scanFleet([self], { transportFor: transportFactory(dataDir), store });
    const diff = (await diffHostScans(store, ['self']))[0]!;
    expect(diff.previous).not.toBeNull();
    expect(diff.packages.added.length + diff.packages.removed.length + diff.packages.changed.length).toBe(0);
  });

  it("stops a host that runs past its time limit and records a bug as that host's failure", async () => {
    const results = await scanFleet([self, host('buggy', { local: true })], {
      perHostTimeoutMs: 1_500,
      transportFor: transportFactory(dataDir),
      collect: async (t, name) => {
        if (name === 'buggy') throw new TypeError('boom');
        await t.run(['sleep', '30']);
        throw new Error('not reached');
      },
    });
    expect(results.map((r) => [r.host, r.status, r.reason])).toEqual([
      ['self', 'failed', 'timeout'],
      ['buggy', 'failed', 'collect-failed'],
    ]);
    expect(results[1]!.message).toMatch(/internal error.*boom/);
  });
});
