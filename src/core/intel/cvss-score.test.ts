import { describe, expect, it } from 'vitest';
import {
  cvss3VectorScores,
  cvssBaseScore,
  cvssMetricRecord,
  cvssSeverity,
  isCvssSeverity,
  parseCvssVector,
} from './cvss-score.js';

const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('cvssBaseScore', () => {
  it.each([
    [V31, '3.1', 9.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0', 9.8],
    [V4, '4.0', 9.3],
    ['CVSS:3.1/S:U/AV:N/C:H/AC:L/PR:N/UI:N/I:H/A:H', '3.1', 9.8], // order is not enforced
    [`${V31}/E:U/RL:O/RC:U/CR:L/MAV:P`, '3.1', 9.8], // v3 base ignores temporal and environmental metrics
    [`${V31}/E:X/MAV:X`, '3.1', 9.8],
  ])('%s -> v%s %s', (vector, version, score) => {
    expect(cvssBaseScore(vector)).toEqual({ version, score });
  });

  it.each([
    ['', 'vector is empty'],
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown prefix "AV:N"'],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', 'unknown prefix "CVSS:2.0"'],
    ['CVSS:3.1', 'unknown prefix "CVSS:3.1"'],
    ['CVSS:3.1/', 'trailing "/"'],
    [`${V31}/`, 'trailing "/"'],
    ['CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'empty metric between "//"'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'missing mandatory metric A'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H', 'missing mandatory metrics S, A'],
    [`${V31}/AV:L`, 'duplicated metric AV'],
    [`${V31}/E:U/E:U`, 'duplicated metric E'],
    [
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'bad value "Q" for metric AV (Attack Vector): expected one of N, A, L, P',
    ],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'bad value "X" for metric AV'],
    ['CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'bad value "n" for metric AV'],
    ['CVSS:3.1/AV/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric "AV" has no value'],
    [`${V31}/AT:N`, 'unknown metric "AT"'],
    [`${V31}/__proto__:N`, 'unknown metric "__proto__"'],
    [`${V4}/S:C`, 'bad value "C" for metric S (Safety)'],
    [`${V4}/MSC:S`, 'bad value "S" for metric MSC'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N', 'bad value "S" for metric SI'],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', 'unknown metric "C"'], // a v3 body under a v4 prefix
  ])('rejects %j: %s', (vector, message) => {
    const r = cvssBaseScore(vector);
    expect(typeof r).toBe('string');
    expect(r).toContain(message);
  });

  it('caches: the same vector gives the same frozen result object', () => {
    const a = cvssBaseScore(V4);
    expect(cvssBaseScore(V4)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('parseCvssVector', () => {
  it('returns the version and metric values', () => {
    const parsed = parseCvssVector(`CVSS:3.1/E:P/${V31.slice(9)}`);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.version).toBe('3.1');
    expect(cvssMetricRecord(parsed)).toEqual({
      AV: 'N',
      AC: 'L',
      PR: 'N',
      UI: 'N',
      S: 'U',
      C: 'H',
      I: 'H',
      A: 'H',
      E: 'P',
    });
  });
});

describe('cvss3VectorScores', () => {
  it('gives base, temporal and environmental scores', () => {
    expect(cvss3VectorScores(`${V31}/E:U/RL:O/RC:U`)).toEqual({
      version: '3.1',
      base: 9.8,
      temporal: 7.8, // Roundup(9.8 x 0.91 x 0.95 x 0.92 = 7.794)
      environmental: 7.8,
    });
  });
  it('refuses v4.0 and invalid vectors', () => {
    expect(cvss3VectorScores(V4)).toMatch(/no separate temporal/);
    expect(cvss3VectorScores('CVSS:3.1/AV:N')).toMatch(/missing mandatory/);
  });
});

describe('cvssSeverity', () => {
  it.each([
    [0, 'none'],
    [0.1, 'low'],
    [3.9, 'low'],
    [4.0, 'medium'],
    [6.9, 'medium'],
    [7.0, 'high'],
    [8.9, 'high'],
    [9.0, 'critical'],
    [10.0, 'critical'],
  ] as const)('%s -> %s', (score, severity) => {
    expect(cvssSeverity(score)).toBe(severity);
    expect(isCvssSeverity(severity)).toBe(true);
  });
});
