import type { RemediationStore } from '../adapters/store/remediation-store.js';
import type { RunStore } from '../adapters/store/run-store.js';
import type { Deferral } from '../core/policy/deferral.js';
import { parseInstant } from '../core/policy/time.js';
import {
  remediationByTier,
  type FixItem,
  type HostNote,
  type MonthlyReport,
} from '../core/report/monthly-report.js';
import { Top } from '../core/report/top-list.js';

const DAY = 86_400_000;

/*
 * The monthly report's sections read from stored history and records (deferrals, runs, fixes, daily
 * counts), apart from the pass over the fleet in report-monthly.ts.
 */

export function deferralSections(
  all: readonly Deferral[],
  now: Date,
  tz: string,
  n: number,
): MonthlyReport['deferrals'] {
  const soon = now.getTime() + 30 * DAY;
  const due = new Top<Deferral & { at: number }>(n, (a, b) => a.at - b.at);
  const expired = new Top<Deferral & { at: number }>(n, (a, b) => b.at - a.at);
  let active = 0;
  for (const d of all) {
    if (d.endedAt) continue;
    const at = parseInstant(d.review, tz) ?? 0;
    if (at <= now.getTime()) expired.add({ ...d, at });
    else {
      active++;
      if (at <= soon) due.add({ ...d, at });
    }
  }
  const item = (d: Deferral) => ({
    id: d.id,
    findings: d.findings,
    scope: d.selector ?? d.hosts.join(', '),
    owner: d.owner,
    review: d.review,
    reason: d.reason,
  });
  const list = (t: Top<Deferral & { at: number }>) => {
    const r = t.done();
    return { total: r.total, items: r.items.map(item) };
  };
  return { active, dueForReview: list(due), expired: list(expired) };
}

export async function runsOf(
  runs: RunStore,
  from: Date,
  to: Date,
  n: number,
): Promise<MonthlyReport['runs']> {
  const inMonth = (await runs.list()).filter((r) => {
    const at = Date.parse(r.createdAt);
    return at >= from.getTime() && at < to.getTime();
  });
  inMonth.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const items: MonthlyReport['runs']['items'] = [];
  const rolledBack = new Top<HostNote & { at: string }>(n, (a, b) => (a.at < b.at ? -1 : 1));
  for (const r of inMonth) {
    const hosts = await runs.hosts(r.id);
    const count = (s: string) => hosts.filter((h) => h.state === s).length;
    for (const h of hosts)
      if (h.state === 'rolled-back' || h.state === 'rollback-failed')
        rolledBack.add({
          host: h.host,
          detail: `run ${r.id}: ${h.state}${h.reason ? ` (${h.reason})` : ''}`,
          at: r.createdAt,
        });
    if (items.length < n)
      items.push({
        id: r.id,
        kind: r.kind,
        window: r.window ?? null,
        state: r.state,
        createdAt: r.createdAt,
        hosts: hosts.length,
        verified: count('verified'),
        failed: count('failed') + count('rollback-failed'),
        rolledBack: count('rolled-back'),
      });
  }
  const rb = rolledBack.done();
  return {
    total: inMonth.length,
    items,
    rolledBack: { total: rb.total, items: rb.items.map(({ host, detail }) => ({ host, detail })) },
  };
}

export async function fixesOf(
  history: RemediationStore,
  from: Date,
  to: Date,
  n: number,
): Promise<MonthlyReport['remediation']> {
  // Three numbers a fix for the per-tier figures; whole rows only for the slowest few.
  const all: { tier: number; days: number; onTime: boolean | null }[] = [];
  const slowest = new Top<FixItem>(n, (a, b) => b.days - a.days || (a.host < b.host ? -1 : 1));
  for await (const r of history.fixedBetween(from.toISOString(), to.toISOString())) {
    const days = Math.round(((Date.parse(r.fixedAt) - Date.parse(r.firstSeenAt)) / DAY) * 10) / 10;
    const onTime = r.dueAt ? r.fixedAt <= r.dueAt : null;
    all.push({ tier: r.tier, days, onTime });
    slowest.add({
      host: r.host,
      package: r.package,
      vulnId: r.vulnId,
      tier: r.tier,
      days,
      firstSeenAt: r.firstSeenAt,
      fixedAt: r.fixedAt,
      dueAt: r.dueAt ?? null,
      onTime,
    });
  }
  const byTier = remediationByTier(all);
  const withDue = byTier.reduce((s, t) => s + t.withDueDate, 0);
  const onTime = byTier.reduce((s, t) => s + t.onTime, 0);
  return {
    fixed: all.length,
    slaCompliance: withDue ? onTime / withDue : null,
    byTier,
    slowest: slowest.done(),
  };
}

export function sumDays(
  rows: readonly { day: string; open: number; overdue: number; kev: number }[],
): MonthlyReport['openOverTime'] {
  const out = new Map<string, { day: string; open: number; overdue: number; kev: number }>();
  for (const r of rows) {
    let d = out.get(r.day);
    if (!d) out.set(r.day, (d = { day: r.day, open: 0, overdue: 0, kev: 0 }));
    d.open += r.open;
    d.overdue += r.overdue;
    d.kev += r.kev;
  }
  return [...out.values()];
}
