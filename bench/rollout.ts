/**
 * Rollout benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * Patches N real lab hosts (Debian 12 in systemd-nspawn, role plain) with one real bookworm-security
 * update, perl-base to its bookworm-security candidate, twice from the same starting state:
 * - patchwise: `patchwise run --emergency --reason bench --packages perl-base=VERSION` with the lab's
 *   patchwise.yaml plus `rollout: { canary: 0, maxConcurrency: N, settleSeconds: S }`: pre-checks, a
 *   live restore point per host (the lab provider), apply, reboot if needed, restarts, verify (health,
 *   settle, reboot check, restart list, rescan);
 * - Ansible: one `ansible.builtin.apt` task (`perl-base=VERSION`), forks = N, no facts, no snapshot and
 *   no verification.
 * Each side is timed wall-clock from process start to exit (GNU time, which also gives patchwise's peak
 * RSS), after every host was restored to the `bench-base` snapshot. After each side every host's
 * perl-base version is read, so a side that did nothing cannot look fast.
 *
 * Untimed setup: lab up, python3-apt in every host (Ansible's apt module needs it; the debs are fetched
 * once and shared), the `bench-base` snapshots, `feeds import test/fixtures/advisories/bookworm-security`
 * (the perl/pcre2 records the verify's rescan needs, nothing else) and one `scan --all`.
 *
 * Knobs: BENCH_HOSTS (default 10,20; at most 20 hosts), BENCH_SETTLE (settleSeconds, default the
 * product's 10). Needs root, the lab's prerequisites, ansible-playbook and `npm run build`.
 *
 * Run: npm run build && npm run bench:rollout
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Lab } from '../lab/lab.js';
import {
  CLI,
  DEFAULT_SETTLE_S,
  ROOT,
  benchConfig,
  cli,
  fmt,
  inHost,
  load,
  mapLimit,
  phases,
  runIdOf,
  say,
  showRun,
  stepFigures,
  timed,
  withLab,
} from './lab-bench.js';

const SIZES = (process.env.BENCH_HOSTS ?? '10,20').split(',').map(Number);
const SETTLE_S = Number(process.env.BENCH_SETTLE ?? DEFAULT_SETTLE_S);
/** `staged` (lower tiers first, one batch per tier): the product's default (true) unless set. */
const STAGED = process.env.BENCH_STAGED === undefined ? undefined : process.env.BENCH_STAGED !== 'false';
const BASE = 'bench-base';
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q';

async function prepare(lab: Lab, names: string[]): Promise<string> {
  // Ansible's apt module needs python3 and python3-apt on the target. Download once, share the debs
  // through the lab's shared apt directory (/var/cache/lab-apt-shared in every host).
  const t0 = performance.now();
  await inHost(
    lab,
    names[0]!,
    `${APT} --download-only install python3-apt && cp /var/cache/apt/archives/*.deb /var/cache/lab-apt-shared/`,
  );
  await mapLimit(names, 5, (h) =>
    inHost(
      lab,
      h,
      `cp /var/cache/lab-apt-shared/*.deb /var/cache/apt/archives/ && ${APT} install python3-apt && apt-get clean`,
    ),
  );
  say(
    `python3-apt installed in ${names.length} hosts in ${fmt((performance.now() - t0) / 1000, 1)} s (untimed)`,
  );
  const policy = await inHost(lab, names[0]!, 'apt-cache policy perl-base');
  const installed = /Installed: (\S+)/.exec(policy)?.[1];
  const candidate = /Candidate: (\S+)/.exec(policy)?.[1];
  if (!candidate || candidate === installed)
    throw new Error(`perl-base has no pending update in the hosts' indexes:\n${policy}`);
  say(`perl-base: installed ${installed}, candidate ${candidate} (apt-cache policy in ${names[0]})`);
  await mapLimit(names, 5, (h) => lab.snapshot(h, BASE));
  return candidate;
}

/** Restores the hosts to bench-base and drops the restore points earlier runs left. */
async function reset(lab: Lab, names: string[]): Promise<void> {
  await mapLimit(names, 5, async (h) => {
    await lab.restore(h, BASE);
    for (const s of lab.listSnapshots(h)) if (s.name.startsWith('patchwise-')) lab.deleteSnapshot(h, s.name);
  });
}

async function perlCount(lab: Lab, names: string[], version: string): Promise<number> {
  const v = await mapLimit(names, 5, (h) => inHost(lab, h, "dpkg-query -W -f '${Version}' perl-base"));
  return v.filter((x) => x.trim() === version).length;
}

function ansibleFiles(lab: Lab, work: string, names: string[], n: number, version: string) {
  const addr = new Map(lab.hosts().map((h) => [h.name, h.address]));
  const ssh = `-o UserKnownHostsFile=${lab.paths.knownHosts} -o StrictHostKeyChecking=yes`;
  const inventory = path.join(work, `inventory-${n}.ini`);
  fs.writeFileSync(
    inventory,
    [
      '[lab]',
      ...names.map((h) => `${h} ansible_host=${addr.get(h)}`),
      '[lab:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${lab.paths.key}`,
      `ansible_ssh_common_args='${ssh}'`,
      'ansible_python_interpreter=/usr/bin/python3',
      '',
    ].join('\n'),
  );
  const cfg = path.join(work, `ansible-${n}.cfg`);
  fs.writeFileSync(cfg, `[defaults]\nforks = ${n}\nhost_key_checking = True\nretry_files_enabled = False\n`);
  const playbook = path.join(work, 'perl-base.yml');
  fs.writeFileSync(
    playbook,
    [
      '- hosts: lab',
      '  gather_facts: false',
      '  tasks:',
      '    - name: perl-base from bookworm-security',
      '      ansible.builtin.apt:',
      `        name: perl-base=${version}`,
      '',
    ].join('\n'),
  );
  return { inventory, cfg, playbook };
}

async function main(): Promise<void> {
  const max = Math.max(...SIZES);
  if (max > 20) throw new Error('BENCH_HOSTS: at most 20 hosts (the bench lab has 127.0.1.100-119)');
  say(`bench:rollout ${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${load()}`);
  say(
    `sizes ${SIZES.join(',')}; rollout canary 0, maxConcurrency N, settleSeconds ${SETTLE_S}, staged ${STAGED ?? 'true (default)'}`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-bench-rollout-'));
  const dataDir = path.join(work, 'data');
  await withLab(async (lab) => {
    let t0 = performance.now();
    await lab.up(max, ['plain']);
    const all = lab.hosts().map((h) => h.name);
    say(`lab up: ${all.length} plain hosts in ${fmt((performance.now() - t0) / 1000, 1)} s (load ${load()})`);
    const version = await prepare(lab, all);
    // Only the perl/pcre2 records: the real Debian 12 set would put many packages in the plan.
    const cfgAll = benchConfig(lab, path.join(work, 'all.yaml'), all, {});
    cli(cfgAll, dataDir, ['feeds', 'import', path.join(ROOT, 'test/fixtures/advisories/bookworm-security')]);
    t0 = performance.now();
    cli(cfgAll, dataDir, ['scan', '--all']);
    say(
      `feeds import (bookworm-security fixture) + scan --all of ${all.length} hosts: untimed, scan ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );

    for (const n of SIZES) {
      const names = all.slice(0, n);
      say(`\n== N = ${n} hosts ==`);
      const cfg = benchConfig(lab, path.join(work, `rollout-${n}.yaml`), names, {
        canary: 0,
        maxConcurrency: n,
        settleSeconds: SETTLE_S,
        ...(STAGED === undefined ? {} : { staged: STAGED }),
      });

      await reset(lab, names);
      const before = await perlCount(lab, names, version);
      const loadPw = load();
      const pw = await timed(
        [
          'node',
          CLI,
          '--config',
          cfg,
          '--data-dir',
          dataDir,
          'run',
          '--emergency',
          '--reason',
          'bench',
          '--packages',
          `perl-base=${version}`,
          '--json',
        ],
        work,
      );
      const pwHosts = await perlCount(lab, names, version);
      const id = runIdOf(pw.stdout);
      const show = id ? showRun(cfg, dataDir, id) : undefined;
      const verified = show?.hosts.filter((h) => h.state === 'verified').length ?? 0;
      say(
        `patchwise: ${fmt(pw.wallS)} s wall, peak RSS ${fmt(pw.rssMiB ?? NaN, 0)} MiB, exit ${pw.code}, run ${id ?? '?'} ${show?.run.state ?? ''}, ${verified}/${n} verified, perl-base ${version} on ${pwHosts}/${n} (before: ${before}) [load at start ${loadPw}, end ${load()}]`,
      );
      if (show) {
        for (const h of show.hosts.filter((x) => x.state !== 'verified'))
          say(`  ${h.host}: ${h.state} ${h.reason ?? ''}`);
        say('  where the wall time went (batches: staged rollout, lower tiers first):');
        for (const l of phases(show, pw)) say(l);
        say('  per-step time per host (startedAt..endedAt from runs show --json):');
        for (const l of stepFigures(show)) say(l);
      } else say(`  no run id; stderr: ${pw.stderr.slice(-800)}`);

      await reset(lab, names);
      const beforeA = await perlCount(lab, names, version);
      const f = ansibleFiles(lab, work, names, n, version);
      const loadA = load();
      const an = await timed(['ansible-playbook', '-i', f.inventory, f.playbook], work, {
        ...process.env,
        ANSIBLE_CONFIG: f.cfg,
      });
      const anHosts = await perlCount(lab, names, version);
      const recap = (an.stdout.split('PLAY RECAP')[1] ?? '')
        .split('\n')
        .filter((l) => /\bok=\d+/.test(l)).length;
      say(
        `ansible:   ${fmt(an.wallS)} s wall, peak RSS ${fmt(an.rssMiB ?? NaN, 0)} MiB (ansible-playbook's own process), exit ${an.code}, ${recap} hosts in the recap, perl-base ${version} on ${anHosts}/${n} (before: ${beforeA}) [load at start ${loadA}, end ${load()}]`,
      );
      if (an.code !== 0) say(`  ansible output tail:\n${an.stdout.slice(-1500)}${an.stderr.slice(-800)}`);
      say(`ratio patchwise / ansible: ${fmt(pw.wallS / an.wallS)} (target <= 1.0)`);
    }
  });
  say(`done ${new Date().toISOString()}, load ${load()}; work dir ${work}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
