import { describe, expect, it } from 'vitest';
import { finding, host, NOW, RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';
import { ACTIONS, actionRank } from './actions.js';
import { decideFinding, decideOutcome, decisionFor } from './decide-finding.js';
import { prepareHost } from './prepare-host.js';
import { defaultPolicy } from './policy-schema.js';

const ctx = { policy: defaultPolicy(), now: NOW };

describe('a decision as data', () => {
  const d = decideFinding(
    finding({ kev: RAPID_RESET_KEV, epss: { cve: 'CVE-2023-44487', score: 0.9, percentile: 0.99 } }),
    host(),
    ctx,
  );

  it('has reasons as an own enumerable property, in the documented key order', () => {
    expect(Object.keys(d)).toEqual([
      'host',
      'os',
      'vulnId',
      'cves',
      'package',
      'binaries',
      'installedVersion',
      'fixedVersion',
      'action',
      'state',
      'dueAt',
      'dueLocal',
      'dueRule',
      'rollback',
      'controls',
      'needsReboot',
      'packageClasses',
      'kev',
      'severity',
      'assumed',
      'reasonCodes',
      'reasons',
      'epss',
    ]);
    const json = JSON.parse(JSON.stringify(d)) as { reasons: string[] };
    expect(json.reasons).toEqual(d.reasons);
    expect({ ...d }.reasons).toEqual(d.reasons);
    expect(d.reasons[0]).toBe('CVE-2023-44487 is in CISA KEV since 2023-10-10.');
  });

  it('is plain data: reasons and reason codes are values, read as often as wanted', () => {
    expect(d.reasons).toBe(d.reasons);
    expect(Object.getOwnPropertyDescriptor(d, 'reasons')?.get).toBeUndefined();
    expect(d.reasonCodes).toEqual(['exploited-exposed', 'trigger:kev', 'trigger:epss', 'due:emergency']);
  });

  it('is the same decision whether decided at once or from a shared outcome', () => {
    const p = prepareHost(host(), ctx);
    const f = finding({ kev: RAPID_RESET_KEV });
    const o = decideOutcome(p, f, NOW.getTime());
    expect(decisionFor(p, f, o, NOW.getTime())).toEqual(decideFinding(f, host(), ctx));
  });

  it('shares rollback and control arrays between decisions that need the same', () => {
    const a = decideFinding(finding({ vulnId: 'A' }), host(), ctx);
    const b = decideFinding(finding({ vulnId: 'B', package: 'libxml2', binaries: ['libxml2'] }), host(), ctx);
    expect(a.rollback).toBe(b.rollback);
    expect(a.controls).toBe(b.controls);
  });
});

describe('actionRank', () => {
  it('is the position in ACTIONS', () => {
    expect(ACTIONS.map(actionRank)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
