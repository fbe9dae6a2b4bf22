import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../src/core/report/monthly-report.js';
import { MonthlyReportSchema } from '../src/core/report/monthly-report.js';
import { FIXTURES, SNAPSHOT, parseNdjson, runCli, tempDir } from './helpers/cli.js';

// web-1 (tier 1) is scanned from the edited bookworm status (an old tar, openssh, a kernel), then rescanned
// from the plain minbase one: the kernel, openssh and old-tar findings are fixed at the rescan. build-1
// (no tier, no owner, created in 2020) is scanned once. The owner of web-1 is hostile markup.
const EVIL = '<script>alert(1)</script>';
const YAML = `policy:
  timeZone: Europe/Berlin
hosts:
  - name: web-1
    tier: 1
    exposure: internet
    environment: production
    owner: "${EVIL}"
  - name: build-1
    createdAt: "2020-01-01T00:00:00Z"
`;
const EDITED = path.join(FIXTURES, 'status/edited-bookworm.status');
const MINBASE = path.join(FIXTURES, 'status/minbase-bookworm.status');
// The month the test runs in, in the policy time zone: the report covers it to date.
const MONTH = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' }).slice(0, 7);

let dir: string;
const cli = (...args: string[]) => runCli(args, { cwd: dir });
const ok = (...args: string[]) => {
  const r = cli(...args);
  if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const findingKeys = (host: string) =>
  new Set(
    parseNdjson<{ package: string; vulnId: string }>(
      ok('findings', '--json', '--all', '--host', host),
    ).records.map((f) => `${f.package}|${f.vulnId}`),
  );
const report = (...extra: string[]): MonthlyReport =>
  MonthlyReportSchema.parse(
    JSON.parse(ok('report', 'monthly', '--month', MONTH, '--format', 'json', ...extra)),
  );

let before: Set<string>;
let after: Set<string>;
let first: MonthlyReport;

beforeAll(() => {
  dir = tempDir('patchwise-report-');
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), YAML);
  ok('feeds', 'import', SNAPSHOT);
  ok('scan', '--from-status', EDITED, '--os', 'debian:12', '--name', 'web-1');
  ok('scan', '--from-status', MINBASE, '--os', 'debian:12', '--name', 'build-1');
  ok('plan'); // records first-seen times and each host's compared scan
  before = findingKeys('web-1');
  ok('scan', '--from-status', MINBASE, '--os', 'debian:12', '--name', 'web-1');
  after = findingKeys('web-1');
  first = report();
}, 180_000);

describe('patchwise report monthly (real SQLite, real feeds, the built CLI)', () => {
  it('records each finding the rescan no longer shows as fixed, once, with its tier and due date', () => {
    const fixed = [...before].filter((k) => !after.has(k));
    expect(fixed.length).toBeGreaterThan(0);
    const r = first.remediation;
    expect(r.fixed).toBe(fixed.length);
    expect(r.byTier).toEqual([
      expect.objectContaining({ tier: 1, fixed: fixed.length, withDueDate: fixed.length }),
    ]);
    expect(r.slaCompliance).toBe(1); // fixed seconds after they were first seen
    expect(r.slowest.total).toBe(fixed.length);
    expect(r.slowest.items.length).toBe(20);
    for (const x of r.slowest.items) {
      expect(x.host).toBe('web-1');
      expect(fixed).toContain(`${x.package}|${x.vulnId}`);
      expect(x.fixedAt >= x.firstSeenAt).toBe(true);
    }
    // A second report (another decide run) finds nothing new: the cursor has moved to the rescan.
    expect(report().remediation.fixed).toBe(fixed.length);
  });

  it('counts the fleet as findings and plan see it, by tier, with the day in the open-over-time series', () => {
    const all = parseNdjson(ok('findings', '--json', '--all')).records.length;
    expect(first.fleet).toMatchObject({
      inventoryHosts: 2,
      scannedHosts: 2,
      hostsWithOpenFindings: 2,
      openFindings: all,
    });
    expect(first.unpatched.total).toBe(2);
    expect(first.overdueByTier.map((t) => t.tier)).toEqual([1, 0]);
    expect(first.overdueByTier.reduce((s, t) => s + t.open, 0)).toBe(all);
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
    expect(first.openOverTime.at(-1)).toEqual({
      day: today,
      open: all,
      overdue: first.fleet.overdue,
      kev: first.fleet.knownExploited,
    });
  });

  it('lists orphaned and old VMs, end of life, and the month bounds in the policy time zone', () => {
    expect(first.hygiene.noOwner.items.map((h) => h.host)).toEqual(['build-1']);
    expect(first.hygiene.old.items.map((h) => h.host)).toEqual(['build-1']);
    expect(first.hygiene.endOfLife.total).toBe(2); // the snapshot's Debian 12 end of life is past at the run's clock
    expect(first.month).toBe(MONTH);
    expect(first.complete).toBe(false);
    expect(first.runs.total).toBe(0);
  });

  it('renders Markdown and one self-contained HTML page, escaping the hostile owner', () => {
    const md = ok('report', 'monthly', '--month', MONTH);
    expect(md).toContain(`# Monthly patch review: ${MONTH}`);
    expect(md).toContain('## Time to remediate and SLA compliance');
    expect(md).not.toContain('<script>');
    const out = path.join(dir, 'review.html');
    const r = cli('report', 'monthly', '--month', MONTH, '--format', 'html', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const html = fs.readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<svg /g)).toHaveLength(3);
  });

  it('a bad month or format is a user error (exit 2)', () => {
    for (const args of [
      ['--month', '2026-13'],
      ['--month', 'november'],
      ['--month', '2999-01'],
      ['--format', 'pdf'],
    ]) {
      const r = cli('report', 'monthly', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/month|format/);
    }
  });
});
