import { tierLabel, type HostNote, type MonthlyReport } from './monthly-report.js';

/** A table: header cells and rows of plain text (renderers escape). */
export interface Table {
  headers: string[];
  rows: string[][];
  /** Right-aligned columns (numbers). */
  numeric?: number[];
}

/** One section of the report as the renderers lay it out: plain text only, escaped by each renderer. */
export interface Section {
  id: string;
  heading: string;
  level: 2 | 3;
  lines: string[];
  table?: Table;
  /** "and N more" when the table lists only the first items. */
  more?: number;
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const days = (v: number | null): string => (v === null ? 'n/a' : `${v} d`);
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '');

function notes(
  id: string,
  heading: string,
  list: { total: number; items: HostNote[] },
  empty: string,
): Section {
  return {
    id,
    heading: `${heading} (${list.total})`,
    level: 3,
    lines: list.total === 0 ? [empty] : [],
    ...(list.total
      ? { table: { headers: ['Host', 'Detail'], rows: list.items.map((h) => [h.host, h.detail]) } }
      : {}),
    more: list.total - list.items.length,
  };
}

/** The report's sections in reading order, the same for every human format. */
export function reportSections(r: MonthlyReport): Section[] {
  const f = r.fleet;
  const s: Section[] = [];
  s.push({
    id: 'summary',
    heading: 'Summary',
    level: 2,
    lines: [
      `${f.scannedHosts} of ${f.inventoryHosts} inventory hosts scanned; ${f.hostsWithOpenFindings} with open findings.`,
      `${f.openFindings} open findings, ${f.overdue} overdue, ${f.knownExploited} known exploited (KEV), ${f.deferred} deferred.`,
      `${r.remediation.fixed} findings fixed this month; SLA compliance ${pct(r.remediation.slaCompliance)}.`,
      `${r.runs.total} runs this month, ${r.runs.rolledBack.total} hosts rolled back.`,
    ],
  });
  s.push({
    id: 'unpatched',
    heading: `Unpatched systems (${r.unpatched.total})`,
    level: 2,
    lines: r.unpatched.total
      ? ['Hosts with open findings, most overdue first.']
      : ['No host has open findings.'],
    table: {
      headers: ['Host', 'Tier', 'Owner', 'Open', 'Overdue', 'KEV', 'Action', 'Due'],
      rows: r.unpatched.items.map((h) => [
        h.host,
        tierLabel(h.tier),
        h.owner ?? '(none)',
        String(h.open),
        String(h.overdue),
        String(h.kev),
        h.action ?? '',
        day(h.dueAt),
      ]),
      numeric: [3, 4, 5],
    },
    more: r.unpatched.total - r.unpatched.items.length,
  });
  s.push({
    id: 'overdue-by-tier',
    heading: 'Overdue findings by tier',
    level: 2,
    lines: [],
    table: {
      headers: ['Tier', 'Hosts with open findings', 'Open', 'Overdue', 'KEV'],
      rows: r.overdueByTier.map((t) => [
        tierLabel(t.tier),
        String(t.hosts),
        String(t.open),
        String(t.overdue),
        String(t.kev),
      ]),
      numeric: [1, 2, 3, 4],
    },
  });
  const k = r.knownExploited;
  s.push({
    id: 'known-exploited',
    heading: `Known-exploited exposure (${k.total})`,
    level: 2,
    lines: [`${k.total} findings in CISA KEV on ${k.hosts} hosts.`],
    ...(k.items.length
      ? {
          table: {
            headers: ['Host', 'Package', 'Vulnerability', 'Action', 'State', 'Due'],
            rows: k.items.map((x) => [x.host, x.package, x.vulnId, x.action, x.state, day(x.dueAt)]),
          },
        }
      : {}),
    more: k.total - k.items.length,
  });
  const dItem = (d: MonthlyReport['deferrals']['expired']['items'][number]) => [
    d.id,
    d.findings.join(', '),
    d.scope,
    d.owner,
    d.review,
    d.reason,
  ];
  const dHead = ['Id', 'Findings', 'Scope', 'Owner', 'Review', 'Reason'];
  s.push({
    id: 'deferrals',
    heading: 'Deferrals',
    level: 2,
    lines: [`${r.deferrals.active} active deferrals.`],
  });
  for (const [id, heading, list] of [
    ['deferrals-due', 'Due for review in the next 30 days', r.deferrals.dueForReview],
    ['deferrals-expired', 'Past their review date', r.deferrals.expired],
  ] as const)
    s.push({
      id,
      heading: `${heading} (${list.total})`,
      level: 3,
      lines: list.total ? [] : ['None.'],
      ...(list.total ? { table: { headers: dHead, rows: list.items.map(dItem) } } : {}),
      more: list.total - list.items.length,
    });
  const h = r.hygiene;
  s.push({ id: 'hygiene', heading: 'Old and orphaned VMs', level: 2, lines: [] });
  s.push(notes('no-owner', 'No owner', h.noOwner, 'Every host has an owner.'));
  s.push(
    notes(
      'not-scanned',
      `Not scanned for ${h.staleDays} days`,
      h.notScanned,
      'Every host was scanned recently.',
    ),
  );
  s.push(
    notes(
      'end-of-life',
      'OS past end of life',
      h.endOfLife,
      'No scanned host runs an OS past its end of life.',
    ),
  );
  s.push(
    notes(
      'old',
      `Created more than ${h.oldDays} days ago`,
      h.old,
      'No host is that old (or none records its creation).',
    ),
  );
  s.push({ id: 'reboots', heading: 'Pending reboots and restart lists', level: 2, lines: [] });
  s.push(notes('pending-reboot', 'Reboot pending', r.reboots.pendingReboot, 'No host waits for a reboot.'));
  s.push(
    notes(
      'restart-lists',
      'Processes running replaced libraries',
      r.reboots.restartLists,
      'No restart lists.',
    ),
  );
  s.push({
    id: 'runs',
    heading: `Runs and rollbacks (${r.runs.total})`,
    level: 2,
    lines: r.runs.total ? [] : ['No run this month.'],
    ...(r.runs.total
      ? {
          table: {
            headers: [
              'Run',
              'Kind',
              'Window',
              'State',
              'Started',
              'Hosts',
              'Verified',
              'Failed',
              'Rolled back',
            ],
            rows: r.runs.items.map((x) => [
              x.id,
              x.kind,
              x.window ?? '',
              x.state,
              x.createdAt,
              String(x.hosts),
              String(x.verified),
              String(x.failed),
              String(x.rolledBack),
            ]),
            numeric: [5, 6, 7, 8],
          },
        }
      : {}),
    more: r.runs.total - r.runs.items.length,
  });
  s.push(notes('rolled-back', 'Hosts rolled back', r.runs.rolledBack, 'No rollback this month.'));
  const m = r.remediation;
  s.push({
    id: 'remediation',
    heading: 'Time to remediate and SLA compliance',
    level: 2,
    lines: [
      `${m.fixed} findings fixed (first rescan without them this month). SLA compliance: ${pct(m.slaCompliance)} fixed by their due date.`,
    ],
    table: {
      headers: ['Tier', 'Fixed', 'Median', 'p90', 'With due date', 'On time', 'SLA compliance'],
      rows: m.byTier.map((t) => [
        tierLabel(t.tier),
        String(t.fixed),
        days(t.medianDays),
        days(t.p90Days),
        String(t.withDueDate),
        String(t.onTime),
        pct(t.slaCompliance),
      ]),
      numeric: [1, 2, 3, 4, 5, 6],
    },
  });
  s.push({
    id: 'slowest',
    heading: `Slowest fixes (${m.slowest.total})`,
    level: 3,
    lines: m.slowest.total ? [] : ['No fix recorded this month.'],
    ...(m.slowest.total
      ? {
          table: {
            headers: ['Host', 'Package', 'Vulnerability', 'Tier', 'Days', 'Fixed', 'Due', 'On time'],
            rows: m.slowest.items.map((x) => [
              x.host,
              x.package,
              x.vulnId,
              tierLabel(x.tier),
              String(x.days),
              day(x.fixedAt),
              day(x.dueAt),
              x.onTime === null ? 'n/a' : x.onTime ? 'yes' : 'no',
            ]),
            numeric: [4],
          },
        }
      : {}),
    more: m.slowest.total - m.slowest.items.length,
  });
  s.push({
    id: 'open-over-time',
    heading: 'Findings open over time',
    level: 2,
    lines: r.openOverTime.length
      ? []
      : ['No daily counts recorded this month (assess, plan, the scheduler and this report record them).'],
    ...(r.openOverTime.length
      ? {
          table: {
            headers: ['Day', 'Open', 'Overdue', 'KEV'],
            rows: r.openOverTime.map((d) => [d.day, String(d.open), String(d.overdue), String(d.kev)]),
            numeric: [1, 2, 3],
          },
        }
      : {}),
  });
  if (r.notes.length) s.push({ id: 'notes', heading: 'Notes', level: 2, lines: r.notes });
  return s;
}

/** The report's title. */
export function reportTitle(r: MonthlyReport): string {
  return `Monthly patch review: ${r.month}`;
}

/** The line under the title: when, in which time zone, and whether the month is over. */
export function reportSubtitle(r: MonthlyReport): string {
  return `Generated ${r.generatedAt} (time zone ${r.timeZone}); ${r.complete ? 'the whole month' : 'the month to date'}. Fleet state as of generation; history for the month.`;
}
