import { describe, expect, it } from 'vitest';
import type { PackageChange } from '../policy/rollup-host.js';
import { combinedImpact, expectedImpact } from './expected-impact.js';

const pkg = (name: string, binaries = [name]) => ({ package: name, binaries }) as PackageChange;

describe('expectedImpact', () => {
  it.each([
    [{ rebootExpected: true, restartServices: ['nginx'], packages: [pkg('linux')] }, ['reboot']],
    [
      { rebootExpected: false, restartServices: ['postgresql'], packages: [pkg('postgresql-15')] },
      ['database-restart', 'services-restart'],
    ],
    [{ rebootExpected: false, restartServices: ['nginx'], packages: [pkg('nginx')] }, ['services-restart']],
    [{ rebootExpected: false, restartServices: [], packages: [pkg('curl')] }, ['none']],
  ])('%j -> %j', (r, expected) => {
    expect(expectedImpact(r)).toEqual(expected);
  });

  it('combines hosts in order of disruption', () => {
    expect(combinedImpact([['services-restart'], ['reboot'], ['none']])).toEqual([
      'reboot',
      'services-restart',
    ]);
    expect(combinedImpact([['none'], []])).toEqual(['none']);
  });
});
