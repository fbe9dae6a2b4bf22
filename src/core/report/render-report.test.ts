import { describe, expect, it } from 'vitest';
import { MonthlyReportSchema, quantile, remediationByTier, type MonthlyReport } from './monthly-report.js';
import { renderHtml } from './render-html.js';
import { mdText, renderMarkdown } from './render-markdown.js';

const EVIL = '<script>alert(1)</script>';

function sample(): MonthlyReport {
  const note = { host: EVIL, detail: `owner ${EVIL} | *bold*` };
  return {
    format: 'patchwise-monthly-report',
    version: 1,
    month: '2026-11',
    from: '2026-10-31T23:00:00.000Z',
    to: '2026-11-30T23:00:00.000Z',
    timeZone: 'Europe/Berlin',
    generatedAt: '2026-12-01T08:00:00.000Z',
    complete: true,
    notes: [`note ${EVIL}`],
    fleet: {
      inventoryHosts: 3,
      scannedHosts: 2,
      hostsWithOpenFindings: 1,
      openFindings: 7,
      overdue: 2,
      knownExploited: 1,
      deferred: 1,
    },
    unpatched: {
      total: 25,
      items: [
        {
          host: EVIL,
          tier: 1,
          owner: EVIL,
          open: 7,
          overdue: 2,
          kev: 1,
          action: 'emergency',
          dueAt: '2026-11-03T00:00:00.000Z',
        },
      ],
    },
    overdueByTier: [{ tier: 1, hosts: 1, open: 7, overdue: 2, kev: 1 }],
    knownExploited: {
      total: 1,
      hosts: 1,
      items: [
        {
          host: EVIL,
          package: 'nghttp2',
          vulnId: 'CVE-2023-44487',
          action: 'emergency',
          state: 'overdue',
          dueAt: '2026-11-03T00:00:00.000Z',
        },
      ],
    },
    deferrals: {
      active: 1,
      dueForReview: {
        total: 1,
        items: [
          { id: 'D-1', findings: ['CVE-1'], scope: EVIL, owner: 'bob', review: '2026-12-10', reason: EVIL },
        ],
      },
      expired: { total: 0, items: [] },
    },
    hygiene: {
      staleDays: 30,
      oldDays: 365,
      noOwner: { total: 1, items: [note] },
      notScanned: { total: 0, items: [] },
      endOfLife: { total: 0, items: [] },
      old: { total: 0, items: [] },
    },
    reboots: { pendingReboot: { total: 1, items: [note] }, restartLists: { total: 0, items: [] } },
    runs: {
      total: 1,
      items: [
        {
          id: 'R-1',
          kind: 'window',
          window: EVIL,
          state: 'finished',
          createdAt: '2026-11-10T02:00:00.000Z',
          hosts: 2,
          verified: 1,
          failed: 0,
          rolledBack: 1,
        },
      ],
      rolledBack: { total: 1, items: [note] },
    },
    remediation: {
      fixed: 2,
      slaCompliance: 0.5,
      byTier: [
        { tier: 1, fixed: 2, medianDays: 3, p90Days: 12.5, withDueDate: 2, onTime: 1, slaCompliance: 0.5 },
      ],
      slowest: {
        total: 2,
        items: [
          {
            host: EVIL,
            package: 'tar',
            vulnId: 'CVE-2',
            tier: 1,
            days: 12.5,
            firstSeenAt: '2026-11-01T00:00:00.000Z',
            fixedAt: '2026-11-13T12:00:00.000Z',
            dueAt: '2026-11-10T00:00:00.000Z',
            onTime: false,
          },
        ],
      },
    },
    openOverTime: [
      { day: '2026-11-01', open: 9, overdue: 1, kev: 1 },
      { day: '2026-11-02', open: 7, overdue: 2, kev: 1 },
    ],
  };
}

describe('the monthly report schema and figures', () => {
  it('accepts the sample', () => {
    expect(MonthlyReportSchema.parse(sample())).toEqual(sample());
  });
  it('nearest-rank quantiles and per-tier SLA compliance', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([5], 0.5)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
    const t = remediationByTier([
      { tier: 2, days: 4, onTime: true },
      { tier: 0, days: 1, onTime: null },
      { tier: 2, days: 10, onTime: false },
      { tier: 1, days: 2, onTime: true },
    ]);
    expect(t.map((x) => x.tier)).toEqual([1, 2, 0]);
    expect(t[1]).toEqual({
      tier: 2,
      fixed: 2,
      medianDays: 4,
      p90Days: 10,
      withDueDate: 2,
      onTime: 1,
      slaCompliance: 0.5,
    });
    expect(t[2]!.slaCompliance).toBeNull();
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(sample());
  it('has every section, in order', () => {
    const headings = md
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.replace(/ \(.*/, ''));
    expect(headings).toEqual([
      '## Summary',
      '## Unpatched systems',
      '## Overdue findings by tier',
      '## Known-exploited exposure',
      '## Deferrals',
      '## Old and orphaned VMs',
      '## Pending reboots and restart lists',
      '## Runs and rollbacks',
      '## Time to remediate and SLA compliance',
      '## Findings open over time',
      '## Notes',
    ]);
    expect(md).toContain('… and 24 more.');
    expect(md).toContain('| tier 1 | 2 | 3 d | 12.5 d | 2 | 1 | 50.0% |');
  });
  it('escapes hostile text: no raw HTML, no broken table cells', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('\\| \\*bold\\*');
    // The escape's own backslash is escaped too, so the rendered page shows \x1b.
    expect(mdText('a\u001b[31mb')).toBe('a\\\\x1b\\[31mb');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(sample());
  it('is one self-contained page: no script, no external resource, three inline charts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('Findings open over time</title>');
    expect(html).toContain('Time to remediate by tier (days)</title>');
    expect(html).toContain('<title>on time, tier 1: 50%</title>');
  });
  it('escapes every host and feed string', () => {
    expect(html).not.toContain('<script>');
    expect(html.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)!.length).toBeGreaterThanOrEqual(8);
  });
  it('lists the sections with their ids and right-aligned numbers', () => {
    for (const id of [
      'summary',
      'unpatched',
      'known-exploited',
      'deferrals-due',
      'no-owner',
      'pending-reboot',
      'runs',
      'rolled-back',
      'remediation',
      'slowest',
      'open-over-time',
    ])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<td class="n">7</td>');
  });
});
