import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { extrasStep, ScriptedTransport, type ScriptStep } from '../../../test/helpers/scripted-transport.js';
import { OperationalError } from '../../core/errors.js';
import { AptOps } from './apt-ops.js';
import { COMM_SCRIPT } from './host-ops-base.js';

const fixture = (name: string) => readFixture('patching', name);
const ENV = [
  'env',
  'DEBIAN_FRONTEND=noninteractive',
  'NEEDRESTART_MODE=l',
  'APT_LISTCHANGES_FRONTEND=none',
  'UCF_FORCE_CONFFOLD=1',
];
const DPKG_FMT = '${Package}\\t${db:Status-Abbrev}\\t${Version}\\n';
const PERL = { name: 'perl-base', version: '5.36.0-7+deb12u4' };

function dpkgQuery(names: string[], stdout: string, code = 0): ScriptStep {
  return { argv: ['dpkg-query', '-W', '-f', DPKG_FMT, '--', ...names], result: { stdout, code } };
}

function ops(steps: ScriptStep[], files: Record<string, string> = {}) {
  const t = new ScriptedTransport(steps, files);
  return { t, apt: new AptOps(t) };
}

describe('AptOps runs exact argument vectors', () => {
  it('asks apt-cache policy for candidates', async () => {
    const { t, apt } = ops([
      {
        argv: ['apt-cache', 'policy', '--', 'perl-base', 'libc6'],
        result: { stdout: fixture('apt-cache-policy.txt') },
      },
    ]);
    expect(await apt.candidateVersions(['perl-base', 'libc6'])).toEqual({
      'perl-base': '5.36.0-7+deb12u4',
      libc6: '2.36-9+deb12u14',
    });
    expect(t.remaining).toBe(0);
  });

  it('reads installed versions; dpkg-query exit 1 means some are not installed', async () => {
    const { apt } = ops([
      dpkgQuery(['perl-base', 'libc6', 'nosuchpkg'], fixture('dpkg-query-versions.txt'), 1),
    ]);
    expect(await apt.installedVersions(['perl-base', 'libc6', 'nosuchpkg'])).toEqual({
      'perl-base': '5.36.0-7+deb12u2',
      libc6: '2.36-9+deb12u14',
      nosuchpkg: undefined,
    });
  });

  it('turns another dpkg-query failure into an OperationalError', async () => {
    const { apt } = ops([dpkgQuery(['perl-base'], '', 2)]);
    await expect(apt.installedVersions(['perl-base'])).rejects.toBeInstanceOf(OperationalError);
  });

  it('simulates with apt-get -s, reporting the dependencies it would bring along', async () => {
    const { apt } = ops([
      {
        argv: [
          'apt-get',
          '-s',
          '-o',
          'Debug::NoLocking=1',
          'install',
          '--only-upgrade',
          '--no-remove',
          '-y',
          '--',
          'perl-base=5.36.0-7+deb12u4',
        ],
        result: { stdout: fixture('apt-get-simulate.txt') },
      },
      dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u2\n'),
    ]);
    const r = await apt.simulate([PERL]);
    expect(r.ok).toBe(true);
    expect(r.installed).toEqual({ 'perl-base': '5.36.0-7+deb12u2' });
    expect(r.alsoChanged).toEqual([
      { name: 'libperl5.36', version: '5.36.0-7+deb12u4' },
      { name: 'perl', version: '5.36.0-7+deb12u4' },
      { name: 'perl-modules-5.36', version: '5.36.0-7+deb12u4' },
    ]);
  });

  it("reports a failed simulation with apt's own reason", async () => {
    const { apt } = ops([
      {
        argv: [
          'apt-get',
          '-s',
          '-o',
          'Debug::NoLocking=1',
          'install',
          '--only-upgrade',
          '--no-remove',
          '-y',
          '--',
          'perl-base=9.9',
        ],
        result: {
          code: 100,
          stdout: fixture('apt-get-simulate-missing.out'),
          stderr: fixture('apt-get-simulate-missing.err'),
        },
      },
      dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u2\n'),
    ]);
    const r = await apt.simulate([{ name: 'perl-base', version: '9.9' }]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe("apt-get exited 100: E: Version '9.9' for 'perl-base' was not found");
  });

  it('simulates a rollback with --allow-downgrades, as apply would run it', async () => {
    const older = { name: 'perl-base', version: '5.36.0-7+deb12u2' };
    const { apt } = ops([
      {
        argv: [
          'apt-get',
          '-s',
          '-o',
          'Debug::NoLocking=1',
          'install',
          '--allow-downgrades',
          '--no-remove',
          '-y',
          '--',
          'perl-base=5.36.0-7+deb12u2',
        ],
      },
      dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u4\n'),
    ]);
    expect(await apt.simulate([older], { downgrade: true })).toMatchObject({ ok: true, alsoChanged: [] });
  });

  it('refuses an empty hook', async () => {
    const { t, apt } = ops([]);
    await expect(apt.hook([])).rejects.toMatchObject({ code: 'bad-hook' });
    expect(t.calls).toEqual([]);
  });

  it('applies non-interactively, keeping config files, waiting for the lock, then checks the versions', async () => {
    const argv = [
      ...ENV,
      'apt-get',
      'install',
      '-y',
      '-q',
      '--only-upgrade',
      '--no-remove',
      '-o',
      'Dpkg::Options::=--force-confold',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'DPkg::Lock::Timeout=300',
      '--',
      'perl-base=5.36.0-7+deb12u4',
    ];
    const stdout =
      'Unpacking perl-base (5.36.0-7+deb12u4) over (5.36.0-7+deb12u2) ...\nUnpacking perl (5.36.0-7+deb12u4) over (5.36.0-7+deb12u2) ...\n';
    const { t, apt } = ops([
      { argv, result: { stdout } },
      dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u4\n'),
    ]);
    const r = await apt.apply([PERL], { lockTimeoutSeconds: 300 });
    expect(r).toMatchObject({ ok: true, installed: { 'perl-base': '5.36.0-7+deb12u4' } });
    expect(r.alsoChanged).toEqual([{ name: 'perl', version: '5.36.0-7+deb12u4' }]);
    expect(r.commands[0]!.stdout).toBe(stdout);
    expect(t.calls[0]!.opts.timeoutMs).toBe(300_000 + 15 * 60_000);
  });

  it('downgrades with --allow-downgrades instead of --only-upgrade', async () => {
    const argv = [
      ...ENV,
      'apt-get',
      'install',
      '-y',
      '-q',
      '--allow-downgrades',
      '--no-remove',
      '-o',
      'Dpkg::Options::=--force-confold',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'DPkg::Lock::Timeout=60',
      '--',
      'perl-base=5.36.0-7+deb12u2',
    ];
    const { apt } = ops([{ argv }, dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u4\n')]);
    const r = await apt.apply([{ name: 'perl-base', version: '5.36.0-7+deb12u2' }], {
      lockTimeoutSeconds: 60,
      downgrade: true,
    });
    expect(r.ok).toBe(false);
    expect(r.message).toBe('not at the target version: perl-base 5.36.0-7+deb12u4 (wanted 5.36.0-7+deb12u2)');
  });

  it('never runs anything for a name or version that could be read as an option', async () => {
    const { t, apt } = ops([]);
    const bad = [
      { name: '-oAPT::Get::AllowUnauthenticated=true', version: '1.0' },
      { name: 'perl-base', version: '--force-yes' },
      { name: 'perl-base', version: '1.0 --allow-downgrades' },
    ];
    for (const target of bad) {
      await expect(apt.apply([target], { lockTimeoutSeconds: 1 })).rejects.toMatchObject({
        name: 'UserError',
      });
      await expect(apt.simulate([target])).rejects.toMatchObject({ name: 'UserError' });
    }
    await expect(apt.candidateVersions(['--help'])).rejects.toMatchObject({ code: 'bad-package-name' });
    await expect(apt.installedVersions(['$(reboot)'])).rejects.toMatchObject({ code: 'bad-package-name' });
    await expect(apt.restartUnits(['--force'])).rejects.toMatchObject({ code: 'bad-unit-name' });
    expect(t.calls).toEqual([]);
  });

  it('examines with dpkg --audit and repairs with dpkg --configure -a', async () => {
    const half =
      "The following packages are only half configured, probably due to problems\nconfiguring them the first time.\n perl-base   Larry Wall's Practical Extraction and Report Language\n";
    const { apt } = ops([
      { argv: ['dpkg', '--audit'], result: { stdout: half, code: 1 } },
      dpkgQuery(['perl-base'], 'perl-base\tiF \t5.36.0-7+deb12u4\n'),
      { argv: [...ENV, 'dpkg', '--force-confold', '--force-confdef', '--configure', '-a'] },
      { argv: ['dpkg', '--audit'], result: { stdout: fixture('dpkg-audit.txt') } },
      dpkgQuery(['perl-base'], 'perl-base\tii \t5.36.0-7+deb12u4\n'),
    ]);
    const before = await apt.examineApply(['perl-base']);
    expect(before).toMatchObject({ consistent: false, installed: { 'perl-base': '5.36.0-7+deb12u4' } });
    expect(before.detail).toContain('half configured');
    expect((await apt.repair()).code).toBe(0);
    expect(await apt.examineApply(['perl-base'])).toMatchObject({ consistent: true });
  });

  it('reboots with systemctl reboot; a dropped connection counts as rebooting', async () => {
    const { apt } = ops([
      { argv: ['systemctl', 'reboot'], error: new OperationalError('ssh-unreachable', 'connection closed') },
      { argv: ['systemctl', 'reboot'], result: { code: 1, stderr: 'Failed to connect to bus' } },
    ]);
    await expect(apt.reboot()).resolves.toBeUndefined();
    await expect(apt.reboot()).rejects.toMatchObject({ code: 'reboot-failed' });
  });

  it('restarts units with systemctl restart and runs hooks as given', async () => {
    const { apt } = ops([
      { argv: ['systemctl', 'restart', '--', 'nginx.service', 'cron.service'] },
      { argv: ['/usr/local/bin/drain', 'web 1; reboot'], result: { stdout: 'drained\n' } },
    ]);
    expect((await apt.restartUnits(['nginx.service', 'cron.service'])).argv).toEqual([
      'systemctl',
      'restart',
      '--',
      'nginx.service',
      'cron.service',
    ]);
    expect(await apt.hook(['/usr/local/bin/drain', 'web 1; reboot'])).toEqual({
      argv: ['/usr/local/bin/drain', 'web 1; reboot'],
      code: 0,
      stdout: 'drained\n',
      stderr: '',
    });
  });
});

/** The probe sections of a Debian VM whose kernel was upgraded and whose nginx maps a replaced libssl. */
const UPGRADED_HOST = {
  uid: '0',
  uname: '6.1.0-18-amd64',
  now: '1733390000',
  stat: 'btime 1733300000',
  pid1: '1 (systemd) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 250 0',
  clk: '100',
  boot: 'config-6.1.0-18-amd64\nvmlinuz-6.1.0-18-amd64\nvmlinuz-6.1.0-21-amd64',
  reboot: 'yes',
  rebootpkgs: 'linux-image-6.1.0-21-amd64\nlibc6',
  deleted: [
    '/proc/812/maps:7f1c2a000000-7f1c2a1b0000 r-xp 00000000 fe:01 131 /usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)',
    '/proc/900/maps:7f1c2a000000-7f1c2a1b0000 r-xp 00000000 fe:01 132 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)',
    '/proc/901/maps:7f1c2a000000-7f1c2a1b0000 r-xp 00000000 fe:01 132 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)',
    '/proc/902/maps:7f1c2a000000-7f1c2a1b0000 r-xp 00000000 fe:01 132 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)',
    '/proc/903/maps:7f1c2a000000-7f1c2a1b0000 r-xp 00000000 fe:01 132 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)',
  ].join('\n'),
  comm: '812\tnginx\n900\tbash\n901\tdbus-daemon\n902\tsleep\n903\tsystemd',
  cgroup: [
    '812\t0::/system.slice/nginx.service',
    '900\t0::/user.slice/user-1000.slice/session-3.scope',
    '901\t0::/system.slice/dbus.service',
    '902\t0::/',
    '903\t0::/user.slice/user-1000.slice/user@1000.service/init.scope',
  ].join('\n'),
};

describe('AptOps reads boot, reboot and the restart list with the scan probe', () => {
  it('sorts stale processes into restartable services and the rest', async () => {
    const { apt } = ops([extrasStep(UPGRADED_HOST)]);
    expect(await apt.restartList()).toEqual({
      units: ['nginx.service'],
      other: ['dbus.service', 'init.scope', 'session-3.scope', 'sleep (pid 902)'],
    });
  });

  it('reports /run/reboot-required and a newer installed kernel', async () => {
    const { apt } = ops([extrasStep(UPGRADED_HOST)]);
    expect(await apt.rebootPending()).toEqual({
      pending: true,
      why: [
        '/run/reboot-required (linux-image-6.1.0-21-amd64, libc6)',
        'kernel 6.1.0-21-amd64 is installed, 6.1.0-18-amd64 is running',
      ],
    });
  });

  it('takes boot time as btime plus PID 1 start ticks / CLK_TCK', async () => {
    const { apt } = ops([extrasStep(UPGRADED_HOST)]);
    expect(await apt.bootTime()).toBe(new Date((1733300000 + 3) * 1000).toISOString());
  });

  it('prechecks free space, a running package manager, reboot and boot time', async () => {
    const df =
      'Filesystem 1048576-blocks Used Available Capacity Mounted on\n/dev/vda1 9000 8700 300 97% /\n/dev/vdb1 9000 100 8900 2% /var\n';
    const { t, apt } = ops([
      { argv: ['df', '-Pm', '/', '/var'], result: { stdout: df } },
      { argv: ['sh', '-c', COMM_SCRIPT], result: { stdout: '1\tsystemd\n4242\tunattended-upgr\n' } },
      extrasStep(UPGRADED_HOST),
    ]);
    expect(await apt.precheck({ minFreeMiB: 500 })).toEqual({
      problems: [
        'only 300 MiB free on / or /var, less than the 500 MiB required',
        'a package manager is running: unattended-upgr (pid 4242)',
      ],
      freeMiB: 300,
      lockHolder: 'unattended-upgr (pid 4242)',
      rebootPending: true,
      bootTime: new Date((1733300000 + 3) * 1000).toISOString(),
    });
    expect(t.remaining).toBe(0);
  });
});
