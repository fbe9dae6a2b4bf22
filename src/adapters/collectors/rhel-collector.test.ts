import { describe, expect, it } from 'vitest';
import { parseNeedsRestarting } from './rhel-collector.js';

// needs-restarting -r (dnf-plugins-core) output as RHEL 8/9 prints it.
const REQUIRED = `Core libraries or services have been updated since boot-up:
  * kernel
  * systemd

Reboot is required to fully utilize these updates.
More information: https://access.redhat.com/solutions/27943
`;
const NOT_REQUIRED = `No core libraries or services have been updated since boot-up.
Reboot should not be necessary.
`;

describe('parseNeedsRestarting', () => {
  it.each([
    [1, REQUIRED, { required: true, packages: ['kernel', 'systemd'] }],
    [
      1,
      'Core libraries or services have been updated since boot-up:\n* kernel\n',
      { required: true, packages: ['kernel'] },
    ],
    [0, NOT_REQUIRED, { required: false, packages: [] }],
    [127, 'sh: needs-restarting: not found', undefined],
    [1, '  * $(reboot)\n  * glibc\n', { required: true, packages: ['glibc'] }],
  ])('exit %s', (code, out, expected) => {
    expect(parseNeedsRestarting(code, out)).toEqual(expected);
  });
});
