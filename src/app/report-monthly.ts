import { DateTime } from 'luxon';
import { DeferralStore } from '../adapters/store/deferral-store.js';
import { RemediationStore } from '../adapters/store/remediation-store.js';
import { RunStore } from '../adapters/store/run-store.js';
import { latestScanSummaries } from '../adapters/store/scan-store.js';
import { UserError } from '../core/errors.js';
import { osEndOfLife } from '../core/intel/eol.js';
import type { Host } from '../core/inventory/host.js';
import { defaultPolicy } from '../core/policy/policy-schema.js';
import {
  REPORT_TOP,
  type HostNote,
  type MonthlyReport,
  type UnpatchedHost,
} from '../core/report/monthly-report.js';
import { FleetRun, type FleetHost } from './fleet-pipeline.js';
import { deferralSections, fixesOf, runsOf, sumDays } from './report-history.js';
import { Top } from '../core/report/top-list.js';
import { loadInventory, type InventoryInputs } from './inventory.js';

/** What the monthly report covers and judges by. */
export interface MonthlyReportOptions {
  /** `YYYY-MM` in the policy time zone; default: the previous full month. */
  month?: string;
  /** The clock (default: now). */
  now?: Date;
  /** Record today's open counts and fixed findings as the pipeline goes (default true). */
  record?: boolean;
  /** A host not scanned successfully for this many days is stale (default 30). */
  staleDays?: number;
  /** A VM created more than this many days ago is old (default 365). */
  oldDays?: number;
  /** Items listed per section (default {@link REPORT_TOP}). */
  top?: number;
}

const DAY = 86_400_000;

/**
 * The month's review (issue 14): unpatched hosts, overdue findings by tier, known-exploited exposure,
 * deferrals to review, old and orphaned VMs, pending reboots, runs and rollbacks, time-to-remediate and
 * SLA compliance, findings open over time. The fleet's state sections stream the fleet pipeline (memory
 * flat in the findings); the history sections read the month's rows. @throws UserError for a bad month.
 */
export async function monthlyReport(
  inputs: InventoryInputs,
  opts: MonthlyReportOptions = {},
): Promise<MonthlyReport> {
  const now = opts.now ?? new Date();
  const n = opts.top ?? REPORT_TOP;
  const inventory = await loadInventory(inputs);
  // The month is checked before the fleet is read: a typo costs nothing.
  const tz = (inventory.config.config.policy ?? defaultPolicy()).timeZone;
  const month = opts.month ?? previousMonth(now, tz);
  const { from, to } = monthBounds(month, tz);
  if (from.getTime() > now.getTime())
    throw new UserError(
      'report-future-month',
      `The month ${month} has not started yet.`,
      'Pick a month up to the current one.',
    );
  const run = await FleetRun.open(inputs, { inventory, now, record: opts.record !== false });
  const state = await fleetState(run, now, n);
  const store = await inputs.openStore();
  const history = new RemediationStore(store.db);
  const fixes = await fixesOf(history, from, to, n);
  const days = await history.days(localDay(from, tz), localDay(new Date(to.getTime() - 1), tz));
  return {
    format: 'patchwise-monthly-report',
    version: 1,
    month,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: tz,
    generatedAt: now.toISOString(),
    complete: to.getTime() <= now.getTime(),
    notes: run.notes,
    fleet: { inventoryHosts: inventory.hosts.length, ...state.fleet },
    unpatched: state.unpatched,
    overdueByTier: state.byTier,
    knownExploited: state.kev,
    deferrals: deferralSections(await new DeferralStore(store.db).list(), now, tz, n),
    hygiene: await hygiene(inputs, inventory.hosts, state.eol, now, opts, n),
    reboots: state.reboots,
    runs: await runsOf(new RunStore(store.db), from, to, n),
    remediation: fixes,
    openOverTime: sumDays(days),
  };
}

/** `YYYY-MM` of the month before `now`'s in `timeZone`. */
export function previousMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months: 1 }).toFormat('yyyy-MM');
}

/** The month's bounds [from, to) in `timeZone`. @throws UserError when `month` is not `YYYY-MM`. */
export function monthBounds(month: string, timeZone: string): { from: Date; to: Date } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const start =
    m && DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: timeZone });
  if (!start?.isValid)
    throw new UserError(
      'bad-month',
      `--month takes a month as YYYY-MM, not ${JSON.stringify(month.slice(0, 40))}.`,
      'Example: --month 2026-11',
    );
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

function localDay(at: Date, tz: string): string {
  return DateTime.fromJSDate(at, { zone: tz }).toFormat('yyyy-MM-dd');
}

const byName = (a: HostNote, b: HostNote) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);

async function fleetState(run: FleetRun, now: Date, n: number) {
  const fleet = {
    scannedHosts: 0,
    hostsWithOpenFindings: 0,
    openFindings: 0,
    overdue: 0,
    knownExploited: 0,
    deferred: 0,
  };
  const byTier = new Map<
    number,
    { tier: number; hosts: number; open: number; overdue: number; kev: number }
  >();
  const unpatched = new Top<UnpatchedHost>(
    n,
    (a, b) => b.overdue - a.overdue || b.kev - a.kev || b.open - a.open || (a.host < b.host ? -1 : 1),
  );
  const kevItems: MonthlyReport['knownExploited']['items'] = [];
  let kevHosts = 0;
  const eol: HostNote[] = [];
  const reboot = new Top<HostNote>(n, byName);
  const restarts = new Top<HostNote>(n, byName);
  for await (const h of run.hosts()) {
    const d = h.decided!;
    const r = d.rollup;
    const open = d.findings - r.deferred;
    const tier = h.host.tier ?? 0;
    fleet.scannedHosts++;
    fleet.openFindings += open;
    fleet.overdue += r.overdue;
    fleet.knownExploited += d.knownExploited;
    fleet.deferred += r.deferred;
    let t = byTier.get(tier);
    if (!t) byTier.set(tier, (t = { tier, hosts: 0, open: 0, overdue: 0, kev: 0 }));
    t.open += open;
    t.overdue += r.overdue;
    t.kev += d.knownExploited;
    if (open > 0) {
      t.hosts++;
      fleet.hostsWithOpenFindings++;
      unpatched.add({
        host: h.host.name,
        tier,
        owner: h.host.owner ?? null,
        open,
        overdue: r.overdue,
        kev: d.knownExploited,
        action: r.action,
        dueAt: r.dueAt,
      });
    }
    if (d.knownExploited > 0) {
      kevHosts++;
      // Decisions are built for the first hosts only: the list is bounded, the count is not.
      if (kevItems.length < n)
        for (const x of d.decisions())
          if (x.kev && kevItems.length < n)
            kevItems.push({
              host: x.host,
              package: x.package,
              vulnId: x.cves[0] ?? x.vulnId,
              action: x.action,
              state: x.state,
              dueAt: x.dueAt,
            });
    }
    hostNotes(h, now, run, eol, reboot, restarts);
  }
  return {
    fleet,
    byTier: [...byTier.values()].sort((a, b) => (a.tier || 9) - (b.tier || 9)),
    unpatched: unpatched.done(),
    kev: { total: fleet.knownExploited, hosts: kevHosts, items: kevItems },
    eol,
    reboots: { pendingReboot: reboot.done(), restartLists: restarts.done() },
  };
}

function hostNotes(
  h: FleetHost,
  now: Date,
  run: FleetRun,
  eol: HostNote[],
  reboot: Top<HostNote>,
  restarts: Top<HostNote>,
): void {
  const s = h.scan.state;
  const life = osEndOfLife(run.intel.eolReleases, s.os, now);
  if (life.eol) eol.push({ host: h.host.name, detail: `${s.os} past end of life since ${life.date ?? '?'}` });
  if (s.reboot?.required)
    reboot.add({ host: h.host.name, detail: `reboot pending (scan ${h.scan.startedAt})` });
  const stale = s.staleProcesses ?? [];
  if (stale.length > 0) {
    const names = [...new Set(stale.map((p) => p.unit ?? p.command))].slice(0, 5);
    restarts.add({ host: h.host.name, detail: `${stale.length} processes to restart: ${names.join(', ')}` });
  }
}

async function hygiene(
  inputs: InventoryInputs,
  hosts: readonly Host[],
  eol: HostNote[],
  now: Date,
  opts: MonthlyReportOptions,
  n: number,
): Promise<MonthlyReport['hygiene']> {
  const staleDays = opts.staleDays ?? 30;
  const oldDays = opts.oldDays ?? 365;
  const store = await inputs.openStore();
  const scans = new Map((await latestScanSummaries(store.db)).map((s) => [s.host, s]));
  const noOwner = new Top<HostNote>(n, byName);
  const notScanned = new Top<HostNote>(n, byName);
  const old = new Top<HostNote>(n, byName);
  for (const h of hosts) {
    if (!h.owner) noOwner.add({ host: h.name, detail: 'no owner recorded' });
    const last = scans.get(h.name)?.lastOk?.startedAt;
    if (!last) notScanned.add({ host: h.name, detail: 'never scanned successfully' });
    else if (now.getTime() - Date.parse(last) > staleDays * DAY)
      notScanned.add({ host: h.name, detail: `last successful scan ${last}` });
    const created = h.createdAt ? Date.parse(h.createdAt) : NaN;
    if (Number.isFinite(created) && now.getTime() - created > oldDays * DAY)
      old.add({ host: h.name, detail: `created ${h.createdAt}` });
  }
  const eolTop = new Top<HostNote>(n, byName);
  for (const e of eol) eolTop.add(e);
  return {
    staleDays,
    oldDays,
    noOwner: noOwner.done(),
    notScanned: notScanned.done(),
    endOfLife: eolTop.done(),
    old: old.done(),
  };
}
