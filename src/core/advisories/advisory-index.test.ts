import { describe, expect, it } from 'vitest';
import type { AffectedPackage, RangeEvent } from './advisory.js';
import { urgencyRank } from '../findings/rank-findings.js';
import { buildAdvisoryIndex } from './advisory-index.js';
import { hitsFor } from './match-host.js';

function record(
  ranges: RangeEvent[][],
  versions: string[] = [],
  extra: Partial<AffectedPackage> = {},
): AffectedPackage {
  return {
    source: 'osv:Debian:12',
    vulnId: 'DEBIAN-CVE-2024-0001',
    aliases: ['CVE-2024-0001'],
    ecosystem: 'Debian:12',
    package: 'pkg',
    ranges,
    versions,
    severity: [],
    ...extra,
  };
}

/** The fixed version for `v`: undefined when not affected, null when affected without a fix. */
function check(r: AffectedPackage[], v: string): string | null | undefined {
  const eco = buildAdvisoryIndex(r).ecosystems.get('Debian:12')!;
  const hits = hitsFor(eco, 'pkg', v);
  return hits.length === 0 ? undefined : hits[0]!.fixedVersion;
}

const I = (v: string): RangeEvent => ({ introduced: v });
const F = (v: string): RangeEvent => ({ fixed: v });
const L = (v: string): RangeEvent => ({ last_affected: v });
const LIM = (v: string): RangeEvent => ({ limit: v });

describe('OSV ECOSYSTEM range semantics', () => {
  const cases: [string, RangeEvent[][], string[], string, string | null | undefined][] = [
    ['introduced 0, fixed: below the fix', [[I('0'), F('1.2-3')]], [], '1.2-2', '1.2-3'],
    ['introduced 0, fixed: at the fix', [[I('0'), F('1.2-3')]], [], '1.2-3', undefined],
    ['introduced 0, fixed: above the fix', [[I('0'), F('1.2-3')]], [], '1.2-3+deb12u1', undefined],
    ['introduced 0, fixed: epoch wins', [[I('0'), F('1.2-3')]], [], '1:0.1-1', undefined],
    ['introduced 0, fixed: tilde sorts lower', [[I('0'), F('1.2-3')]], [], '1.2-3~bpo1', '1.2-3'],
    ['introduced 0 only: every version, no fix', [[I('0')]], [], '99.0-1', null],
    ['introduced X: below X is safe', [[I('2.0-1'), F('2.5-1')]], [], '1.9-1', undefined],
    ['introduced X: at X is affected', [[I('2.0-1'), F('2.5-1')]], [], '2.0-1', '2.5-1'],
    ['last_affected: at it', [[I('0'), L('2.0-1')]], [], '2.0-1', null],
    ['last_affected: above it', [[I('0'), L('2.0-1')]], [], '2.0-2', undefined],
    ['limit: below the limit', [[I('0'), LIM('3.0-1')]], [], '2.0-1', null],
    ['limit: at the limit', [[I('0'), LIM('3.0-1')]], [], '3.0-1', undefined],
    ['limit *: no limit', [[I('0'), LIM('*')]], [], '9.0-1', null],
    ['two limits: below either', [[I('0'), F('5-1'), LIM('2-1'), LIM('4-1')]], [], '3-1', '5-1'],
    ['two stretches in one range: first', [[I('1-1'), F('1-5'), I('2-1'), F('2-3')]], [], '1-2', '1-5'],
    ['two stretches in one range: between', [[I('1-1'), F('1-5'), I('2-1'), F('2-3')]], [], '1-7', undefined],
    ['two stretches in one range: second', [[I('1-1'), F('1-5'), I('2-1'), F('2-3')]], [], '2-2', '2-3'],
    ['unsorted events are sorted', [[F('2-3'), I('2-1'), F('1-5'), I('1-1')]], [], '2-2', '2-3'],
    [
      'several ranges: the one containing v',
      [
        [I('1-1'), F('1-5')],
        [I('2-1'), F('2-3')],
      ],
      [],
      '2-2',
      '2-3',
    ],
    [
      'overlapping ranges: the highest fix',
      [
        [I('0'), F('1-5')],
        [I('1-1'), F('1-9')],
      ],
      [],
      '1-2',
      '1-9',
    ],
    ['overlapping ranges: one without fix', [[I('0'), F('1-5')], [I('1-1')]], [], '1-2', null],
    ['versions list: listed', [], ['1.0-1', '1.0-2'], '1.0-2', null],
    ['versions list: equal by dpkg', [], ['1.0-1'], '0:1.0-1', null],
    ['versions list: not listed', [], ['1.0-1'], '1.0-3', undefined],
    ['versions list plus range: range gives fix', [[I('0'), F('1.0-5')]], ['1.0-1'], '1.0-1', '1.0-5'],
  ];
  it.each(cases)('%s', (_name, ranges, versions, v, expected) => {
    expect(check([record(ranges, versions)], v)).toBe(expected);
  });
});

describe('buildAdvisoryIndex', () => {
  it('reports and skips ranges whose versions do not parse', () => {
    const idx = buildAdvisoryIndex([record([[I('0'), F('not a version')]])]);
    expect(idx.records).toBe(0);
    expect(idx.issues[0]?.message).toMatch(/does not parse/);
  });

  it('keeps only the asked ecosystems', () => {
    const idx = buildAdvisoryIndex(
      [record([[I('0')]]), record([[I('0')]], [], { ecosystem: 'Debian:11' })],
      ['Debian:11'],
    );
    expect([...idx.ecosystems.keys()]).toEqual(['Debian:11']);
  });

  it('merges what two feeds say about one CVE into one hit', () => {
    const osv = record([[I('0'), F('1.0-3')]], [], { urgency: 'medium' });
    const tracker = record([[I('0'), F('1.0-4')]], [], {
      source: 'debian-tracker:bookworm',
      vulnId: 'CVE-2024-0001',
      aliases: [],
      urgency: 'high',
    });
    const eco = buildAdvisoryIndex([osv, tracker]).ecosystems.get('Debian:12')!;
    const hits = hitsFor(eco, 'pkg', '1.0-1');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.fixedVersion).toBe('1.0-4');
    expect(hits[0]?.info).toMatchObject({
      vulnId: 'CVE-2024-0001',
      aliases: ['DEBIAN-CVE-2024-0001'],
      sources: ['osv:Debian:12', 'debian-tracker:bookworm'],
      urgency: 'high',
    });
  });

  it('evaluates each (package, version) once', () => {
    const eco = buildAdvisoryIndex([record([[I('0'), F('1.0-3')]])]).ecosystems.get('Debian:12')!;
    expect(hitsFor(eco, 'pkg', '1.0-1')).toBe(hitsFor(eco, 'pkg', '1.0-1'));
  });
});

describe('urgencyRank', () => {
  it.each([
    ['unimportant', 'low'],
    ['low', 'medium'],
    ['low**', 'medium'],
    ['not yet assigned', 'medium'],
    ['medium', 'high'],
    ['high', 'critical'],
    [undefined, 'unimportant'],
  ])('%s ranks below %s', (a, b) => {
    expect(urgencyRank(a)).toBeLessThan(urgencyRank(b));
  });
});
