import { randomBytes } from 'node:crypto';
import { OperationalError, UserError } from '../../core/errors.js';
import type { HostState } from '../../core/inventory/host-state.js';
import { parseApkInstalled } from '../../core/inventory/parse-apk-installed.js';
import { DPKG_QUERY_FORMAT, parseDpkgQuery } from '../../core/inventory/parse-dpkg-query.js';
import type { PackageListResult } from '../../core/inventory/parse-dpkg-status.js';
import { parseHostExtras, splitSections } from '../../core/inventory/parse-host-extras.js';
import { parseOsRelease, type OsReleaseResult } from '../../core/inventory/parse-os-release.js';
import { parseRpmQuery, RPM_QUERY_FORMAT } from '../../core/inventory/parse-rpm-query.js';
import type { Transport } from '../transport/transport.js';
import { HOST_EXTRAS_SCRIPT, inventoryScript } from './host-extras-script.js';
import { parseNeedsRestarting } from './rhel-collector.js';

/** The collector families patchwise has. */
export const OS_FAMILIES = ['debian', 'rhel', 'alpine'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

const FAMILY_IDS: Record<OsFamily, readonly string[]> = {
  debian: ['debian', 'ubuntu'],
  rhel: ['rhel', 'rocky', 'almalinux', 'alma', 'fedora', 'centos', 'ol'],
  alpine: ['alpine'],
};

/** The family of an os-release: its ID first, then each ID_LIKE entry; undefined when none fits. */
export function osFamily(fields: Record<string, string>): OsFamily | undefined {
  const ids = [fields.ID ?? '', ...(fields.ID_LIKE ?? '').split(/\s+/)].map((s) => s.toLowerCase());
  for (const id of ids) {
    const family = OS_FAMILIES.find((f) => FAMILY_IDS[f].includes(id));
    if (family) return family;
  }
  return undefined;
}

/** Reads and parses the host's os-release (`/etc/os-release`, else `/usr/lib/os-release`). */
export async function readOsRelease(transport: Transport): Promise<OsReleaseResult> {
  let last: unknown;
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return parseOsRelease(await transport.readFile(file), 'os-release');
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new OperationalError('scan-no-os', 'No os-release file found.');
}

/**
 * Collects one host in ONE round trip: a fixed script (os-release, the package database of the host's
 * package manager, then the extras probe) sent to `sh -s` with a random section marker. The package
 * parser is picked from os-release (Debian/Ubuntu: dpkg-query with source names; RHEL family: rpm EVR
 * with source RPM and `needs-restarting -r`; Alpine: apk's database). An OS with no collector is a
 * UserError `unsupported-os` (recorded for the host, never fatal to a fleet scan).
 */
export async function collectHost(transport: Transport, host: string, now = new Date()): Promise<HostState> {
  const marker = `@@pw-${randomBytes(8).toString('hex')}@@`;
  const r = await transport.run(['sh', '-s', '--', marker], { input: SCAN_SCRIPT });
  if (!r.stdout.includes(marker)) {
    throw new OperationalError(
      'scan-probe',
      `${host}: the scan script did not run (exit ${r.code ?? 'signal'}): ${r.stderr.trim().slice(0, 200)}`,
    );
  }
  const sections = splitSections(r.stdout, marker);
  const osr = parseOsRelease(sections.get('osrelease') ?? '', 'os-release');
  const family = osFamily(osr.fields);
  if (!family || !osr.os) throw unsupported(host, osr);
  const state: HostState = {
    schema: 1,
    host,
    os: osr.os,
    scannedAt: now.toISOString(),
    packages: [],
    issues: [...osr.issues],
  };
  if (osr.prettyName) state.osPrettyName = osr.prettyName;
  const pkgs = readPackages(family, sections);
  state.packages = pkgs.packages;
  state.issues.push(...pkgs.issues);
  const { issues, reboot, ...rest } = parseHostExtras(r.stdout, marker, {
    missingKernelMeansReboot: family === 'alpine',
  });
  Object.assign(state, rest);
  // needs-restarting (RHEL) knows better than the generic probe; otherwise take the probe's answer.
  state.reboot = pkgs.reboot ?? reboot ?? { required: false, packages: [] };
  state.issues.push(...issues);
  return state;
}

/** Inventory sections first (right after `uid`), then the extras probe. */
const SCAN_SCRIPT = HOST_EXTRAS_SCRIPT.replace(
  's uid; id -u\n',
  () => `s uid; id -u\n${inventoryScript(DPKG_QUERY_FORMAT, RPM_QUERY_FORMAT)}`,
);

function readPackages(
  family: OsFamily,
  sec: Map<string, string>,
): PackageListResult & { reboot?: { required: boolean; packages: string[] } } {
  const exitOf = (k: string) => (sec.get(k) ?? '').trim();
  if (family === 'debian' && sec.has('dpkg')) {
    const out = parseDpkgQuery(sec.get('dpkg')!, 'dpkg-query');
    if (exitOf('dpkgexit') !== '0')
      out.issues.push({ source: 'dpkg-query', message: `dpkg-query exited ${exitOf('dpkgexit')}` });
    return out;
  }
  if (family === 'rhel' && sec.has('rpm')) {
    const out: ReturnType<typeof readPackages> = parseRpmQuery(sec.get('rpm')!, 'rpm');
    if (exitOf('rpmexit') !== '0')
      out.issues.push({ source: 'rpm', message: `rpm -qa exited ${exitOf('rpmexit')}` });
    const nr = sec.get('needsrestarting');
    const code = nr === undefined ? undefined : /exit (\d+)\s*$/.exec(nr)?.[1];
    const parsed = code === undefined ? undefined : parseNeedsRestarting(Number(code), nr!);
    if (parsed) out.reboot = parsed;
    return out;
  }
  if (family === 'alpine' && sec.has('apk')) return parseApkInstalled(sec.get('apk')!, 'apk');
  return {
    packages: [],
    issues: [{ source: 'packages', message: `no ${family} package database found on the host` }],
  };
}

function unsupported(host: string, osr: OsReleaseResult): UserError {
  const what = osr.fields.PRETTY_NAME ?? osr.fields.ID ?? 'an unknown OS';
  return new UserError(
    'unsupported-os',
    `${host} runs ${JSON.stringify(what.slice(0, 80))}, which patchwise has no collector for.`,
    'Supported: Debian, Ubuntu, RHEL, Rocky, AlmaLinux, Fedora, Alpine.',
  );
}
