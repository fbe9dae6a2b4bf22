import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { parseDebianTracker, trackerCodenames } from './parse-debian-tracker.js';

const tracker = {
  nginx: {
    'CVE-2023-44487': {
      releases: {
        bookworm: { status: 'resolved', fixed_version: '1.22.1-9+deb12u11', urgency: 'high' },
        trixie: { status: 'resolved', fixed_version: '1.24.0-1', urgency: 'high' },
      },
    },
    'CVE-2099-0001': { releases: { bookworm: { status: 'open', urgency: 'unimportant' } } },
    'CVE-2099-0002': { releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned' } } },
    'CVE-2099-0003': { releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'low' } } },
    'CVE-2099-0004': { releases: { bookworm: { status: 'not-affected' } } },
    'CVE-2099-0005': { releases: { trixie: { status: 'open' } } },
    'CVE-2099-0006': { releases: { bookworm: { status: 'resolved' } } },
    'CVE-2099-0007': { releases: { bookworm: { status: 'postponed' } } },
  },
};

describe('parseDebianTracker', () => {
  const { records, unusable } = parseDebianTracker(tracker, 'bookworm', 'Debian:12', 'tracker.json');

  it.each([
    ['CVE-2023-44487', [[{ introduced: '0' }, { fixed: '1.22.1-9+deb12u11' }]], 'high'],
    ['CVE-2099-0001', [[{ introduced: '0' }]], 'unimportant'],
    ['CVE-2099-0002', [[{ introduced: '0' }]], 'not yet assigned'],
  ])('maps %s', (id, ranges, urgency) => {
    const r = records.find((x) => x.vulnId === id);
    expect(r).toMatchObject({
      source: 'debian-tracker:bookworm',
      ecosystem: 'Debian:12',
      package: 'nginx',
      ranges,
      urgency,
    });
  });

  it('skips not-affected, fixed_version 0 and other releases', () => {
    expect(records.map((r) => r.vulnId).sort()).toEqual(['CVE-2023-44487', 'CVE-2099-0001', 'CVE-2099-0002']);
  });

  it('counts resolved-without-fix and unknown statuses as unusable', () => {
    expect(unusable.map((u) => [u.vulnId, u.reason])).toEqual([
      ['CVE-2099-0006', 'resolved without a fixed_version'],
      ['CVE-2099-0007', 'unknown tracker status "postponed"'],
    ]);
  });

  it('lists the codenames present', () => {
    expect(trackerCodenames(tracker, 'f')).toEqual(['bookworm', 'trixie']);
  });

  it.each([
    ['an array', [], '(top level)'],
    ['releases missing', { x: { 'CVE-1': {} } }, 'x/CVE-1: field releases'],
    [
      'status not a string',
      { x: { 'CVE-1': { releases: { bookworm: { status: 3 } } } } },
      'releases.bookworm.status',
    ],
    [
      'status missing',
      { x: { 'CVE-1': { releases: { bookworm: { urgency: 'low' } } } } },
      'releases.bookworm.status',
    ],
  ])('rejects %s naming file, entry and field', (_n, json, text) => {
    expect(() => parseDebianTracker(json, 'bookworm', 'Debian:12', 'tracker.json')).toThrow(UserError);
    expect(() => parseDebianTracker(json, 'bookworm', 'Debian:12', 'tracker.json')).toThrow(text);
  });
});
