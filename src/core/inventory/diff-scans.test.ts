import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { diffFindings, diffPackages } from './diff-scans.js';
import type { InstalledPackage } from './host-state.js';

const pkg = (name: string, version: string, arch = 'amd64'): InstalledPackage => ({
  name,
  version,
  source: name,
  arch,
});
const finding = (vulnId: string, p: string): Finding => ({
  host: 'web-1',
  os: 'debian:12',
  package: p,
  binaries: [p],
  installedVersion: '1',
  fixedVersion: '2',
  vulnId,
  aliases: [],
  cves: [vulnId],
  sources: ['osv'],
});

describe('diffPackages', () => {
  it('finds added, removed and changed packages by name and architecture', () => {
    const d = diffPackages(
      [
        pkg('libc6', '2.36-9+deb12u4'),
        pkg('lab-libfoo', '1.0-1'),
        pkg('gone', '1'),
        pkg('libc6', '2.36-9', 'i386'),
      ],
      [
        pkg('libc6', '2.36-9+deb12u7'),
        pkg('lab-libfoo', '1.0-1'),
        pkg('new', '3'),
        pkg('libc6', '2.36-9', 'i386'),
      ],
    );
    expect(d.added.map((p) => p.name)).toEqual(['new']);
    expect(d.removed.map((p) => p.name)).toEqual(['gone']);
    expect(d.changed).toEqual([
      { name: 'libc6', arch: 'amd64', from: '2.36-9+deb12u4', to: '2.36-9+deb12u7' },
    ]);
  });

  it('treats a first scan as everything added', () => {
    expect(diffPackages([], [pkg('a', '1')]).added).toHaveLength(1);
  });
});

describe('diffFindings', () => {
  it('reports fixed and new findings by host, vulnerability and package', () => {
    const before = [finding('CVE-2024-1', 'openssl'), finding('CVE-2024-2', 'glibc')];
    const after = [finding('CVE-2024-2', 'glibc'), finding('CVE-2024-3', 'curl')];
    const d = diffFindings(before, after);
    expect(d.fixed.map((f) => f.vulnId)).toEqual(['CVE-2024-1']);
    expect(d.new.map((f) => f.vulnId)).toEqual(['CVE-2024-3']);
  });
});
