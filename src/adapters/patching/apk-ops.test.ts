import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { extrasStep, ScriptedTransport, type ScriptStep } from '../../../test/helpers/scripted-transport.js';
import { APK_INSTALLED_PATH } from '../../core/inventory/parse-apk-installed.js';
import { ApkOps } from './apk-ops.js';

// Scripted transport only: this project has no Alpine machine yet; the lab proves these commands later.
const INSTALLED = readFixture('collect', 'apk-installed.txt');
const installedBusybox = /^P:busybox\nV:(\S+)$/m.exec(INSTALLED)![1]!;

function ops(steps: ScriptStep[], db = INSTALLED) {
  const t = new ScriptedTransport(steps, { [APK_INSTALLED_PATH]: db });
  return { t, apk: new ApkOps(t) };
}

describe('ApkOps runs exact argument vectors', () => {
  it('reads installed versions from the same database file and parser as the scan', async () => {
    const { t, apk } = ops([]);
    expect(await apk.installedVersions(['busybox', 'absent'])).toEqual({
      busybox: installedBusybox,
      absent: undefined,
    });
    expect(t.calls).toEqual([]);
  });

  it('asks apk policy for candidates', async () => {
    const { apk } = ops([
      {
        argv: ['apk', 'policy', 'busybox'],
        result: {
          stdout: 'busybox policy:\n  1.36.1-r20:\n    https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n',
        },
      },
    ]);
    expect(await apk.candidateVersions(['busybox'])).toEqual({ busybox: '1.36.1-r20' });
  });

  it('simulates and applies with a lower bound (an exact pin would stay in /etc/apk/world)', async () => {
    const target = { name: 'busybox', version: installedBusybox };
    const { apk } = ops([
      {
        argv: ['apk', 'add', '--simulate', '--no-cache', `busybox>=${installedBusybox}`],
        result: { stdout: `(1/1) Upgrading busybox (1.0-r0 -> ${installedBusybox})\nOK\n` },
      },
      { argv: ['apk', 'add', '--no-cache', '--wait', '120', `busybox>=${installedBusybox}`] },
      { argv: ['apk', 'add', '--no-cache', '--wait', '120', `busybox=${installedBusybox}`] },
    ]);
    expect(await apk.simulate([target])).toMatchObject({ ok: true, alsoChanged: [] });
    expect(await apk.apply([target], { lockTimeoutSeconds: 120 })).toMatchObject({ ok: true });
    expect(await apk.apply([target], { lockTimeoutSeconds: 120, downgrade: true })).toMatchObject({
      ok: true,
    });
  });

  it('examines with apk fix --simulate and repairs with apk fix', async () => {
    const { apk } = ops([
      { argv: ['apk', 'fix', '--simulate'], result: { stdout: '(1/1) Reinstalling busybox (1.36.1-r20)\n' } },
      { argv: ['apk', 'fix', '--no-cache'] },
    ]);
    expect(await apk.examineApply(['busybox'])).toMatchObject({
      consistent: false,
      detail: 'apk fix --simulate (exit 0): busybox',
    });
    expect((await apk.repair()).code).toBe(0);
  });

  it('restarts OpenRC services by name as positional parameters of a fixed script', async () => {
    const script = 'r=0; for s; do rc-service "$s" restart || r=$?; done; exit $r';
    const { apk } = ops([{ argv: ['sh', '-c', script, 'sh', 'nginx', 'sshd'] }, { argv: ['reboot'] }]);
    await apk.restartUnits(['nginx', 'sshd']);
    await apk.reboot();
  });

  it('counts a running kernel that is no longer installed as a pending reboot', async () => {
    const { apk } = ops([extrasStep({ uid: '0', uname: '6.6.14-0-lts', modules: '6.6.31-0-lts' })]);
    expect(await apk.rebootPending()).toEqual({
      pending: true,
      why: [
        'the running kernel 6.6.14-0-lts is no longer installed',
        'kernel 6.6.31-0-lts is installed, 6.6.14-0-lts is running',
      ],
    });
  });

  it('rejects option-like names before running anything', async () => {
    const { t, apk } = ops([]);
    await expect(apk.simulate([{ name: '--allow-untrusted', version: '1.0-r0' }])).rejects.toMatchObject({
      code: 'bad-package-name',
    });
    await expect(apk.candidateVersions(['-X'])).rejects.toMatchObject({ code: 'bad-package-name' });
    expect(t.calls).toEqual([]);
  });
});
