import { OperationalError } from '../../core/errors.js';
import type { HostState } from '../../core/inventory/host-state.js';
import { DPKG_QUERY_ARGV, parseDpkgQuery } from '../../core/inventory/parse-dpkg-query.js';
import { parseOsRelease } from '../../core/inventory/parse-os-release.js';
import type { Transport } from '../transport/transport.js';

const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];

/**
 * Collects a Debian or Ubuntu host's state through `transport`: the OS from os-release and every
 * installed package with its source name and version from `dpkg-query`. Parse problems land in
 * `issues`; a host that cannot be read at all (no os-release, no dpkg-query) is an OperationalError.
 */
export async function collectDebian(
  transport: Transport,
  hostName: string,
  now = new Date(),
): Promise<HostState> {
  const osText = await readFirst(transport, OS_RELEASE_FILES);
  const osr = parseOsRelease(osText, 'os-release');
  if (!osr.os) {
    throw new OperationalError(
      'scan-no-os',
      `${hostName}: cannot tell the OS from os-release.`,
      osr.issues[0]?.message,
    );
  }
  const r = await transport.run(DPKG_QUERY_ARGV);
  if (r.code !== 0) {
    throw new OperationalError(
      'scan-dpkg-query',
      `${hostName}: dpkg-query failed (exit ${r.code ?? 'signal'}): ${r.stderr.trim().slice(0, 200)}`,
    );
  }
  const pkgs = parseDpkgQuery(r.stdout, 'dpkg-query');
  const state: HostState = {
    schema: 1,
    host: hostName,
    os: osr.os,
    scannedAt: now.toISOString(),
    packages: pkgs.packages,
    issues: [...osr.issues, ...pkgs.issues],
  };
  if (osr.prettyName) state.osPrettyName = osr.prettyName;
  return state;
}

async function readFirst(transport: Transport, paths: string[]): Promise<string> {
  let last: unknown;
  for (const p of paths) {
    try {
      return await transport.readFile(p);
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new OperationalError('scan-no-os', 'No os-release file found.');
}
