import { describe, expect, it } from 'vitest';
import { extrasStep, ScriptedTransport, type ScriptStep } from '../../../test/helpers/scripted-transport.js';
import { OperationalError } from '../../core/errors.js';
import { RPM_QUERY_FORMAT } from '../../core/inventory/parse-rpm-query.js';
import { REPOQUERY_FORMAT } from '../../core/patching/parse-dnf-output.js';
import { DnfOps } from './dnf-ops.js';

// Scripted transport only: this project has no RHEL-like machine yet; the lab proves these commands later.
const SSL = { name: 'openssl-libs', version: '1:3.0.7-27.el9' };
const rpmQ = (names: string[], stdout: string, code = 0): ScriptStep => ({
  argv: ['rpm', '-q', '--qf', RPM_QUERY_FORMAT, '--', ...names],
  result: { stdout, code },
});
const rpmLine = (name: string, epoch: string, v: string, r: string) =>
  `${name}\t${epoch}\t${v}\t${r}\tx86_64\t${name}-${v}-${r}.src.rpm\n`;

function ops(steps: ScriptStep[]) {
  const t = new ScriptedTransport(steps);
  return { t, dnf: new DnfOps(t) };
}

describe('DnfOps runs exact argument vectors', () => {
  it('asks dnf repoquery for the newest available version', async () => {
    const { dnf } = ops([
      {
        argv: [
          'dnf',
          '-q',
          'repoquery',
          '--available',
          '--latest-limit',
          '1',
          '--qf',
          REPOQUERY_FORMAT,
          '--',
          'openssl-libs',
        ],
        result: { stdout: 'openssl-libs\t1:3.0.7-27.el9\n' },
      },
    ]);
    expect(await dnf.candidateVersions(['openssl-libs'])).toEqual({ 'openssl-libs': '1:3.0.7-27.el9' });
  });

  it('reads installed versions with rpm -q, the newest of several (kernels)', async () => {
    const out =
      rpmLine('kernel-core', '(none)', '5.14.0', '362.8.1.el9_3') +
      rpmLine('kernel-core', '(none)', '5.14.0', '427.13.1.el9_4') +
      'package absent is not installed\n';
    const { dnf } = ops([rpmQ(['kernel-core', 'absent'], out, 1)]);
    expect(await dnf.installedVersions(['kernel-core', 'absent'])).toEqual({
      'kernel-core': '5.14.0-427.13.1.el9_4',
      absent: undefined,
    });
  });

  it('simulates with dnf --assumeno: exit 1 with "Operation aborted" is a good simulation', async () => {
    const table = [
      'Upgrading:',
      ' openssl-libs  x86_64  1:3.0.7-27.el9  baseos  2.1 M',
      ' openssl       x86_64  1:3.0.7-27.el9  baseos  1.2 M',
      '',
      'Operation aborted.',
    ].join('\n');
    const { dnf } = ops([
      {
        argv: ['dnf', '--assumeno', 'upgrade', '--', 'openssl-libs-1:3.0.7-27.el9'],
        result: { code: 1, stdout: table },
      },
      rpmQ(['openssl-libs'], rpmLine('openssl-libs', '1', '3.0.7', '25.el9')),
    ]);
    const r = await dnf.simulate([SSL]);
    expect(r).toMatchObject({ ok: true, installed: { 'openssl-libs': '1:3.0.7-25.el9' } });
    expect(r.alsoChanged).toEqual([{ name: 'openssl', version: '1:3.0.7-27.el9' }]);
  });

  it('applies with dnf -y upgrade (downgrade for a rollback) and checks the versions', async () => {
    const { dnf } = ops([
      {
        argv: [
          'dnf',
          '-y',
          '--setopt=install_weak_deps=False',
          'upgrade',
          '--',
          'openssl-libs-1:3.0.7-27.el9',
        ],
      },
      rpmQ(['openssl-libs'], rpmLine('openssl-libs', '1', '3.0.7', '27.el9')),
      {
        argv: [
          'dnf',
          '-y',
          '--setopt=install_weak_deps=False',
          'downgrade',
          '--',
          'openssl-libs-1:3.0.7-25.el9',
        ],
        result: { code: 1, stdout: 'Error: No match for argument\n' },
      },
      rpmQ(['openssl-libs'], rpmLine('openssl-libs', '1', '3.0.7', '27.el9')),
    ]);
    expect(await dnf.apply([SSL], { lockTimeoutSeconds: 60 })).toMatchObject({ ok: true });
    const back = await dnf.apply([{ ...SSL, version: '1:3.0.7-25.el9' }], {
      lockTimeoutSeconds: 60,
      downgrade: true,
    });
    expect(back).toMatchObject({ ok: false, message: 'dnf exited 1: Error: No match for argument' });
  });

  it('examines with rpm --verifydb and repairs with rpm --rebuilddb', async () => {
    const { dnf } = ops([
      {
        argv: ['rpm', '--verifydb'],
        result: { code: 1, stderr: 'error: rpmdbNextIterator: skipping h# 42' },
      },
      rpmQ(['openssl-libs'], rpmLine('openssl-libs', '1', '3.0.7', '27.el9')),
      { argv: ['rpm', '--rebuilddb'] },
    ]);
    expect(await dnf.examineApply(['openssl-libs'])).toMatchObject({ consistent: false });
    expect((await dnf.repair()).argv).toEqual(['rpm', '--rebuilddb']);
  });

  it('adds needs-restarting -r (exit 1) to the pending reboot, and does without it when missing', async () => {
    const host = {
      uid: '0',
      uname: '5.14.0-427.13.1.el9_4.x86_64',
      stat: 'btime 1733300000',
      boot: 'vmlinuz-5.14.0-427.13.1.el9_4.x86_64',
    };
    const { dnf } = ops([
      extrasStep(host),
      {
        argv: ['needs-restarting', '-r'],
        result: {
          code: 1,
          stdout:
            'Core libraries or services have been updated since boot-up:\n  * glibc\n  * systemd\n\nReboot is required to fully utilize these updates.\n',
        },
      },
      extrasStep(host),
      {
        argv: ['needs-restarting', '-r'],
        error: new OperationalError('command-missing', 'no needs-restarting'),
      },
    ]);
    expect(await dnf.rebootPending()).toEqual({
      pending: true,
      why: ['needs-restarting -r: glibc, systemd'],
    });
    expect(await dnf.rebootPending()).toEqual({ pending: false, why: [] });
  });

  it('rejects option-like names before running anything', async () => {
    const { t, dnf } = ops([]);
    await expect(
      dnf.apply([{ name: '--nogpgcheck', version: '1.0-1' }], { lockTimeoutSeconds: 1 }),
    ).rejects.toMatchObject({ code: 'bad-package-name' });
    await expect(dnf.simulate([{ name: 'openssl', version: '1.0-1 --nogpgcheck' }])).rejects.toMatchObject({
      code: 'bad-package-version',
    });
    expect(t.calls).toEqual([]);
  });
});
