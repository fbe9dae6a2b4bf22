import { APK_INSTALLED_PATH, parseApkInstalled } from '../../core/inventory/parse-apk-installed.js';
import { noPackageDatabase, type Collector } from './collector.js';

/**
 * Alpine: apk's database of installed packages (`P`, `V`, `A`, `o` = origin, the source package). Alpine
 * has no reboot-required file: a running kernel missing from `/lib/modules` means a reboot is pending.
 */
export const alpineCollector: Collector = {
  family: 'alpine',
  probe: `[ -r ${APK_INSTALLED_PATH} ]`,
  script: `s apk; cat ${APK_INSTALLED_PATH}`,
  missingKernelMeansReboot: true,
  readPackages(sections) {
    const out = sections.get('apk');
    return out === undefined ? noPackageDatabase('alpine') : parseApkInstalled(out, 'apk');
  },
};
