import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import {
  installedKernels,
  parseBootInfo,
  parseBtime,
  parseProcStatStartTime,
  parseProcUptime,
} from './parse-boot-info.js';
import { splitSections } from './parse-host-extras.js';

const dev = splitSections(readFixture('collect', 'host-extras-dev.txt'), '@@pw-abc123@@');

describe('parseBootInfo', () => {
  it('reads captured probes: boot time is PID 1 start, uptime from the host clock', () => {
    const b = parseBootInfo({
      uname: dev.get('uname'),
      now: dev.get('now'),
      stat: dev.get('stat'),
      pid1Stat: dev.get('pid1'),
      clkTck: dev.get('clk'),
      uptime: dev.get('uptime'),
      boot: dev.get('boot'),
      modules: dev.get('modules'),
      rebootFlag: dev.get('reboot'),
      rebootPkgs: dev.get('rebootpkgs'),
    });
    const btime = parseBtime(dev.get('stat')!)!;
    const start = parseProcStatStartTime(dev.get('pid1')!)!;
    expect(b.kernel).toEqual({ running: '6.18.44-fc-v782', installed: [] });
    expect(b.bootTime).toBe(new Date(Math.round(btime + start / 100) * 1000).toISOString());
    expect(b.uptimeSeconds).toBe(Math.round(Number(dev.get('now')) - (btime + start / 100)));
    expect(b.reboot).toEqual({ required: false, packages: [] });
    expect(b.issues).toEqual([]);
  });

  it('reads a pending reboot and its packages', () => {
    const b = parseBootInfo({
      rebootFlag: 'yes\n',
      rebootPkgs: 'linux-image-6.1.0-20-amd64\nlibc6\nlibc6\n',
    });
    expect(b.reboot).toEqual({ required: true, packages: ['linux-image-6.1.0-20-amd64', 'libc6'] });
  });

  it.each([
    ['shell metacharacters', '$(reboot)\nlibc6'],
    ['binary garbage', '\x00\x01\x02ELF\nlibc6'],
    ['an absurdly long line', 'a'.repeat(100_000) + '\nlibc6'],
  ])('records %s in reboot-required.pkgs as issues, never fatal', (_what, pkgs) => {
    const b = parseBootInfo({ rebootFlag: 'yes', rebootPkgs: pkgs });
    expect(b.reboot).toEqual({ required: true, packages: ['libc6'] });
    expect(b.issues).toHaveLength(1);
  });

  it('counts a missing running kernel as a reboot only when asked (Alpine)', () => {
    const p = { uname: '6.6.30-0-lts', modules: '6.6.31-0-lts\n', rebootFlag: 'no' };
    expect(parseBootInfo(p).reboot?.required).toBe(false);
    expect(parseBootInfo(p, { missingKernelMeansReboot: true }).reboot).toEqual({
      required: true,
      packages: ['kernel'],
    });
    expect(
      parseBootInfo({ ...p, modules: '6.6.30-0-lts\n' }, { missingKernelMeansReboot: true }).reboot?.required,
    ).toBe(false);
  });

  it('rejects a garbage kernel name and falls back to /proc/uptime without PID 1', () => {
    const b = parseBootInfo({ uname: '6.1; rm -rf /', uptime: '1234.56 99.0\n' });
    expect(b.kernel).toBeUndefined();
    expect(b.uptimeSeconds).toBe(1234);
    expect(b.issues[0]!.message).toMatch(/uname -r printed/);
  });
});

describe('helpers', () => {
  it('counts /proc/PID/stat fields after the last parenthesis', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    expect(parseProcStatStartTime(`1 (we) ird) name) ${fields}`)).toBe(22);
    expect(parseProcStatStartTime('garbage')).toBeUndefined();
    expect(parseProcUptime('abc')).toBeUndefined();
  });

  it.each([
    [
      'config-6.1.0-18-amd64\ninitrd.img-6.1.0-18-amd64\nvmlinuz-6.1.0-18-amd64\nvmlinuz-6.1.0-20-amd64\n',
      '',
      ['6.1.0-18-amd64', '6.1.0-20-amd64'],
    ],
    [
      'vmlinuz-5.14.0-427.13.1.el9_4.x86_64\n.vmlinuz-5.14.0-427.13.1.el9_4.x86_64.hmac\nvmlinuz-0-rescue-abc\n',
      '',
      ['0-rescue-abc', '5.14.0-427.13.1.el9_4.x86_64'],
    ],
    ['vmlinuz-lts\nconfig-6.6.30-0-lts\n', '6.6.30-0-lts\n', ['6.6.30-0-lts']],
    ['', '', []],
  ])('installed kernels from %j', (boot, modules, expected) => {
    expect(installedKernels(boot, modules)).toEqual(expected);
  });
});
