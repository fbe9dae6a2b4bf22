import { describe, expect, it } from 'vitest';
import { mapTagNames, mapTagPairs } from './map-tags.js';

describe('mapTagNames', () => {
  it.each([
    [['tier-1'], { tier: 1 }],
    [['tier4'], { tier: 4 }],
    [['TIER_2'], { tier: 2 }],
    [['tier-5'], {}],
    [['internet'], { exposure: 'internet' }],
    [['public'], { exposure: 'internet' }],
    [['internet-facing'], { exposure: 'internet' }],
    [['internal'], { exposure: 'internal' }],
    [['isolated'], { exposure: 'isolated' }],
    [['owner-alice'], { owner: 'alice' }],
    [['owner:team-web'], { owner: 'team-web' }],
    [['owner_team_db'], { owner: 'team_db' }],
    [['production'], { environment: 'production' }],
    [['dev'], { environment: 'development' }],
    [['env-prod'], { environment: 'production' }],
    [['env-qa'], { environment: 'qa' }],
    [['web', 'tier-3', 'isolated', 'owner-ops'], { tier: 3, exposure: 'isolated', owner: 'ops' }],
  ])('%j -> %j', (names, expected) => {
    const { conflicts, unmatched: _u, invalid: _i, ...c } = mapTagNames(names);
    expect(c).toEqual(
      Object.fromEntries(
        Object.entries({
          tier: undefined,
          exposure: undefined,
          owner: undefined,
          environment: undefined,
          ...expected,
        }).filter(([, v]) => v !== undefined),
      ),
    );
    expect(conflicts).toEqual([]);
  });

  it('leaves a field unset and reports it when tags disagree', () => {
    const c = mapTagNames(['tier-1', 'tier-2', 'internet']);
    expect(c.tier).toBeUndefined();
    expect(c.exposure).toBe('internet');
    expect(c.conflicts).toEqual(['tier: 1 vs 2']);
  });

  it('keeps unmatched tags', () => {
    expect(mapTagNames(['web', 'tier-1']).unmatched).toEqual(['web']);
  });
});

describe('mapTagPairs', () => {
  it.each([
    [{ tier: '1' }, { tier: 1 }],
    [{ Tier: 'tier-2' }, { tier: 2 }],
    [
      { patchwise_tier: '3', patchwise_owner: 'ops' },
      { tier: 3, owner: 'ops' },
    ],
    [{ Exposure: 'public' }, { exposure: 'internet' }],
    [{ env: 'prod' }, { environment: 'production' }],
    [
      { Environment: 'staging', Owner: 'team-api' },
      { environment: 'staging', owner: 'team-api' },
    ],
    [{ Name: 'public', Role: 'production' }, {}],
    [{ tier: '9' }, {}],
  ])('%j -> %j', (pairs, expected) => {
    const { conflicts: _c, unmatched: _u, invalid: _i, ...c } = mapTagPairs(pairs);
    expect(Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined))).toEqual(expected);
  });
});
