import { OperationalError } from '../../core/errors.js';
import type { HostState, ParseIssue } from '../../core/inventory/host-state.js';
import { RPM_QUERY_ARGV, parseRpmQuery } from '../../core/inventory/parse-rpm-query.js';
import type { Transport } from '../transport/transport.js';

/** What `needs-restarting -r` says: whether a reboot is needed and for which packages. */
export interface NeedsRestarting {
  required: boolean;
  packages: string[];
}

/**
 * Reads `needs-restarting -r` (dnf-utils / yum-utils): exit 1 means a reboot is required and the
 * `  * NAME` lines name the updated core packages; exit 0 means none. Undefined when the tool is absent
 * (exit 127) or says something else.
 */
export function parseNeedsRestarting(code: number | null, stdout: string): NeedsRestarting | undefined {
  if (code !== 0 && code !== 1) return undefined;
  const packages = [...stdout.matchAll(/^\s*\*\s+([A-Za-z0-9._+-]{1,128})\s*$/gm)].map((m) => m[1]!);
  return { required: code === 1, packages };
}

/**
 * Collects a RHEL-family host (RHEL, Rocky, AlmaLinux, Fedora, CentOS Stream): installed packages with
 * EVR and source RPM from `rpm -qa`, and the pending reboot from `needs-restarting -r` where installed.
 */
export async function collectRhel(
  transport: Transport,
  base: { host: string; os: string; osPrettyName?: string; scannedAt: string; issues: ParseIssue[] },
): Promise<HostState> {
  const r = await transport.run(RPM_QUERY_ARGV);
  if (r.code !== 0) {
    throw new OperationalError(
      'scan-rpm',
      `${base.host}: rpm -qa failed (exit ${r.code ?? 'signal'}): ${r.stderr.trim().slice(0, 200)}`,
    );
  }
  const pkgs = parseRpmQuery(r.stdout, 'rpm');
  const state: HostState = {
    schema: 1,
    ...base,
    packages: pkgs.packages,
    issues: [...base.issues, ...pkgs.issues],
  };
  const nr = await transport
    .run(['sh', '-c', 'command -v needs-restarting >/dev/null || exit 127; exec needs-restarting -r'])
    .catch(() => undefined);
  const parsed = nr ? parseNeedsRestarting(nr.code, nr.stdout) : undefined;
  if (parsed) state.reboot = parsed;
  return state;
}
