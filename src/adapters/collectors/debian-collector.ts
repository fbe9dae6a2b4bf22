import { DPKG_QUERY_FORMAT, parseDpkgQuery } from '../../core/inventory/parse-dpkg-query.js';
import { shellQuote } from '../transport/shell-quote.js';
import { noPackageDatabase, type Collector } from './collector.js';

/**
 * Debian and Ubuntu: `dpkg-query -W` with dpkg's own source names and versions (`DPKG_QUERY_FORMAT`);
 * the pending reboot comes from the generic probe (`/run/reboot-required`).
 */
export const debianCollector: Collector = {
  family: 'debian',
  probe: 'command -v dpkg-query >/dev/null 2>&1',
  script: `s dpkg; dpkg-query -W -f ${shellQuote(DPKG_QUERY_FORMAT)}; s dpkgexit; echo $?`,
  missingKernelMeansReboot: false,
  readPackages(sections) {
    const out = sections.get('dpkg');
    if (out === undefined) return noPackageDatabase('debian');
    const result = parseDpkgQuery(out, 'dpkg-query');
    const code = (sections.get('dpkgexit') ?? '').trim();
    if (code !== '0') result.issues.push({ source: 'dpkg-query', message: `dpkg-query exited ${code}` });
    return result;
  },
};
