import { describe, expect, it } from 'vitest';
import { isValidPackageName, isValidVersionString } from './package-name.js';

describe('isValidPackageName', () => {
  it.each([
    ['debian', 'libc6', true],
    ['debian', 'g++-12', true],
    ['debian', 'libstdc++6', true],
    ['debian', 'python3.11', true],
    ['debian', '0ad', true],
    ['debian', 'a', false], // at least two characters
    ['debian', 'Libc6', false], // lower case only
    ['debian', 'libc6:amd64', false], // an architecture qualifier is not part of the name
    ['debian', '-rf', false],
    ['debian', '.hidden', false],
    ['debian', 'foo bar', false],
    ['debian', 'foo;reboot', false],
    ['debian', 'foo$(id)', false],
    ['debian', 'foo\nbar', false],
    ['debian', '', false],
    ['rpm', 'openssl-libs', true],
    ['rpm', 'NetworkManager', true],
    ['rpm', 'perl-IO-Socket-SSL', true],
    ['rpm', 'gcc-c++', true],
    ['rpm', '_internal', true],
    ['rpm', 'python3.11', true],
    ['rpm', 'a', true],
    ['rpm', '-e', false],
    ['rpm', '.x', false],
    ['rpm', 'a..b', false],
    ['rpm', 'foo%{bar}', false],
    ['rpm', 'foo/bar', false],
    ['alpine', 'busybox', true],
    ['alpine', 'py3-pip', true],
    ['alpine', 'libstdc++', true],
    ['alpine', 'so:libc.musl-x86_64.so.1', false], // a provides name, not a package
    ['alpine', '-X', false],
    ['alpine', 'foo bar', false],
  ] as const)('%s %j -> %s', (scheme, name, expected) => {
    expect(isValidPackageName(scheme, name)).toBe(expected);
  });

  it('refuses names longer than a file name can be', () => {
    expect(isValidPackageName('debian', 'a'.repeat(255))).toBe(true);
    expect(isValidPackageName('debian', 'a'.repeat(256))).toBe(false);
  });
});

describe('isValidVersionString', () => {
  it.each([
    ['debian', '1:2.36-9+deb12u4', true],
    ['debian', '1.0~rc1', true],
    ['debian', ' 1.0', false], // dpkg would ignore the blank; a command line must not carry it
    ['debian', '1.0\t', false],
    ['debian', '-1.0', false],
    ['debian', '1.0;id', false],
    ['debian', '1.0$(id)', false],
    ['debian', 'abc', false], // dpkg only warns; refused here
    ['rpm', '1:3.0.7-27.el9', true],
    ['rpm', '1.0 -1', false],
    ['rpm', '1.0-1`id`', false],
    ['alpine', '1.2.3_rc1-r0', true],
    ['alpine', '1.2.3 ', false],
    ['alpine', '1.2.3-r0;id', false],
  ] as const)('%s %j -> %s', (scheme, v, expected) => {
    expect(isValidVersionString(scheme, v)).toBe(expected);
  });
});
