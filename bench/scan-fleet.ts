/**
 * Fleet scan benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * Brings up (or reuses) a lab of BENCH_HOSTS real Debian 12 hosts (default 20; names labbench-N on
 * 127.0.1.221+), pins their host keys, then times, cold (no ssh master connection alive):
 *   1. patchwise's fleet scan (scanFleet: os-release, dpkg-query with source names, and the extras probe:
 *      kernel, boot, reboot, restart list, sockets), concurrency = BENCH_HOSTS, each result stored;
 *   2. the same fleet's package inventory gathered by Ansible: ansible-core from Debian, a playbook
 *      running `package_facts` (gather_facts off), forks = BENCH_HOSTS, with Ansible's own
 *      ControlPersist multiplexing;
 * and prints wall time, time per host, and the ratio Ansible / patchwise. BENCH_RUNS (default 3) runs
 * each; the median is reported.
 *
 * Needs root and, once: `apt-get install -y ansible-core`. Ansible needs Python and, for package_facts,
 * python3-apt on every target; the lab's minimal Debian has neither, so the bench installs python3-apt in
 * each host first, outside the timing (patchwise needs nothing but sh and coreutils there). The lab stays
 * up for the next run; BENCH_DOWN=1 stops it.
 *
 * Run: npm run bench:scan   (or BENCH_HOSTS=10 BENCH_RUNS=1 npm run bench:scan)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lab } from '../lab/lab.js';
import { scanFleet } from '../src/app/fleet-scan.js';
import { trustHosts } from '../src/app/trust-hosts.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { SshTransport, type SshTarget } from '../src/adapters/transport/ssh-transport.js';
import {
  knownHostsPath,
  sshSettingsFor,
  transportFactory,
} from '../src/adapters/transport/transport-for-host.js';
import type { Host } from '../src/core/inventory/host.js';

const N = Number(process.env.BENCH_HOSTS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const say = (s: string) => process.stderr.write(`bench: ${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (the lab needs it)');
  if (spawnSync('ansible-playbook', ['--version']).status !== 0)
    throw new Error('install ansible-core first: apt-get install -y ansible-core');
  const lab = new Lab({
    stateDir: '/var/lib/patchwise-lab-bench',
    namePrefix: 'labbench',
    firstAddress: 221,
  });
  say(`lab up: ${N} hosts`);
  await lab.up(N, ['plain']);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-'));
  const dataDir = path.join(work, 'data');
  const hosts: Host[] = lab
    .hosts()
    .slice(0, N)
    .map((h) => ({
      name: h.name,
      services: [],
      tags: {},
      connection: { ssh: { host: h.address, user: 'root', identityFile: lab.paths.key } },
    }));
  await trustHosts(hosts, { knownHostsFile: knownHostsPath(dataDir) });
  say('python3-apt for Ansible in every host');
  const install =
    'dpkg --configure -a >/dev/null 2>&1; python3 -c "import apt" 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-apt >/dev/null';
  for (let i = 0; i < hosts.length; i += 5) {
    await Promise.all(
      hosts.slice(i, i + 5).map((h) => lab.exec(h.name, ['sh', '-c', install], { timeoutMs: 1_800_000 })),
    );
  }

  const pw: number[] = [];
  const an: number[] = [];
  let packages = 0;
  for (let run = 1; run <= RUNS; run++) {
    await dropMasters(hosts, dataDir);
    pw.push(await timePatchwise(hosts, path.join(work, `pw-${run}`), dataDir, (n) => (packages = n)));
    an.push(timeAnsible(hosts, work, knownHostsPath(dataDir), lab.paths.key, run));
    say(`run ${run}: patchwise ${pw.at(-1)!.toFixed(2)} s, ansible ${an.at(-1)!.toFixed(2)} s`);
  }
  report(median(pw), median(an), packages, os.loadavg()[0]!);
  await dropMasters(hosts, dataDir);
  if (process.env.BENCH_DOWN) await lab.down();
}

function sshOf(h: Host): SshTarget {
  if (!h.connection || !('ssh' in h.connection)) throw new Error(`${h.name} has no ssh connection`);
  return h.connection.ssh;
}

async function dropMasters(hosts: Host[], dataDir: string): Promise<void> {
  const settings = sshSettingsFor(dataDir);
  await Promise.all(
    hosts.map((h) =>
      new SshTransport(sshOf(h), settings).close({
        exitMaster: true,
      }),
    ),
  );
}

async function timePatchwise(
  hosts: Host[],
  storeDir: string,
  dataDir: string,
  onPackages: (n: number) => void,
): Promise<number> {
  fs.mkdirSync(storeDir, { recursive: true });
  fs.copyFileSync(knownHostsPath(dataDir), knownHostsPath(storeDir));
  const store = await openStore(storeDir);
  const t0 = performance.now();
  const results = await scanFleet(hosts, {
    concurrency: hosts.length,
    transportFor: transportFactory(storeDir),
    store,
  });
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  const failed = results.filter((r) => r.status !== 'ok');
  if (failed.length)
    throw new Error(
      `patchwise: ${failed.length} hosts failed: ${failed.map((r) => `${r.host} ${r.reason}`).join(', ')}`,
    );
  onPackages(results.reduce((s, r) => s + r.packages, 0));
  await dropMasters(hosts, storeDir);
  return seconds;
}

function timeAnsible(hosts: Host[], work: string, knownHosts: string, key: string, run: number): number {
  const dir = path.join(work, `ansible-${run}`);
  fs.mkdirSync(dir, { recursive: true });
  const inventory = hosts.map((h) => `${h.name} ansible_host=${sshOf(h).host}`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'hosts.ini'),
    `[lab]\n${inventory}\n\n[lab:vars]\nansible_user=root\nansible_ssh_private_key_file=${key}\nansible_python_interpreter=/usr/bin/python3\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'ansible.cfg'),
    `[defaults]\nforks = ${hosts.length}\nhost_key_checking = True\nstdout_callback = minimal\nretry_files_enabled = False\n\n[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${knownHosts} -o BatchMode=yes\ncontrol_path_dir = ${dir}/cp\npipelining = True\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'play.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: package inventory\n      package_facts:\n        manager: apt\n',
  );
  const t0 = performance.now();
  const r = spawnSync('ansible-playbook', ['-i', 'hosts.ini', 'play.yml'], {
    cwd: dir,
    env: { ...process.env, ANSIBLE_CONFIG: path.join(dir, 'ansible.cfg') },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(
      `ansible-playbook failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    );
  spawnSync('sh', [
    '-c',
    `for s in ${dir}/cp/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`,
  ]);
  return seconds;
}

function report(pw: number, an: number, packages: number, load: number): void {
  const cpu = `${os.cpus().length} CPUs, load ${load.toFixed(1)}`;
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
  process.stdout.write(
    [
      `fleet scan benchmark: ${N} lab hosts, median of ${RUNS} cold runs (${cpu}; ${ssh || 'OpenSSH'})`,
      `  patchwise scan (packages + kernel/boot/reboot/restart list/sockets): ${pw.toFixed(2)} s wall, ${((pw / N) * 1000).toFixed(0)} ms per host, ${packages} packages`,
      `  ansible package_facts (forks=${N}):                                  ${an.toFixed(2)} s wall, ${((an / N) * 1000).toFixed(0)} ms per host`,
      `  ratio ansible / patchwise: ${(an / pw).toFixed(2)}x (target >= 3x)`,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
