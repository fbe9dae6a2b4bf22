import { describe, expect, it } from 'vitest';
import { finding, host, NOW, RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';
import { decideFinding } from './decide-finding.js';
import {
  evaluateDeferral,
  parseEndCondition,
  parseSelector,
  validateDeferral,
  type Deferral,
} from './deferral.js';
import { PolicySchema } from './policy-schema.js';

const policy = PolicySchema.parse({ timeZone: 'Europe/Berlin' });
const tz = 'Europe/Berlin';
const base: Deferral = {
  id: 'D-1',
  findings: ['CVE-2023-44487'],
  hosts: ['web-1'],
  reason: 'vendor update breaks HTTP/2 push',
  control: 'HTTP/2 disabled at the load balancer',
  owner: 'alice',
  review: '2026-12-01',
  until: 'fix-available',
  createdAt: '2026-11-27T09:00:00Z',
};

describe('evaluateDeferral', () => {
  const cases: [string, Partial<Deferral>, string, string, string | undefined][] = [
    ['active well before review', {}, '2026-11-20T00:00:00Z', 'active', undefined],
    ['expiring within 7 days', {}, '2026-11-27T09:00:00Z', 'expiring', undefined],
    // 2026-12-01 in Berlin starts at 2026-11-30T23:00Z: one millisecond before, still deferred ...
    ['just before the review date in Berlin', {}, '2026-11-30T22:59:59.999Z', 'expiring', undefined],
    // ... and at that exact instant it has ended.
    ['exactly at the review date in Berlin', {}, '2026-11-30T23:00:00.000Z', 'ended', 'review-date-passed'],
    ['end date before review', { until: '2026-11-29' }, '2026-11-28T23:00:00Z', 'ended', 'end-date-reached'],
    [
      'ended by hand',
      { endedAt: '2026-11-28T10:00:00Z', endedReason: 'patched' },
      '2026-11-28T11:00:00Z',
      'ended',
      'ended-by-hand',
    ],
  ];
  it.each(cases)('%s', (_n, over, now, state, because) => {
    const s = evaluateDeferral({ ...base, ...over }, { now: new Date(now), timeZone: tz, policy });
    expect(s.state).toBe(state);
    expect(s.endedBecause).toBe(because);
  });
  it('ends when its condition "fix available" is met', () => {
    const s = evaluateDeferral(base, { now: NOW, timeZone: tz, policy, facts: { fixAvailable: true } });
    expect(s).toMatchObject({ state: 'ended', endedBecause: 'fix-available' });
  });
  it('ends when staging passes or the window passed', () => {
    const ctx = { now: NOW, timeZone: tz, policy };
    expect(
      evaluateDeferral({ ...base, until: 'staging-passed' }, { ...ctx, facts: { stagingPassed: true } })
        .state,
    ).toBe('ended');
    expect(
      evaluateDeferral(
        { ...base, until: 'window:sunday' },
        { ...ctx, facts: { windowPassed: (n) => n === 'sunday' } },
      ).endedBecause,
    ).toBe('window-passed');
  });
  it('ends at the policy cap for its action class, even before review', () => {
    const d = { ...base, review: '2026-12-20' };
    const s = evaluateDeferral(d, {
      now: new Date('2026-12-01T00:00:00Z'),
      timeZone: tz,
      policy,
      action: 'emergency',
    });
    expect(s).toMatchObject({
      state: 'ended',
      endedBecause: 'policy-cap-reached',
      endsAt: '2026-11-30T09:00:00.000Z',
    });
  });
});

describe('validateDeferral', () => {
  const ctx = { now: NOW, timeZone: tz, policy, action: 'regular-window' as const };
  it('accepts a complete deferral within the cap', () => {
    expect(validateDeferral(base, ctx)).toEqual([]);
  });
  it('requires every field the article names', () => {
    const p = validateDeferral(
      {
        ...base,
        findings: [],
        hosts: [],
        reason: ' ',
        control: '',
        owner: '',
        review: 'soon',
        until: 'later',
      },
      ctx,
    );
    expect(p).toEqual([
      'Name the findings or CVEs to defer.',
      'Name the hosts or a selector.',
      'A deferral needs a reason.',
      'A deferral needs a compensating control.',
      'A deferral needs an owner.',
      'The review date "soon" is not a date (YYYY-MM-DD) or an ISO time with offset.',
      'The end condition "later" is not a date, "fix-available", "staging-passed" or "window:NAME".',
    ]);
  });
  it('caps a known-exploited internet-facing finding without an approver', () => {
    const e = { ...ctx, action: 'emergency' as const };
    const p = validateDeferral({ ...base, review: '2026-12-05' }, e);
    expect(p[0]).toMatch(/at most 3 days without an approver/);
    expect(validateDeferral({ ...base, review: '2026-12-05', approver: 'ciso' }, e)).toEqual([]);
    expect(validateDeferral({ ...base, review: '2027-01-30', approver: 'ciso' }, e)[0]).toMatch(
      /at most 14 days even with an approver/,
    );
  });
  it('rejects review dates in the past', () => {
    expect(validateDeferral({ ...base, review: '2026-11-01' }, ctx)).toContain(
      'The review date 2026-11-01 is not in the future.',
    );
  });
});

describe('parsers', () => {
  it('parses end conditions', () => {
    expect(parseEndCondition('fix-available', tz)).toEqual({ kind: 'fix-available' });
    expect(parseEndCondition('window:sun-night', tz)).toEqual({ kind: 'window', name: 'sun-night' });
    expect(parseEndCondition('2026-12-01', tz)).toEqual({
      kind: 'date',
      at: Date.parse('2026-11-30T23:00:00Z'),
    });
    expect(parseEndCondition('2026-12-01T10:00', tz)).toBeUndefined();
  });
  it('parses selectors', () => {
    const p = parseSelector('tag:role=web,tier:1');
    expect(typeof p).toBe('function');
    if (typeof p === 'function') {
      expect(p(host())).toBe(true);
      expect(p(host({ tier: 2 }))).toBe(false);
    }
    expect(parseSelector('role=web')).toMatch(/not a selector term/);
  });
});

describe('deferrals in decisions', () => {
  const f = finding({ kev: RAPID_RESET_KEV });
  it('a deferred finding stays visible with state deferred', () => {
    const d = decideFinding(f, host(), { policy, now: NOW, deferrals: [{ ...base, until: '2026-11-29' }] });
    expect(d.state).toBe('deferred');
    expect(d.action).toBe('emergency');
    expect(d.deferral).toMatchObject({ id: 'D-1', state: 'expiring' });
  });
  it('a deferral expiring at the exact due time, in another time zone, leaves the finding overdue', () => {
    // First seen so that the 48-hour emergency deadline falls on 2026-12-01 00:00 Berlin (= 2026-11-30T23:00Z).
    const ctx = {
      policy,
      timeZone: tz,
      firstSeenAt: new Date('2026-11-28T23:00:00Z'),
      deferrals: [{ ...base, until: '2026-12-01', approver: 'ciso' }],
    };
    const before = decideFinding(f, host(), { ...ctx, now: new Date('2026-11-30T22:59:59.999Z') });
    expect(before).toMatchObject({ state: 'deferred', dueAt: '2026-11-30T23:00:00.000Z' });
    const at = decideFinding(f, host(), { ...ctx, now: new Date('2026-11-30T23:00:00.000Z') });
    expect(at.state).toBe('overdue');
    expect(at.deferral).toMatchObject({ state: 'ended', endedBecause: 'review-date-passed' });
    expect(at.reasons.at(-1)).toBe(
      'Deferral D-1 ended 2026-12-01 00:00 Europe/Berlin because its review date passed: the finding is due again.',
    );
  });
  it('a selector deferral covers matching hosts only', () => {
    const d = { ...base, hosts: [], selector: 'tag:role=db', until: '2026-11-29' };
    expect(decideFinding(f, host(), { policy, now: NOW, deferrals: [d] }).state).toBe('due');
    expect(decideFinding(f, host({ tags: { role: 'db' } }), { policy, now: NOW, deferrals: [d] }).state).toBe(
      'deferred',
    );
  });
});
