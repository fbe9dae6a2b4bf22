import { describe, expect, it } from 'vitest';
import type { EolRelease } from '../intel/eol.js';
import { debianEcosystemForCodename } from './debian-codenames.js';

describe('debianEcosystemForCodename', () => {
  const table: EolRelease[] = [{ distro: 'debian', version: '16', codename: 'Future', series: 'future' }];
  it.each([
    ['bookworm', [], 'Debian:12'],
    ['trixie', [], 'Debian:13'],
    ['future', table, 'Debian:16'],
    ['future', [], undefined],
    ['sid', [{ distro: 'debian', version: '', codename: 'Sid', series: 'sid' } as EolRelease], undefined],
  ])('%s -> %s', (codename, releases, expected) => {
    expect(debianEcosystemForCodename(codename, releases as EolRelease[])).toBe(expected);
  });
});
