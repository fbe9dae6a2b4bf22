import type { Command } from 'commander';
import type { OccurrenceView, WindowView } from '../../app/windows.js';
import { UserError } from '../../core/errors.js';
import { describeScope } from '../../core/windows/window-scope.js';
import { parseNow, type CliContext } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { safeText } from '../safe-text.js';
import { registerAck } from './windows-ack.js';

const short = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const offset = (local: string) => local.slice(19);

function notes(o: OccurrenceView): string {
  return [
    o.frozen ? `frozen: ${o.frozen}` : '',
    o.releases.length ? `release conflict: ${o.releases.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The viewer's time zone: `$TZ`, else the machine's. */
function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** An ISO instant as `YYYY-MM-DD HH:MM` in `timeZone`. */
function inZone(iso: string, timeZone: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return f.format(new Date(iso));
}

function printWindow(w: WindowView): string {
  const when = `${w.schedule}${w.offsetDays ? ` ${w.offsetDays > 0 ? '+' : ''}${w.offsetDays}d` : ''}${w.start ? ` at ${w.start}` : ''}`;
  const next = w.next
    ? `${short(w.next.startLocal)} ${offset(w.next.startLocal)} ${w.timeZone} = ${short(w.next.start)} UTC, until ${short(w.next.endLocal)}${notes(w.next) ? ` (${notes(w.next)})` : ''}`
    : 'none';
  const viewer = viewerZone();
  const lines = [
    `${w.name}: ${when} for ${w.duration}${w.cutoff ? ` (cutoff ${w.cutoff})` : ''}, ${w.timeZone}`,
    `  next:     ${next}`,
    ...(w.next && viewer !== w.timeZone && viewer !== 'UTC'
      ? [`  yours:    ${inZone(w.next.start, viewer)} ${viewer} (this machine's zone)`]
      : []),
    `  hosts:    ${w.hostsInScope} in scope`,
    `  scope:    ${describeScope(w.scope)}`,
    `  impact:   ${w.impact ?? '-'}`,
    `  owner:    ${w.owner ?? '-'}`,
    `  rollback: ${w.rollback ?? '-'}`,
    `  success:  ${w.success?.join(', ') ?? '-'}`,
  ];
  if (w.missing.length)
    lines.push(`  missing:  ${w.missing.join(', ')} (required once the scope covers tier 1 or 2)`);
  return lines.map(safeText).join('\n');
}

function registerList(windows: Command, ctx: CliContext): void {
  windows
    .command('list')
    .description(
      "Each window: its next occurrence (in the window's zone, UTC and yours), hosts in scope, the five parts.",
    )
    .option(
      '--now <time>',
      'as if it were this time (ISO 8601 or a date; default: the global --now, else the clock)',
    )
    .option('--json', 'print the windows as JSON')
    .action(async (o: { now?: string; json?: boolean }) => {
      const { listWindows } = await import('../../app/windows.js');
      const now = o.now ? parseNow(o.now) : (ctx.now ?? new Date());
      const rows = await listWindows(ctx.inventoryInputs(), now);
      if (o.json) return printJson(rows);
      if (!rows.length) {
        process.stdout.write(
          'No maintenance windows configured. Add them under windows: (docs/windows.md).\n',
        );
        return;
      }
      process.stdout.write(rows.map(printWindow).join('\n\n') + '\n');
    });
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UserError(
      'bad-count',
      `--count takes a whole number from 1 to 1000, not ${JSON.stringify(v)}.`,
      'Example: --count 12',
    );
  return n;
}

function registerNext(windows: Command, ctx: CliContext): void {
  windows
    .command('next')
    .description(
      'The next occurrences of the windows after --now, marked frozen or in conflict with a release.',
    )
    .option('--window <name>', 'only this window')
    .option('--host <name>', 'only the windows whose scope covers this inventory host')
    .option('--count <n>', 'how many occurrences (default 5)')
    .option('--now <time>', 'after this time (ISO 8601 or a date; default: the global --now, else the clock)')
    .option(
      '--json',
      'print a JSON array: window, start, end (UTC), startLocal, endLocal, timeZone, frozen, releases',
    )
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows next                              the next 5 occurrences of every window
  patchwise windows next --window web-monthly --count 12
  patchwise windows next --host web-1                 the windows that cover web-1
  patchwise windows next --now 2026-12-01 --json | jq -r '.[] | select(.frozen) | .start'

A start that falls in the spring-forward gap is kept and moved forward by the gap (02:30 becomes
03:30); in the repeated autumn hour the first one is taken; a duration is elapsed time. See docs/windows.md.`,
    )
    .action(async (o: { window?: string; host?: string; count?: string; now?: string; json?: boolean }) => {
      const now = o.now ? parseNow(o.now) : (ctx.now ?? new Date());
      const opts = { window: o.window, count: o.count === undefined ? 5 : parseCount(o.count), now };
      const app = await import('../../app/windows.js');
      if (o.host) {
        const r = await app.nextOccurrencesForHost(ctx.inventoryInputs(), o.host, opts);
        if (o.json) return printJson(r.occurrences);
        if (!r.windows.length) {
          process.stdout.write(
            safeText(
              `Host ${o.host} is in no maintenance window${o.window ? ` (${o.window} does not cover it)` : ''}: no window's scope covers it. Widen a window's scope (docs/windows.md).`,
            ) + '\n',
          );
          return;
        }
        return printOccurrences(r.occurrences);
      }
      const rows = app.nextOccurrences(ctx.inventoryInputs(), opts);
      if (o.json) return printJson(rows);
      if (!rows.length) {
        process.stdout.write(
          'No maintenance windows configured. Add them under windows: (docs/windows.md).\n',
        );
        return;
      }
      printOccurrences(rows);
    });
}

function printOccurrences(rows: OccurrenceView[]): void {
  process.stdout.write(
    formatTable(rows, [
      { header: 'WINDOW', get: (r) => r.window },
      { header: 'START (LOCAL)', get: (r) => `${short(r.startLocal)} ${offset(r.startLocal)}` },
      { header: 'END (LOCAL)', get: (r) => `${short(r.endLocal)} ${offset(r.endLocal)}` },
      { header: 'ZONE', get: (r) => r.timeZone },
      { header: 'START (UTC)', get: (r) => short(r.start) },
      { header: 'NOTES', get: (r) => notes(r) },
    ]),
  );
}

function registerIcs(windows: Command, ctx: CliContext): void {
  windows
    .command('ics')
    .description(
      'An iCalendar (RFC 5545) feed of the next occurrences for calendar programs: one event each, with the five parts.',
    )
    .option('--window <name>', 'only this window')
    .option('--count <n>', 'how many occurrences, the same ones `windows next` lists (default 20)')
    .option('--now <time>', 'after this time (ISO 8601 or a date; default: the global --now, else the clock)')
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows ics > windows.ics                 import the file in a calendar program
  patchwise windows ics --window web-monthly --count 12 --now 2026-12-01

Each occurrence is one VEVENT (UID stable per window and start, so a re-import updates it) with
DTSTART/DTEND in the window's zone and a VTIMEZONE for each zone, written from the zone's real
transitions. The description holds scope, expected impact, owner, rollback path and success criteria;
an occurrence cancelled by a freeze is STATUS:CANCELLED and names the freeze. See docs/windows.md.`,
    )
    .action(async (o: { window?: string; count?: string; now?: string }) => {
      const now = o.now ? parseNow(o.now) : (ctx.now ?? new Date());
      const count = o.count === undefined ? 20 : parseCount(o.count);
      const { windowsIcsFeed } = await import('../../app/windows.js');
      process.stdout.write(await windowsIcsFeed(ctx.inventoryInputs(), { window: o.window, count, now }));
    });
}

function registerEvents(windows: Command, ctx: CliContext): void {
  windows
    .command('events')
    .description('What the scheduler recorded: opened, closed, missed, frozen, with time and reason.')
    .option('--window <name>', 'only this window')
    .option('--json', 'print a JSON array: window, occurrence (start, UTC), event, at, reason, detail')
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows events
  patchwise windows events --window web-monthly --json | jq '.[] | select(.event == "missed")'`,
    )
    .action(async (o: { window?: string; json?: boolean }) => {
      const { listWindowEvents } = await import('../../app/scheduler.js');
      const { eventLine } = await import('./scheduler.js');
      const rows = await listWindowEvents(ctx.inventoryInputs(), o.window);
      if (o.json) return printJson(rows);
      if (!rows.length) {
        process.stdout.write('No window events recorded. The scheduler records them: patchwise scheduler\n');
        return;
      }
      process.stdout.write(rows.map(eventLine).join('\n') + '\n');
    });
}

function registerOverride(windows: Command, ctx: CliContext): void {
  windows
    .command('override')
    .description(
      'Override the freeze that cancels an occurrence of a window, with an approval recorded (who, why).',
    )
    .argument('<window>', 'the window')
    .option('--occurrence <start>', "the occurrence's start (default: the next one a freeze cancels)")
    .requiredOption('--approver <name>', 'who approves (not you: nobody approves their own override)')
    .requiredOption('--reason <text>', 'why the freeze must give way, e.g. the emergency it serves')
    .option('--json', 'print the recorded event as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows override web-monthly --approver ciso --reason "CVE-2026-1234 exploited on web hosts"
  patchwise windows override nightly --occurrence 2026-12-24T02:00:00Z --approver alice --reason "..."

The override is recorded as an event (listed by patchwise windows events) before the occurrence starts;
the scheduler then opens that occurrence, saying whose approval opened it. The requester is
$PATCHWISE_ACTOR, else the login name, and may not be the approver.`,
    )
    .action(
      async (
        window: string,
        o: { occurrence?: string; approver: string; reason: string; json?: boolean },
      ) => {
        const [{ recordFreezeOverride }, { currentActor }] = await Promise.all([
          import('../../app/scheduler.js'),
          import('../../app/defer.js'),
        ]);
        const e = await recordFreezeOverride(ctx.inventoryInputs(), {
          window,
          ...(o.occurrence ? { occurrence: o.occurrence } : {}),
          approver: o.approver,
          reason: o.reason,
          requestedBy: currentActor(ctx.env),
          now: ctx.now ?? new Date(),
        });
        if (o.json) return printJson(e);
        process.stdout.write(
          safeText(
            `overridden: ${e.window} ${e.occurrence} (freeze ${String(e.detail.freeze)}), approved by ${String(e.detail.approver)}: ${e.reason}`,
          ) + '\n',
        );
      },
    );
}

/** Registers `patchwise windows list`, `windows next`, `windows ics`, `windows events`, `windows override` and `windows ack`. */
export function register(program: Command, ctx: CliContext): void {
  const windows = program
    .command('windows')
    .description("Maintenance windows: when each host may be patched, in its team's time zone.")
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows list
  patchwise windows next --window web-monthly --count 3 --json
  patchwise windows next --host web-1
  patchwise windows ics > windows.ics

Windows, freezes and releases live in patchwise.yaml; see docs/windows.md.`,
    );
  registerList(windows, ctx);
  registerNext(windows, ctx);
  registerIcs(windows, ctx);
  registerEvents(windows, ctx);
  registerOverride(windows, ctx);
  registerAck(windows, ctx);
}
