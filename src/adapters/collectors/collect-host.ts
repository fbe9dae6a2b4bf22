import { randomBytes } from 'node:crypto';
import { OperationalError, UserError } from '../../core/errors.js';
import type { HostState } from '../../core/inventory/host-state.js';
import { osFamily } from '../../core/inventory/os-families.js';
import { parseHostExtras, splitSections } from '../../core/inventory/parse-host-extras.js';
import { parseOsRelease, type OsReleaseResult } from '../../core/inventory/parse-os-release.js';
import type { Transport } from '../transport/transport.js';
import { COLLECTORS, inventoryScript } from './collectors.js';
import { HOST_EXTRAS_SCRIPT } from './host-extras-script.js';

/** The whole scan script: inventory sections first (right after `uid`), then the extras probe. */
export const SCAN_SCRIPT = HOST_EXTRAS_SCRIPT.replace(
  's uid; id -u\n',
  () => `s uid; id -u\n${inventoryScript()}`,
);

/**
 * Collects one host in ONE round trip: {@link SCAN_SCRIPT} (os-release, the package database of the
 * host's package manager, then the extras probe) sent to `sh -s` with a random section marker. The
 * collector is picked from os-release by family (`osFamily`: `ID`, then `ID_LIKE`) in {@link COLLECTORS}.
 * An OS with no collector is a UserError `unsupported-os` (recorded for the host, never fatal to a
 * fleet scan); a host whose shell does not run the script is an OperationalError.
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
  const collector = COLLECTORS[family];
  const pkgs = collector.readPackages(sections);
  const { issues, reboot, ...extras } = parseHostExtras(r.stdout, marker, {
    missingKernelMeansReboot: collector.missingKernelMeansReboot,
  });
  const state: HostState = {
    schema: 1,
    host,
    os: osr.os,
    family,
    scannedAt: now.toISOString(),
    packages: pkgs.packages,
    issues: [...osr.issues, ...pkgs.issues, ...issues],
  };
  if (osr.prettyName) state.osPrettyName = osr.prettyName;
  Object.assign(state, extras);
  state.reboot = pkgs.reboot ?? reboot ?? { required: false, packages: [] };
  return state;
}

function unsupported(host: string, osr: OsReleaseResult): UserError {
  const what = osr.fields.PRETTY_NAME ?? osr.fields.ID ?? 'an unknown OS';
  return new UserError(
    'unsupported-os',
    `${host} runs ${JSON.stringify(what.slice(0, 80))}, which patchwise has no collector for.`,
    'Supported: Debian, Ubuntu, RHEL, Rocky, AlmaLinux, Fedora, CentOS, Oracle Linux, Alpine.',
  );
}
