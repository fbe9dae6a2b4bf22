import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFeeds } from '../../src/app/feeds.js';
import { computeFindings } from '../../src/app/findings.js';
import { scanFleet, type FleetScanResult } from '../../src/app/fleet-scan.js';
import { diffHostScans } from '../../src/app/scan-diff.js';
import { trustHosts } from '../../src/app/trust-hosts.js';
import { openStore, type Store } from '../../src/adapters/store/open-store.js';
import { hostScans, readHostState } from '../../src/adapters/store/scan-store.js';
import { SshTransport } from '../../src/adapters/transport/ssh-transport.js';
import {
  knownHostsPath,
  sshSettingsFor,
  transportFactory,
} from '../../src/adapters/transport/transport-for-host.js';
import type { HostState } from '../../src/core/inventory/host-state.js';
import type { Host } from '../../src/core/inventory/host.js';
import type { Lab } from '../../lab/lab.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { diffRecords, goldenResults, normalizeResults } from '../helpers/golden-fleet.js';
import { referenceResults } from '../helpers/reference-fleet.js';
import { requireLab } from './require-lab.js';

const NAMES = ['labscan-1', 'labscan-2', 'labscan-3'];
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -qq';
const LAB_APT_UPDATE =
  'apt-get -qq -o Dir::Etc::SourceList=/etc/apt/sources.list.d/lab.list -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 update';

describe('scan the lab fleet over real ssh', { timeout: 300_000 }, () => {
  requireLab();
  // A lab of its own, apart from a developer's (lab-N) and the lab's own test (labtest-N).
  let lab: Lab;
  let store: Store;
  let dataDir: string;
  let hosts: Host[];

  const inHost = async (name: string, script: string) => {
    const r = await lab.exec(name, ['sh', '-c', script], { timeoutMs: 300_000 });
    expect(r.code, `${name}: ${script}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const scan = (subset = hosts) =>
    scanFleet(subset, {
      concurrency: 3,
      perHostTimeoutMs: 120_000,
      transportFor: transportFactory(dataDir),
      store,
    });
  const latest = async (name: string): Promise<HostState> =>
    readHostState((await hostScans(store.db, name, { limit: 1 }))[0]!.stored!);
  /** Ends the shared ssh connection so the next command connects afresh (a stopped sshd keeps sessions). */
  const dropMaster = (h: Host) => {
    if (!h.connection || !('ssh' in h.connection)) return Promise.resolve();
    return new SshTransport(h.connection.ssh, sshSettingsFor(dataDir)).close({ exitMaster: true });
  };
  const byHost = (rs: FleetScanResult[]) => Object.fromEntries(rs.map((r) => [r.host, [r.status, r.reason]]));

  beforeAll(async () => {
    const { Lab: LabClass } = await import('../../lab/lab.js');
    lab = new LabClass({ stateDir: '/var/lib/patchwise-lab-scan', namePrefix: 'labscan', firstAddress: 211 });
    await lab.down();
    await lab.up(3, ['plain']);
    dataDir = path.join(tempDir('patchwise-scan-lab-'), 'data');
    store = await openStore(dataDir);
    hosts = lab.hosts().map((h) => ({
      name: h.name,
      services: [],
      tags: {},
      connection: { ssh: { host: h.address, user: 'root', identityFile: lab.paths.key } },
    }));
    await importFeeds(store, [path.join(ROOT, 'feeds/snapshot')]);
  }, 900_000);

  afterAll(async () => {
    for (const h of hosts ?? []) await dropMaster(h).catch(() => undefined);
    await store?.close();
    await lab?.down();
  }, 180_000);

  it('refuses hosts before trust, then pins their keys', async () => {
    expect(byHost(await scan())).toEqual(
      Object.fromEntries(NAMES.map((n) => [n, ['failed', 'host-key-unknown']])),
    );
    const trusted = await trustHosts(hosts, { knownHostsFile: knownHostsPath(dataDir) });
    expect(trusted.map((t) => t.outcome)).toEqual(['pinned', 'pinned', 'pinned']);
    expect(
      trusted[0]!.keys.some((k) => k.type === 'ssh-ed25519' && k.fingerprint.startsWith('SHA256:')),
    ).toBe(true);
  });

  it('scans 3 hosts and finds real bookworm packages with pending security fixes', async () => {
    expect(byHost(await scan())).toEqual(Object.fromEntries(NAMES.map((n) => [n, ['ok', undefined]])));
    const state = await latest(NAMES[0]!);
    expect(state.os).toBe('debian:12');
    expect(state.packages.find((p) => p.name === 'lab-libfoo')?.version).toBe('1.0-1');
    // btime has whole seconds, so PID 1's start is known to about a second
    expect(Math.abs(Date.parse(state.bootTime!) / 1000 - lab.bootTime(NAMES[0]!)!)).toBeLessThan(1.5);
    expect(state.listening).toContainEqual({
      protocol: 'tcp',
      address: '127.0.1.211',
      port: 22,
      process: 'sshd',
    });
    const report = await computeFindings({
      configPath: '/nonexistent.yaml',
      configExplicit: false,
      openStore: async () => store,
    });
    expect(report.findings.filter((f) => f.host === NAMES[0]).length).toBeGreaterThan(0);
    expect(report.findings.some((f) => f.fixedVersion?.includes('deb12u'))).toBe(true);
  });

  it('decides the lab fleet as deciding every finding alone does (the pipeline against its oracle)', async () => {
    const now = new Date();
    const inputs = {
      configPath: path.join(dataDir, 'none.yaml'),
      configExplicit: false,
      openStore: async () => store,
    };
    const expected = normalizeResults(await referenceResults(inputs, now));
    const actual = normalizeResults(await goldenResults({ inputs }, now));
    expect(actual.counts.findings).toBeGreaterThan(0);
    expect(diffRecords(expected, actual)).toEqual([]);
    expect(actual).toEqual(expected);
  });

  it('names the lab service in the restart list after lab-libfoo is upgraded, and diffs the scans', async () => {
    await inHost(NAMES[0]!, `${LAB_APT_UPDATE} && ${APT} install lab-libfoo=1.0-2 >/dev/null`);
    await scan([hosts[0]!]);
    const stale = (await latest(NAMES[0]!)).staleProcesses ?? [];
    const worker = stale.find((p) => p.unit === 'lab-worker.service');
    expect(worker, JSON.stringify(stale)).toBeDefined();
    expect(worker!.files.some((f) => f.endsWith('/libfoo.so.1'))).toBe(true);
    const diff = (await diffHostScans(store, [NAMES[0]!]))[0]!;
    expect(diff.packages.changed).toContainEqual(
      expect.objectContaining({ name: 'lab-libfoo', from: '1.0-1', to: '1.0-2' }),
    );
    expect(diff.staleProcesses.after).toBeGreaterThan(diff.staleProcesses.before);
  });

  it('shows the pending reboot after lab-kernel is installed', async () => {
    await inHost(NAMES[1]!, `${LAB_APT_UPDATE} && ${APT} install lab-kernel=1.0-2 >/dev/null`);
    await scan([hosts[1]!]);
    const reboot = (await latest(NAMES[1]!)).reboot;
    expect(reboot?.required).toBe(true);
    expect(reboot?.packages).toContain('lab-kernel');
  });

  it("scans the others when one host's sshd is stopped, and reports that host unreachable", async () => {
    await inHost(NAMES[2]!, 'systemctl stop ssh');
    await dropMaster(hosts[2]!);
    try {
      expect(byHost(await scan())).toEqual({
        [NAMES[0]!]: ['ok', undefined],
        [NAMES[1]!]: ['ok', undefined],
        [NAMES[2]!]: ['failed', 'unreachable'],
      });
    } finally {
      await inHost(NAMES[2]!, 'systemctl start ssh');
    }
  });

  it('refuses a host whose key changed, collecting nothing, until trusted again with replace', async () => {
    await inHost(NAMES[2]!, 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh');
    await dropMaster(hosts[2]!);
    const before = (await hostScans(store.db, NAMES[2]!, { limit: 1 }))[0]!.id;
    const [r] = await scan([hosts[2]!]);
    expect([r!.status, r!.reason]).toEqual(['failed', 'host-key-changed']);
    const [rec] = await hostScans(store.db, NAMES[2]!, { limit: 1 });
    expect(rec!.id).toBeGreaterThan(before);
    expect(rec!.stored).toBeNull();
    const [refused] = await trustHosts([hosts[2]!], { knownHostsFile: knownHostsPath(dataDir) });
    expect(refused!.outcome).toBe('refused-changed');
    const [replaced] = await trustHosts([hosts[2]!], {
      knownHostsFile: knownHostsPath(dataDir),
      replace: true,
    });
    expect(replaced!.outcome).toBe('replaced');
    expect((await scan([hosts[2]!]))[0]!.status).toBe('ok');
  });
});
