import { describe, expect, it } from 'vitest';
import { deferral, finding, host, NOW, RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';
import { decideFinding } from './decide-finding.js';
import { defaultPolicy } from './policy-schema.js';
import { rollupHost } from './rollup-host.js';

const policy = defaultPolicy();
const ctx = { policy, now: NOW };
const h = host({
  services: [
    { name: 'nginx', unit: 'nginx.service' },
    { name: 'ssh', unit: 'ssh.service' },
    { name: 'postgresql' },
  ],
});

describe('rollupHost', () => {
  it('takes the most urgent action, merges package targets, finds services by package', () => {
    const ds = [
      finding({ kev: RAPID_RESET_KEV }),
      finding({ vulnId: 'DEBIAN-CVE-2024-7347', cves: ['CVE-2024-7347'], fixedVersion: '1.22.1-9+deb12u12' }),
      finding({
        package: 'openssh',
        binaries: ['openssh-server'],
        installedVersion: '1:9.2p1-2+deb12u3',
        fixedVersion: '1:9.2p1-2+deb12u5',
        vulnId: 'DEBIAN-CVE-2024-6387',
        cves: ['CVE-2024-6387'],
      }),
    ].map((f) => decideFinding(f, h, ctx));
    const r = rollupHost(h, ds);
    expect(r.action).toBe('emergency');
    expect(r.dueAt).toBe('2026-11-29T09:00:00.000Z');
    expect(r.packages.map((p) => [p.package, p.to])).toEqual([
      ['nginx', '1.22.1-9+deb12u12'],
      ['openssh', '1:9.2p1-2+deb12u5'],
    ]);
    expect(r.rebootExpected).toBe(false);
    expect(r.restartServices).toEqual(['nginx', 'ssh']);
    expect(r.counts).toEqual({ emergency: 1, 'regular-window': 2 });
  });
  it('a kernel update means a reboot: every service restarts', () => {
    const ds = [
      decideFinding(finding({ package: 'linux', binaries: ['linux-image-6.1.0-27-amd64'] }), h, ctx),
    ];
    const r = rollupHost(h, ds);
    expect(r).toMatchObject({
      rebootExpected: true,
      rebootPackages: ['linux'],
      restartServices: ['nginx', 'ssh', 'postgresql'],
    });
  });
  it('a shared library restarts every service without a reboot', () => {
    const ds = [decideFinding(finding({ package: 'openssl', binaries: ['libssl3', 'openssl'] }), h, ctx)];
    expect(rollupHost(h, ds).restartServices).toEqual(['nginx', 'ssh', 'postgresql']);
  });
  it('deferred findings are counted and listed, not acted on', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), h, { ...ctx, deferrals: [deferral()] });
    const r = rollupHost(h, [d]);
    expect(r).toMatchObject({ action: null, state: 'clear', findings: 1, deferred: 1, packages: [] });
  });
});

describe('rollupHost with many binaries of one source', () => {
  it('merges the binaries of every decision once each, in order, in linear time', () => {
    const n = 50_000;
    const names = Array.from({ length: n }, (_, i) => `libfoo${i}`);
    const ds = [
      finding({ binaries: names.slice(0, n / 2) }),
      finding({ vulnId: 'DEBIAN-CVE-2024-7347', cves: ['CVE-2024-7347'], binaries: names }),
      finding({ vulnId: 'DEBIAN-CVE-2024-7348', cves: ['CVE-2024-7348'], binaries: names.slice(n / 4) }),
    ].map((f) => decideFinding(f, h, ctx));
    const started = performance.now();
    const r = rollupHost(h, ds);
    // Quadratic merging took seconds at this size; linear takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.packages).toHaveLength(1);
    expect(r.packages[0]!.binaries).toEqual(names);
    expect(ds[0]!.binaries).toHaveLength(n / 2);
  });
});
