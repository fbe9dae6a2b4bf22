import type { Finding, KevEntry } from '../src/core/findings/finding.js';
import type { Host } from '../src/core/inventory/host.js';
import type { Deferral } from '../src/core/policy/deferral.js';

/** A fixed clock for decision tests: 2026-11-27 09:00 UTC. */
export const NOW = new Date('2026-11-27T09:00:00Z');

/** CVE-2023-44487 (HTTP/2 Rapid Reset) as the CISA KEV catalog lists it (CC0, cisagov/kev-data). */
export const RAPID_RESET_KEV: KevEntry = {
  cve: 'CVE-2023-44487',
  vendor: 'IETF',
  product: 'HTTP/2',
  name: 'HTTP/2 Rapid Reset Attack Vulnerability',
  dateAdded: '2023-10-10',
  dueDate: '2023-10-31',
  knownRansomwareCampaignUse: 'Unknown',
};

/** A finding with sensible defaults (nginx, medium, fix available); override what the case needs. */
export function finding(over: Partial<Finding> = {}): Finding {
  return {
    host: 'web-1',
    os: 'debian:12',
    package: 'nginx',
    binaries: ['nginx', 'nginx-common'],
    installedVersion: '1.22.1-9+deb12u9',
    fixedVersion: '1.22.1-9+deb12u11',
    vulnId: 'DEBIAN-CVE-2023-44487',
    aliases: ['CVE-2023-44487'],
    cves: ['CVE-2023-44487'],
    sources: ['osv:Debian:12'],
    ...over,
  };
}

/** A classified host (internet-facing tier 1 production web server owned by alice); override per case. */
export function host(over: Partial<Host> = {}): Host {
  return {
    name: 'web-1',
    tier: 1,
    exposure: 'internet',
    environment: 'production',
    owner: 'alice',
    services: [{ name: 'nginx', unit: 'nginx.service' }],
    tags: { role: 'web' },
    ...over,
  };
}

/** Deferral D-1 of CVE-2023-44487 on web-1, reviewed and ending 2026-11-29; override per case. */
export function deferral(over: Partial<Deferral> = {}): Deferral {
  return {
    id: 'D-1',
    findings: ['CVE-2023-44487'],
    hosts: ['web-1'],
    reason: 'r',
    control: 'c',
    owner: 'o',
    review: '2026-11-29',
    until: '2026-11-29',
    createdAt: NOW.toISOString(),
    ...over,
  };
}
