import { describe, expect, it } from 'vitest';
import { assertPackageNames, assertPackageTargets } from './package-names.js';

describe('package names and versions are checked before they reach a command line', () => {
  it.each([
    ['debian', 'perl-base'],
    ['debian', 'libstdc++6'],
    ['debian', 'perl-modules-5.36'],
    ['rhel', 'openssl-libs'],
    ['rhel', 'libstdc++'],
    ['rhel', 'python3.11-pip'],
    ['alpine', 'busybox'],
    ['alpine', 'py3-pip'],
  ] as const)('%s accepts %s', (family, name) => {
    expect(() => assertPackageNames(family, [name])).not.toThrow();
  });

  it.each([
    ['debian', '-oAPT::Get::AllowUnauthenticated=1'],
    ['debian', '--allow-unauthenticated'],
    ['debian', 'a'],
    ['debian', 'Perl'],
    ['debian', 'perl base'],
    ['debian', 'perl;reboot'],
    ['debian', 'libc6:amd64'],
    ['debian', ''],
    ['rhel', '--setopt=gpgcheck=0'],
    ['rhel', 'openssl$(id)'],
    ['alpine', '--allow-untrusted'],
    ['alpine', 'busybox=1.0'],
  ] as const)('%s rejects %j with a UserError', (family, name) => {
    expect(() => assertPackageNames(family, [name])).toThrow(
      expect.objectContaining({ name: 'UserError', code: 'bad-package-name' }),
    );
  });

  it.each([
    ['debian', '5.36.0-7+deb12u4'],
    ['debian', '1:2.38.1-5+deb12u1'],
    ['rhel', '1:3.0.7-27.el9'],
    ['rhel', '3.0.7-27.el9'],
    ['alpine', '1.36.1-r20'],
  ] as const)('%s accepts version %s', (family, version) => {
    expect(() => assertPackageTargets(family, [{ name: 'pkgname', version }])).not.toThrow();
  });

  it.each([
    ['debian', '-1'],
    ['debian', '--force-yes'],
    ['debian', '1.0 2'],
    ['debian', 'abc'],
    ['debian', '1.0;x'],
    ['rhel', '3.0.7-27.el9 --nogpgcheck'],
    ['alpine', '1.0-r0>'],
  ] as const)('%s rejects version %j with a UserError', (family, version) => {
    expect(() => assertPackageTargets(family, [{ name: 'pkgname', version }])).toThrow(
      expect.objectContaining({ name: 'UserError', code: 'bad-package-version' }),
    );
  });
});
