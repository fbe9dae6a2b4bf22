import { describe, expect, it } from 'vitest';
import { parseCvssVector } from './cvss-score.js';
import { CVSS4_LOOKUP } from './cvss4-lookup.js';
import { cvss4Score } from './cvss4.js';

/** Expected scores agree with FIRST's calculator as ae-cvss-calculator and RedHat's cvss library implement it. */
const CASES: [vector: string, score: number][] = [
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10.0],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0.0],
  ['CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 1.0],
  // rounding half up with the reference calculator's epsilon (plain Math.round gives 5.6)
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:H/VA:L/SC:N/SI:N/SA:L', 5.7],
  // threat metrics (CVSS-BT)
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 8.1],
  // threat and environmental (CVSS-BTE), modified impact and safety
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:L/IR:L/AR:L', 7.9],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S/MSA:S', 9.7],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:H', 8.7],
  // supplemental metrics never change the score
  [
    'CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N/E:A/MAV:N/MAC:L/MUI:N/S:P/AU:Y/U:Red',
    2.3,
  ],
  ['CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N/E:A/MAV:N/MAC:L/MUI:N', 2.3],
];

describe('cvss4Score', () => {
  it.each(CASES)('%s -> %s', (vector, score) => {
    const parsed = parseCvssVector(vector);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(cvss4Score(parsed.metrics)).toBe(score);
  });

  it('has the 270 macrovectors of the specification', () => {
    const keys = Object.keys(CVSS4_LOOKUP);
    expect(keys).toHaveLength(270);
    expect(keys.every((k) => /^[0-2][01][0-2][0-2][0-2][01]$/.test(k))).toBe(true);
    expect(CVSS4_LOOKUP['000000']).toBe(10);
    expect(CVSS4_LOOKUP['212221']).toBe(0.1);
  });
});
