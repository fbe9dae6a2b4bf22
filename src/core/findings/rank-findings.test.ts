import { describe, expect, it } from 'vitest';
import type { Finding } from './finding.js';
import { rankFindings } from './rank-findings.js';

import { anyKev as kev, findingOf as f } from '../../../test/helpers/findings.js';

describe('rankFindings', () => {
  it.each<[string, Finding, Finding]>([
    ['KEV before a higher EPSS', f('a', { kev }), f('b', { epss: { cve: 'b', score: 0.99, percentile: 1 } })],
    [
      'EPSS before CVSS',
      f('a', { epss: { cve: 'a', score: 0.1, percentile: 0.5 } }),
      f('b', { cvss: { version: '3.1', vector: '', score: 10 } }),
    ],
    [
      'higher EPSS first',
      f('a', { epss: { cve: 'a', score: 0.5, percentile: 0.9 } }),
      f('b', { epss: { cve: 'b', score: 0.4, percentile: 0.9 } }),
    ],
    [
      'CVSS before urgency',
      f('a', { cvss: { version: '3.1', vector: '', score: 5 } }),
      f('b', { urgency: 'emergency' }),
    ],
    ['higher urgency first', f('a', { urgency: 'high' }), f('b', { urgency: 'low' })],
    ['any urgency before none', f('a', { urgency: 'unimportant' }), f('b', {})],
    ['fixable before no fix', f('a', {}), f('b', { fixedVersion: null })],
    ['then host', f('z', { host: 'a' }), f('a', { host: 'b' })],
    ['then package', f('z', { package: 'a' }), f('a', { package: 'b' })],
    ['then vulnerability id', f('CVE-2024-1', {}), f('CVE-2024-2', {})],
  ])('%s', (_n, first, second) => {
    expect(rankFindings([second, first])).toEqual([first, second]);
    expect(rankFindings([first, second])).toEqual([first, second]);
  });
});
