import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withFileLock } from '../../lab/file-lock.js';
import { Lab } from '../../lab/lab.js';
import { roleLayerDir } from '../../lab/role-layer.js';
import { sleep } from '../../lab/run-command.js';
import { HostSchema } from '../../src/core/inventory/host.js';
import { requireLab } from './require-lab.js';

// Names and addresses apart from a developer's own lab (lab-N on 127.0.1.N).
const lab = new Lab({ stateDir: '/var/lib/patchwise-lab-test', namePrefix: 'labtest', firstAddress: 201 });
const HOSTS = ['labtest-1', 'labtest-2', 'labtest-3'];

function ssh(host: string, command: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(lab.sshArgs(host)[0]!, [...lab.sshArgs(host).slice(1), command], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sshOk(host: string, command: string): string {
  const r = ssh(host, command);
  expect(r.code, `${host}: ${command}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const LAB_APT =
  'apt-get -qq -o Dir::Etc::SourceList=/etc/apt/sources.list.d/lab.list -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 update';
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -qq';

describe('withFileLock (what keeps parallel `up` calls from building a role layer twice)', () => {
  it('lets one holder at a time run, in whichever order they get the lock', async () => {
    const file = path.join(os.tmpdir(), `patchwise-lab-lock-test-${process.pid}`);
    const log: string[] = [];
    const job = (n: number) =>
      withFileLock(file, 'a test lock', async () => {
        log.push(`in ${n}`);
        await sleep(150);
        log.push(`out ${n}`);
        return n;
      });
    expect(await Promise.all([job(1), job(2), job(3)])).toEqual([1, 2, 3]);
    expect(log).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(log[i + 1]).toBe(log[i]!.replace('in', 'out'));
    fs.rmSync(file, { force: true });
  });
});

describe('lab (real hosts, as root)', () => {
  requireLab();
  beforeAll(async () => {
    await lab.down();
    await lab.up(3, ['web', 'db', 'plain']);
  }, 900_000);

  afterAll(async () => {
    await lab.down();
  }, 180_000);

  it('reaches each host over real ssh with the lab key and known_hosts; sshd binds only its address', () => {
    for (const [i, host] of HOSTS.entries()) {
      // Hosts share the machine's network, so ss lists every host's sockets; only its own show a process.
      const out = sshOk(host, 'hostname; cat /proc/1/comm; systemctl is-system-running; ss -ltnpH');
      const [name, init, state, ...sockets] = out.trim().split('\n');
      expect(name).toBe(host);
      expect(init).toBe('systemd');
      expect(state).toBe('running');
      const sshd = sockets.filter((l) => l.includes('"sshd"')).map((l) => l.split(/\s+/)[3]);
      expect(sshd).toEqual([`127.0.1.${201 + i}:22`]);
    }
    expect(fs.readFileSync(lab.paths.knownHosts, 'utf8')).toMatch(/^127\.0\.1\.201 ssh-ed25519 /m);
  });

  it('writes a patchwise config whose hosts match the inventory schema', () => {
    const doc = parse(fs.readFileSync(lab.paths.config, 'utf8')) as {
      hosts: unknown[];
      ssh: { identityFile: string };
    };
    expect(doc.ssh.identityFile).toBe(lab.paths.key);
    const hosts = doc.hosts.map((h) => HostSchema.parse(h));
    expect(hosts.map((h) => h.name)).toEqual(HOSTS);
    expect(hosts[0]!.connection).toEqual({ ssh: { host: '127.0.1.201', user: 'root', port: 22 } });
  });

  it('boots each host straight into its role from a cached role layer; security updates stay pending', async () => {
    const [web, db] = HOSTS;
    for (const h of lab.hosts()) {
      expect(fs.existsSync(roleLayerDir(h.layer!)), h.name).toBe(true);
      // The host's own layer holds its identity and addresses only; packages are in the role layer.
      const du = spawnSync('du', ['-sb', lab.paths.host(h.name).upper], { encoding: 'utf8' });
      expect(Number(du.stdout.split(/\s/)[0])).toBeLessThan(1_000_000);
    }
    expect((await fetch('http://127.0.1.201:8080/health')).status).toBe(200);
    expect((await fetch('http://127.0.1.201/')).status).toBe(200);
    expect(sshOk(web!, "dpkg-query -W -f='${Version}' lab-web")).toBe('1.0-1');
    expect(sshOk(db!, 'redis-cli -h 127.0.1.202 ping').trim()).toBe('PONG');
    const ids = new Set<string>();
    for (const host of HOSTS) {
      const out = sshOk(
        host,
        'systemctl is-active lab-worker; cat /etc/machine-id; cat /var/lib/lab/provisioned; apt list --upgradable 2>/dev/null',
      );
      const [worker, machineId, provisioned] = out.split('\n');
      expect(worker).toBe('active');
      ids.add(machineId!);
      expect(provisioned).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(out).toMatch(/^perl-base\//m);
      expect(out).toMatch(/^libpcre2-8-0\//m);
    }
    expect(ids.size).toBe(HOSTS.length);
    expect(lab.status().map((s) => s.rebootRequired)).toEqual([false, false, false]);
  });

  it('installs and upgrades lab packages with apt: service health, reboot flag, deleted library', async () => {
    const host = HOSTS[0]!;
    sshOk(host, `${LAB_APT} && ${APT} install lab-web=1.0-1`);
    const health = async () =>
      (await fetch('http://127.0.1.201:8080/health')).json() as Promise<{ version: string }>;
    expect((await health()).version).toBe('1.0-1');
    sshOk(host, `${APT} install lab-web=1.0-2 lab-kernel=1.0-2 lab-libfoo=1.0-2`);
    expect((await health()).version).toBe('1.0-2');
    expect(sshOk(host, 'cat /run/reboot-required.pkgs')).toContain('lab-kernel');
    expect(lab.status().find((s) => s.name === host)?.rebootRequired).toBe(true);
    const maps = sshOk(host, 'cat /proc/$(systemctl show -p MainPID --value lab-worker)/maps');
    expect(maps).toMatch(/libfoo\.so\.1 \(deleted\)/);
  });

  it('reboots a host: every process restarts, /run is fresh, boot time changes', async () => {
    const host = HOSTS[0]!;
    const before = sshOk(host, 'touch /run/lab-marker; cut -d" " -f22 /proc/1/stat').trim();
    const bootBefore = lab.bootTime(host);
    await lab.reboot(host);
    const after = sshOk(
      host,
      'cut -d" " -f22 /proc/1/stat; ls /run/lab-marker /run/reboot-required 2>&1 | wc -l; ls -A /run/lab-marker 2>/dev/null || echo gone',
    );
    const [start] = after.trim().split('\n');
    expect(Number(start)).toBeGreaterThan(Number(before));
    expect(after).toContain('gone');
    expect(lab.bootTime(host)).toBeGreaterThan(bootBefore!);
    expect(lab.status().find((s) => s.name === host)?.rebootRequired).toBe(false);
    const maps = sshOk(host, 'cat /proc/$(systemctl show -p MainPID --value lab-worker)/maps');
    expect(maps).toContain('libfoo.so.1');
    expect(maps).not.toContain('(deleted)');
  });

  it('snapshots a host, breaks it, restores it whole', async () => {
    const host = HOSTS[2]!;
    const snap = await lab.snapshot(host, 'before-break');
    expect(lab.listSnapshots(host).map((s) => s.name)).toEqual(['before-break']);
    expect(snap.bytes).toBeGreaterThan(0);
    sshOk(
      host,
      `${APT} purge lab-worker lab-libfoo && rm -rf /etc/ssh/sshd_config.d/.keep /var/lib/lab/extra && echo broken > /etc/motd`,
    );
    expect(ssh(host, 'dpkg-query -W lab-worker').code).not.toBe(0);
    await lab.restore(host, 'before-break');
    expect(sshOk(host, "dpkg-query -W -f='${Version}' lab-worker lab-libfoo")).toBe('1.0-11.0-1');
    expect(sshOk(host, 'systemctl is-active lab-worker').trim()).toBe('active');
    expect(sshOk(host, 'cat /etc/motd')).not.toContain('broken');
    lab.deleteSnapshot(host, 'before-break');
    expect(lab.listSnapshots(host)).toEqual([]);
  });

  it('shuts a host down (no process left) and starts it again', async () => {
    const host = HOSTS[1]!;
    await lab.shutdown(host);
    expect(lab.status().find((s) => s.name === host)?.state).toBe('stopped');
    expect(ssh(host, 'true').code).not.toBe(0);
    await lab.start(host);
    expect(sshOk(host, 'hostname').trim()).toBe(host);
  });

  it('down removes every process and mount it made, and can run again', async () => {
    await lab.down();
    await lab.down();
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(lab.paths.stateDir);
    const marked = fs.readdirSync('/proc').filter((d) => {
      try {
        return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/environ`, 'utf8').includes(lab.paths.hosts);
      } catch {
        return false;
      }
    });
    expect(marked).toEqual([]);
    expect(lab.status()).toEqual([]);
  }, 120_000);
});
