import { describe, expect, it } from 'vitest';
import { osFamily } from './os-families.js';

describe('osFamily', () => {
  it.each([
    [{ ID: 'debian' }, 'debian'],
    [{ ID: 'ubuntu', ID_LIKE: 'debian' }, 'debian'],
    [{ ID: 'rocky', ID_LIKE: 'rhel centos fedora' }, 'rhel'],
    [{ ID: 'almalinux', ID_LIKE: 'rhel centos fedora' }, 'rhel'],
    [{ ID: 'fedora' }, 'rhel'],
    [{ ID: 'alpine' }, 'alpine'],
    [{ ID: 'linuxmint', ID_LIKE: 'ubuntu debian' }, 'debian'],
    [{ ID: 'opensuse-leap', ID_LIKE: 'suse opensuse' }, undefined],
    [{ ID: 'arch' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (fields, family) => {
    expect(osFamily(fields)).toBe(family);
  });
});
