import { describe, expect, it } from 'vitest';
import { parseCvssVector } from './cvss-score.js';
import { cvss3Scores } from './cvss3.js';

/**
 * Vectors with temporal and environmental metrics, expected scores from exact decimal arithmetic (an
 * independent Decimal implementation of the v3.0/v3.1 formulas, as RedHatProductSecurity/cvss computes them).
 */
const CASES: [vector: string, base: number, temporal: number, environmental: number][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 9.8, 9.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6, 9.6, 9.7], // v3.1 modified impact differs from base
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6, 9.6, 9.6],
  ['CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.8, 1.8, 1.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 0, 0],
  // 5.0 x 0.92 = 4.6000000000000005 in binary: Roundup must give 4.6 in both versions
  [
    'CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:H/I:N/A:L/E:U/RL:O/RC:U/CR:M/IR:M/AR:X/MAV:P/MAC:L/MS:C/MC:H',
    5.0,
    4.0,
    4.6,
  ],
  ['CVSS:3.0/AV:L/AC:L/PR:L/UI:R/S:U/C:N/I:H/A:N/E:H/RL:T/RC:U/CR:X/AR:L/MAC:X/MC:L/MI:H', 5.0, 4.5, 5.0],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/RC:U', 10.0, 9.2, 9.2],
  [
    'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:L/I:H/A:N/E:P/RL:U/RC:C/IR:X/AR:H/MAV:X/MAC:L/MPR:X/MUI:R/MS:C/MI:L/MA:N',
    6.7,
    6.3,
    4.0,
  ],
  [
    'CVSS:3.1/AV:P/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:H/E:H/RL:T/RC:R/CR:M/IR:L/AR:M/MAV:A/MAC:H/MS:C/MC:H/MA:X',
    6.5,
    6.0,
    7.1,
  ],
  [
    'CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:H/E:P/RL:O/IR:H/AR:L/MAV:L/MAC:H/MPR:N/MUI:X/MS:C/MC:X/MI:X',
    6.8,
    6.1,
    5.9,
  ],
  [
    'CVSS:3.0/AV:A/AC:H/PR:L/UI:N/S:C/C:N/I:N/A:L/E:U/RL:W/CR:H/IR:L/AR:H/MAV:N/MAC:H/MS:C/MC:H/MI:H/MA:H',
    3.0,
    2.7,
    7.6,
  ],
  // modified privileges follow the modified scope, not the base scope
  ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:H/RL:T/CR:X/MAC:H/MPR:L/MS:C/MA:N', 7.0, 6.8, 4.8],
];

describe('cvss3Scores', () => {
  it.each(CASES)('%s -> %s / %s / %s', (vector, base, temporal, environmental) => {
    const parsed = parseCvssVector(vector);
    if (typeof parsed === 'string' || parsed.version === '4.0') throw new Error(String(parsed));
    expect(cvss3Scores(parsed.metrics, parsed.version)).toEqual({ base, temporal, environmental });
  });
});
