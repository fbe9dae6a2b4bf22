import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezerGroup, freezerState, thawLeftovers, withFrozen } from '../../lab/freezer.js';
import { descendants, supervisorPid } from '../../lab/host-process.js';
import { Lab } from '../../lab/lab.js';
import { LabRestorePoints } from '../../src/adapters/providers/lab-provider.js';
import { requireLab } from './require-lab.js';

// A lab of its own (not labtest-N on .201+), so this file can never collide with the other lab tests.
const STATE = '/var/lib/patchwise-lab-snaptest';
const lab = new Lab({ stateDir: STATE, namePrefix: 'snaptest', firstAddress: 170 });
const [WEB, PLAIN] = ['snaptest-1', 'snaptest-2'] as const;

function ssh(host: string, command: string): { code: number | null; stdout: string; stderr: string } {
  const args = lab.sshArgs(host);
  const r = spawnSync(args[0]!, [...args.slice(1), command], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sshOk(host: string, command: string): string {
  const r = ssh(host, command);
  expect(r.code, `${host}: ${command}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const webPid = () => sshOk(WEB, 'systemctl show -p MainPID --value lab-web').trim();

/** The host is not frozen: its freezer group is gone (or THAWED) and it answers over ssh. */
function expectThawed(host: string): void {
  const state = freezerState(freezerGroup(lab.paths.stateDir, host));
  expect(state === undefined || state === 'THAWED', `freezer state ${state}`).toBe(true);
  expect(sshOk(host, 'hostname').trim()).toBe(host);
}

describe('lab snapshots: live (frozen) and stopped, and the lab restore point provider', () => {
  requireLab();
  beforeAll(async () => {
    await lab.down();
    await lab.up(2, ['web', 'plain']);
  }, 900_000);

  afterAll(async () => {
    await lab.down();
  }, 180_000);

  it('takes a live snapshot without a reboot: same boot time, same service PID, thawed after', async () => {
    const boot = lab.bootTime(WEB);
    const pid = webPid();
    sshOk(WEB, 'echo before > /root/before-snapshot');
    const t0 = Date.now();
    const snap = await lab.snapshot(WEB, 'live-1');
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(5000);
    expect(snap.live).toBe(true);
    expect(
      JSON.parse(fs.readFileSync(path.join(STATE, 'snapshots', WEB, 'live-1', 'snapshot.json'), 'utf8')),
    ).toMatchObject({ name: 'live-1', live: true });
    expect(lab.bootTime(WEB)).toBe(boot);
    expect(webPid()).toBe(pid);
    expectThawed(WEB);
    expect((await fetch('http://127.0.1.170:8080/health')).status).toBe(200);
  });

  it('restores a live snapshot: a file written after it is gone, one written before is there', async () => {
    sshOk(WEB, 'echo after > /root/after-snapshot');
    await lab.restore(WEB, 'live-1');
    const out = sshOk(WEB, 'cat /root/before-snapshot; ls /root/after-snapshot 2>/dev/null || echo gone');
    expect(out).toBe('before\ngone\n');
    expect(sshOk(WEB, 'systemctl is-active lab-web').trim()).toBe('active');
    expectThawed(WEB);
  });

  it('freezes processes entered into the host (lab exec) too, and notices a thaw from outside', async () => {
    const sup = supervisorPid(lab.paths.host(WEB))!;
    const group = freezerGroup(lab.paths.stateDir, WEB);
    const entered = lab.exec(WEB, ['sleep', '3'], { check: false });
    await new Promise((r) => setTimeout(r, 300));
    const comms = await withFrozen(lab.paths.stateDir, WEB, sup, () => {
      expect(freezerState(group)).toBe('FROZEN');
      const pids = fs.readFileSync(path.join(group, 'cgroup.procs'), 'utf8').trim().split('\n');
      return Promise.resolve(pids.map((p) => fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim()));
    });
    expect(comms).toContain('sleep');
    expect(comms).toContain('systemd');
    expect((await entered).code).toBe(0);
    // `lab up`/`down` of the same lab thaw every group of it; a copy that was not frozen throughout fails.
    await expect(
      withFrozen(lab.paths.stateDir, WEB, sup, () => thawLeftovers(lab.paths.stateDir)),
    ).rejects.toMatchObject({ code: 'lab-freeze-lost' });
    expectThawed(WEB);
  });

  it('keeps the stopped snapshot as an option: the host reboots for it', async () => {
    const boot = lab.bootTime(PLAIN)!;
    await new Promise((r) => setTimeout(r, 1100)); // boot times are whole seconds
    const snap = await lab.snapshot(PLAIN, 'stopped-1', { live: false });
    expect(snap.live).toBe(false);
    expect(lab.bootTime(PLAIN)).toBeGreaterThan(boot);
    expect(sshOk(PLAIN, 'hostname').trim()).toBe(PLAIN);
  });

  it('thaws a host a crashed live snapshot left frozen (start/shutdown/up/down do)', async () => {
    const sup = supervisorPid(lab.paths.host(PLAIN))!;
    const group = freezerGroup(lab.paths.stateDir, PLAIN);
    fs.mkdirSync(group, { recursive: true });
    for (const pid of [sup, ...descendants(sup)]) {
      try {
        fs.writeFileSync(path.join(group, 'cgroup.procs'), `${pid}\n`);
      } catch {
        /* gone */
      }
    }
    fs.writeFileSync(path.join(group, 'freezer.state'), 'FROZEN\n');
    const end = Date.now() + 5000;
    while (freezerState(group) !== 'FROZEN' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(freezerState(group)).toBe('FROZEN');
    await lab.start(PLAIN); // running already: only thaws
    expect(fs.existsSync(group)).toBe(false);
    expectThawed(PLAIN);
  });

  it('LabRestorePoints: create (idempotent), find, list, restore, delete, on two hosts at once', async () => {
    const provider = new LabRestorePoints({ stateDir: STATE });
    const name = (h: string) => `patchwise-run1-${h}`;
    const boot = lab.bootTime(WEB);
    const created = await Promise.all([WEB, PLAIN].map((h) => provider.create(h, name(h))));
    expect(created.map((c) => c.status)).toEqual(['ready', 'ready']);
    expect(lab.bootTime(WEB)).toBe(boot); // live: no reboot
    const again = await provider.create(WEB, name(WEB));
    expect(again).toEqual(created[0]);
    expect(await provider.find(WEB, name(WEB))).toEqual(created[0]);
    expect(await provider.find(WEB, 'patchwise-other')).toBeUndefined();
    // Only patchwise's restore points are listed (not live-1).
    expect((await provider.list(WEB)).map((p) => p.name)).toEqual([name(WEB)]);

    sshOk(WEB, 'echo broken > /etc/motd');
    sshOk(PLAIN, 'echo broken > /etc/motd');
    await Promise.all([WEB, PLAIN].map((h) => provider.restore(h, name(h))));
    for (const h of [WEB, PLAIN]) expect(sshOk(h, 'cat /etc/motd')).not.toContain('broken');
    // Both restores rewrote known_hosts at once: both hosts are still in it (ssh above checked them).
    const known = fs.readFileSync(lab.paths.knownHosts, 'utf8');
    expect(known).toMatch(/^127\.0\.1\.170 ssh-ed25519 /m);
    expect(known).toMatch(/^127\.0\.1\.171 ssh-ed25519 /m);

    await provider.delete(WEB, name(WEB));
    await provider.delete(WEB, name(WEB)); // already gone: no error
    expect(await provider.list(WEB)).toEqual([]);
    await provider.powerCycle(PLAIN);
    expect(sshOk(PLAIN, 'hostname').trim()).toBe(PLAIN);
  });
});
