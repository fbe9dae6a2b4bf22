import { describe, expect, it } from 'vitest';
import { formatSummary, summarizeFindings } from './summarize-findings.js';

import { anyKev as kev, findingOf as f } from '../../../test/helpers/findings.js';

describe('summarizeFindings', () => {
  it('counts and names the worst', () => {
    const list = [
      f('CVE-2024-1', { fixedVersion: null }),
      f('CVE-2023-44487', { kev, package: 'nginx', host: 'web-1' }),
    ];
    const s = summarizeFindings(list, 3);
    expect(s).toMatchObject({ hosts: 3, findings: 2, knownExploited: 1, fixable: 1, noFix: 1 });
    expect(formatSummary(s)).toBe(
      '3 hosts, 2 findings: 1 known-exploited, 1 fixable, 1 without a fix; worst: CVE-2023-44487 in nginx on web-1 (known-exploited).',
    );
  });

  it('says when there is nothing', () => {
    expect(formatSummary(summarizeFindings([], 1))).toBe('1 host, 0 findings.');
  });
});
