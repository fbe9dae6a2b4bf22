import { ensurePrerequisites } from '../../lab/prerequisites.js';
import { requirePrerequisite } from '../helpers/require-prerequisite.js';

/**
 * Fails the calling suite unless the lab can run here: root, the kernel limits and the lab's Debian
 * packages, which `ensurePrerequisites` installs when missing. Call it first in the `describe`.
 */
export function requireLab(): void {
  requirePrerequisite(
    "root and the lab's Debian packages",
    async () => {
      await ensurePrerequisites();
      return true;
    },
    'The lab boots real hosts: run the tests as root on Debian 12 (see docs/lab.md).',
  );
}
