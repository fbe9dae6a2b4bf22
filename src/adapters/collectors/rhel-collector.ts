import { parseRpmQuery, RPM_QUERY_FORMAT } from '../../core/inventory/parse-rpm-query.js';
import { shellQuote } from '../transport/shell-quote.js';
import { noPackageDatabase, type CollectedPackages, type Collector } from './collector.js';

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
 * The RHEL family (RHEL, Rocky, AlmaLinux, Fedora, CentOS Stream, Oracle Linux): installed packages with
 * EVR and source RPM from `rpm -qa --qf RPM_QUERY_FORMAT`, and the pending reboot from
 * `needs-restarting -r` where installed (it knows better than the generic probe).
 */
export const rhelCollector: Collector = {
  family: 'rhel',
  probe: 'command -v rpm >/dev/null 2>&1',
  script: [
    `s rpm; rpm -qa --qf ${shellQuote(RPM_QUERY_FORMAT)}; s rpmexit; echo $?`,
    'if command -v needs-restarting >/dev/null 2>&1; then s needsrestarting; needs-restarting -r; echo "exit $?"; fi',
  ].join('\n'),
  missingKernelMeansReboot: false,
  readPackages(sections) {
    const out = sections.get('rpm');
    if (out === undefined) return noPackageDatabase('rhel');
    const result: CollectedPackages = parseRpmQuery(out, 'rpm');
    const code = (sections.get('rpmexit') ?? '').trim();
    if (code !== '0') result.issues.push({ source: 'rpm', message: `rpm -qa exited ${code}` });
    const nr = sections.get('needsrestarting');
    const exit = nr === undefined ? undefined : /exit (\d+)\s*$/.exec(nr)?.[1];
    const reboot = exit === undefined ? undefined : parseNeedsRestarting(Number(exit), nr!);
    if (reboot) result.reboot = reboot;
    return result;
  },
};
