import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHostExtras } from '../src/adapters/collectors/host-extras.js';
import { hostOpsFor } from '../src/adapters/patching/host-ops-for.js';
import { LocalTransport } from '../src/adapters/transport/local-transport.js';
import { compareVersions } from '../src/core/versions/compare-versions.js';
import { commandSucceeds, installHint, requirePrerequisite } from './helpers/require-prerequisite.js';

/**
 * AptOps over the real LocalTransport on this Debian machine: everything a run does before and after it
 * changes a host. It NEVER applies, repairs, reboots or restarts here (the lab proves those on its own
 * VMs). This machine has no systemd as PID 1, so the `unit` health check is covered by the unit tests.
 */
const transport = new LocalTransport();
const apt = hostOpsFor('debian', transport);
const CANDIDATES = ['perl-base', 'tzdata', 'libc6', 'apt'];
const statusHash = () => createHash('sha256').update(fs.readFileSync('/var/lib/dpkg/status')).digest('hex');

describe('AptOps on this machine', () => {
  requirePrerequisite(
    'apt-get and dpkg',
    () => commandSucceeds('apt-get', ['--version']),
    installHint('apt'),
  );

  let server: http.Server;
  let tcp: net.Server;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 204 : 500;
      res.end();
    });
    tcp = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await new Promise((r) => tcp.close(r));
  });

  it('prechecks: free space, no package manager running, boot time as the scan reads it', async () => {
    const [pre, extras] = await Promise.all([apt.precheck({ minFreeMiB: 1 }), collectHostExtras(transport)]);
    expect(pre.freeMiB).toBeGreaterThan(1);
    expect(pre.problems).toEqual(pre.lockHolder ? [`a package manager is running: ${pre.lockHolder}`] : []);
    expect(pre.bootTime).toBe(extras.bootTime);
    expect(await apt.bootTime()).toBe(extras.bootTime);
    const tooMuch = await apt.precheck({ minFreeMiB: 1e9 });
    expect(tooMuch.problems[0]).toMatch(
      /^only \d+ MiB free on \/ or \/var, less than the 1000000000 MiB required$/,
    );
  });

  it('reads candidate and installed versions, undefined for an unknown package', async () => {
    const names = [...CANDIDATES, 'no-such-package-pw'];
    const [cand, inst] = await Promise.all([apt.candidateVersions(names), apt.installedVersions(names)]);
    expect(inst['perl-base']).toMatch(/^\d/);
    expect(inst['no-such-package-pw']).toBeUndefined();
    expect(cand['no-such-package-pw']).toBeUndefined();
    expect(cand['perl-base']).toMatch(/^\d/);
  });

  it('simulates an upgrade without changing anything', async () => {
    const [cand, inst] = await Promise.all([
      apt.candidateVersions(CANDIDATES),
      apt.installedVersions(CANDIDATES),
    ]);
    const upgradable = CANDIDATES.find(
      (n) => cand[n] && inst[n] && compareVersions('debian', cand[n], inst[n]) > 0,
    );
    const name = upgradable ?? 'perl-base';
    const target = { name, version: cand[name] ?? inst[name]! };
    const before = statusHash();
    const r = await apt.simulate([target]);
    expect(statusHash()).toBe(before);
    expect(r.ok).toBe(true);
    expect(r.installed).toEqual({ [name]: inst[name] });
    expect(r.commands[0]!.argv.slice(0, 3)).toEqual(['apt-get', '-s', '-o']);
    if (upgradable) expect(r.commands[0]!.stdout).toMatch(new RegExp(`^Inst ${name} `, 'm'));
    expect(r.alsoChanged?.every((p) => p.name !== name && /^\d/.test(p.version))).toBe(true);
    const missing = await apt.simulate([{ name, version: '0.0.0.0.1' }]);
    expect(missing).toMatchObject({ ok: false, message: expect.stringMatching(/^apt-get exited 100: E: /) });
    expect(statusHash()).toBe(before);
  });

  it('examines the dpkg database (consistent here) without changing it', async () => {
    const r = await apt.examineApply(['perl-base']);
    expect(r).toMatchObject({ consistent: true, installed: { 'perl-base': expect.stringMatching(/^\d/) } });
  });

  it('reads the pending reboot and the restart list with the scan probe', async () => {
    const reboot = await apt.rebootPending();
    expect(reboot.pending).toBe(reboot.why.length > 0);
    const list = await apt.restartList();
    expect(list.units.every((u) => u.endsWith('.service'))).toBe(true);
    expect(list.other.every((o) => typeof o === 'string' && o.length > 0)).toBe(true);
  });

  it('checks health: HTTP and TCP from here, a command on the host', async () => {
    const web = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const port = (tcp.address() as AddressInfo).port;
    expect(
      await apt.health([
        { name: 'web', http: `${web}/healthz`, tcp: `127.0.0.1:${port}` },
        { name: 'broken', http: `${web}/` },
        { name: 'script', command: ['sh', '-c', 'test -r /var/lib/dpkg/status'] },
        { name: 'failing', command: ['false'] },
      ]),
    ).toEqual([
      { service: 'web', ok: true, detail: `http 204 from ${web}/healthz; tcp 127.0.0.1:${port} connected` },
      { service: 'broken', ok: false, detail: `http 500 from ${web}/` },
      { service: 'script', ok: true, detail: 'command sh exit 0' },
      { service: 'failing', ok: false, detail: 'command false exit 1' },
    ]);
  });
});
