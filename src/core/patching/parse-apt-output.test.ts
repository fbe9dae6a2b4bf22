import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import {
  parseAptCachePolicy,
  parseAptVersionTable,
  parseAptSimulation,
  parseDfPm,
  parseDpkgVersions,
  parseUnpacked,
} from './parse-apt-output.js';

const fixture = (name: string) => readFixture('patching', name);

describe('apt and dpkg output, captured on Debian 12', () => {
  it('reads the Candidate of apt-cache policy', () => {
    expect(parseAptCachePolicy(fixture('apt-cache-policy.txt'), ['perl-base', 'libc6', 'absent'])).toEqual({
      'perl-base': '5.36.0-7+deb12u4',
      libc6: '2.36-9+deb12u14',
      absent: undefined,
    });
  });

  it('reads Candidate (none) of a virtual package as no candidate', () => {
    const names = ['perl-base', 'mail-transport-agent', 'libc6-i386'];
    expect(parseAptCachePolicy(fixture('apt-cache-policy-none.txt'), names)).toEqual({
      'perl-base': '5.36.0-7+deb12u4',
      'mail-transport-agent': undefined,
      'libc6-i386': '2.36-9+deb12u14',
    });
  });

  it('reads the Inst lines of apt-get -s, not the Conf lines', () => {
    const sim = parseAptSimulation(fixture('apt-get-simulate.txt'));
    expect(sim.removed).toEqual([]);
    expect(sim.changes).toEqual(
      ['libperl5.36', 'perl', 'perl-base', 'perl-modules-5.36'].map((name) => ({
        name,
        from: '5.36.0-7+deb12u2',
        to: '5.36.0-7+deb12u4',
      })),
    );
  });

  it('reads new installs and removals of apt-get -s', () => {
    const text = [
      'Remv exim4-daemon-light [4.96-15+deb12u7]',
      'Inst postfix (3.7.11-0+deb12u1 Debian:12.12/oldstable [amd64])',
    ].join('\n');
    expect(parseAptSimulation(text)).toEqual({
      changes: [{ name: 'postfix', to: '3.7.11-0+deb12u1' }],
      removed: ['exim4-daemon-light'],
    });
  });

  it('reads installed versions of dpkg-query, leaving unknown names undefined', () => {
    const names = ['perl-base', 'libc6', 'nosuchpkg'];
    expect(parseDpkgVersions(fixture('dpkg-query-versions.txt'), names)).toEqual({
      'perl-base': '5.36.0-7+deb12u2',
      libc6: '2.36-9+deb12u14',
      nosuchpkg: undefined,
    });
  });

  it.each([
    ['ii ', '1.0-1'],
    ['iU ', '1.0-1'],
    ['iF ', '1.0-1'],
    ['iW ', '1.0-1'],
    ['rc ', undefined],
    ['un ', undefined],
    ['iHR', undefined],
  ])('status %j of dpkg-query means installed version %s', (status, want) => {
    expect(parseDpkgVersions(`foo\t${status}\t1.0-1\n`, ['foo'])).toEqual({ foo: want });
  });

  it('reads the free MiB of df -Pm', () => {
    expect(parseDfPm(fixture('df-pm.txt'))).toEqual([
      { mount: '/', availableMiB: 76921 },
      { mount: '/', availableMiB: 76921 },
    ]);
    expect(
      parseDfPm(
        'Filesystem 1048576-blocks Used Available Capacity Mounted on\n/dev/sda2 100 90 10 90% /var/lib data\n',
      ),
    ).toEqual([{ mount: '/var/lib data', availableMiB: 10 }]);
  });

  it("reads what a real apt-get run unpacked (dpkg's Unpacking lines)", () => {
    const out = [
      'Preparing to unpack .../perl-base_5.36.0-7+deb12u4_amd64.deb ...',
      'Unpacking perl-base (5.36.0-7+deb12u4) over (5.36.0-7+deb12u2) ...',
      'Unpacking libc6:amd64 (2.36-9+deb12u15) over (2.36-9+deb12u14) ...',
      'Unpacking newpkg (1.0-1) ...',
    ].join('\n');
    expect(parseUnpacked(out)).toEqual([
      { name: 'perl-base', from: '5.36.0-7+deb12u2', to: '5.36.0-7+deb12u4' },
      { name: 'libc6', from: '2.36-9+deb12u14', to: '2.36-9+deb12u15' },
      { name: 'newpkg', to: '1.0-1' },
    ]);
  });
});

describe('parseAptVersionTable', () => {
  it('lists the versions some repository serves, newest first, not the ones only dpkg status knows', () => {
    expect(parseAptVersionTable(fixture('apt-cache-policy.txt'), ['perl-base', 'libc6', 'absent'])).toEqual({
      'perl-base': ['5.36.0-7+deb12u4', '5.36.0-7+deb12u3'],
      libc6: ['2.36-9+deb12u14', '2.36-9+deb12u7'],
      absent: [],
    });
  });
});
