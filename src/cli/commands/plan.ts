import type { Command } from 'commander';
import type { HostPlan } from '../../app/decide.js';
import type { FleetHost } from '../../app/fleet-pipeline.js';
import type { Decision } from '../../core/policy/decide-finding.js';
import type { HostRollup } from '../../core/policy/rollup-host.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { NdjsonWriter } from '../ndjson.js';
import { formatTable, type Column } from '../output.js';
import { safeText } from '../safe-text.js';

/** The decision inputs every decide command passes to the app layer. */
export function decideInputs(ctx: CliContext) {
  return ctx.inventoryInputs();
}

/** The clock and recording choice of a deciding command: `--now` answers "what if" and records nothing. */
export function decideClock(ctx: CliContext): { now?: Date; record: boolean } {
  const now = ctx.now;
  return now ? { now, record: false } : { record: true };
}

/** What the one-line-per-host table keeps of a rollup: no package lists, so 10,000 hosts stay small. */
type PlanRow = Omit<HostRollup, 'packages' | 'rebootPackages' | 'rollback' | 'controls'> & {
  changes: number;
};

function planRow(r: HostRollup): PlanRow {
  const { packages, rebootPackages: _r, rollback: _b, controls: _c, ...rest } = r;
  return { ...rest, changes: packages.length };
}

const HOST_COLUMNS: Column<PlanRow>[] = [
  { header: 'HOST', get: (h) => h.host + (h.assumed.length ? '*' : ''), max: 24 },
  { header: 'TIER', get: (h) => h.tier ?? '?' },
  { header: 'EXPOSURE', get: (h) => h.exposure ?? '?' },
  { header: 'ACTION', get: (h) => h.action ?? '-' },
  { header: 'DUE', get: (h) => (h.dueLocal ?? '') + (h.noWindowBeforeDue ? ' !' : '') },
  { header: 'STATE', get: (h) => h.state },
  { header: 'FINDINGS', get: (h) => h.findings, align: 'right' },
  { header: 'DEFERRED', get: (h) => h.deferred, align: 'right' },
  { header: 'PACKAGES', get: (h) => h.changes, align: 'right' },
  { header: 'REBOOT', get: (h) => (h.rebootExpected ? 'yes' : 'no') },
  { header: 'RESTARTS', get: (h) => h.restartServices.join(','), max: 30 },
];

/** The per-finding columns, shared with `explain`. */
export const DECISION_COLUMNS: Column<Decision>[] = [
  { header: 'FINDING', get: (d) => d.cves[0] ?? d.vulnId },
  { header: 'PACKAGE', get: (d) => d.package, max: 24 },
  { header: 'TARGET', get: (d) => d.fixedVersion ?? '(no fix)', max: 30 },
  { header: 'ACTION', get: (d) => d.action },
  { header: 'DUE', get: (d) => d.dueLocal },
  { header: 'STATE', get: (d) => (d.deferral ? `${d.state} (${d.deferral.id})` : d.state) },
  {
    header: 'ROLLBACK',
    get: (d) => (d.action === 'compensate' ? d.controls : d.rollback).join(','),
    max: 48,
  },
];

function printHostDetail(h: HostPlan, window: FleetHost['window']): void {
  const out: string[] = [
    `${h.host}: ${h.action ?? 'nothing open'}${h.dueLocal ? `, due ${h.dueLocal}` : ''} (${h.state})`,
  ];
  out.push(
    window
      ? `  next window: ${window.window} ${window.occurrence.startLocal} (${window.occurrence.timeZone})`
      : '  next window: none covers this host (deadlines follow the tier rhythm)',
  );
  if (h.noWindowBeforeDue)
    out.push(
      `  no window before due date: ${h.noWindowBeforeDueCount} findings are due before it opens; propose an emergency run, or an extra window`,
    );
  if (h.assumed.length)
    out.push(`  classification missing: ${h.assumed.join(', ')} (decided as the worse case)`);
  for (const p of h.packages)
    out.push(`  change ${p.package} ${p.from} -> ${p.to} [${p.binaries.join(', ')}] ${p.action}`);
  out.push(`  reboot expected: ${h.rebootExpected ? `yes (${h.rebootPackages.join(', ')})` : 'no'}`);
  out.push(`  services restarting: ${h.restartServices.join(', ') || 'none known'}`);
  process.stdout.write(out.map(safeText).join('\n') + '\n\n' + formatTable(h.decisions, DECISION_COLUMNS));
}

interface PlanOptions {
  host?: string;
  window?: string;
  json?: boolean;
  decisions?: boolean;
}

/** Registers `patchwise plan`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'Decide every finding (emergency, urgent window, regular window, weekly, staged, compensate) and roll up per host.',
    )
    .option('--host <name>', 'only this host, with its packages, reboot, restarts and per-finding decisions')
    .option(
      '--window <name>',
      "the plan of the window's next occurrence: hosts in scope in order, packages, expected impact, rollback, and what does not fit",
    )
    .option('--json', 'print NDJSON: a header line, then one host rollup a line')
    .option('--decisions', "with --json: add each host's decisions (with reasons) to its line")
    .addHelpText(
      'after',
      `
Examples:
  patchwise plan                       one line per host, most urgent first
  patchwise plan --host web-1          what changes on web-1, and why each finding is due when
  patchwise plan --json | jq -c 'select(.action == "emergency") | .host'
  patchwise --now 2026-12-11 plan      the plan as it will stand on 11 December (records nothing)
  patchwise plan --window web-monthly  the next occurrence of web-monthly: hosts, packages, impact, rollback
  patchwise explain web-1 CVE-2023-44487

Actions come from the policy in patchwise.yaml (policy:); see docs/policy.md for the decision table,
the deadlines and where each default comes from. A host marked * lacks tier, exposure or owner and is
decided as tier 1, internet-facing. Deferred findings stay listed with state "deferred".

Windows (docs/windows.md): a host's "next-window" deadline is the next occurrence, not cancelled by a
freeze, of a window covering it; hosts in no window keep their tier's rhythm and are named in a note.
A due date marked ! falls before the host's next window opens ("no window before due date"; reason code
window:none-before-due): plan an emergency run or an extra window. --window W plans W's next occurrence;
with --json: a header naming the window and occurrence, a line per host in scope (lower tiers first, then
most urgent), then a line per thing due that does not fit (due before it opens, deferred, frozen).

--json prints one JSON object a line (NDJSON, see docs/cli.md): first {"format":"patchwise.plan",
"version":2,"now":…,"timeZone":…,"notes":[…]}, then one host a line in host-name order (hosts with
findings), written as each host is decided: memory stays flat however large the fleet.`,
    )
    .action(async (opts: PlanOptions) => {
      if (opts.window) return planWindowCommand(ctx, opts.window, opts);
      const { FleetRun } = await import('../../app/fleet-pipeline.js');
      const { WindowTally } = await import('../../app/window-tally.js');
      const run = await FleetRun.open(decideInputs(ctx), {
        ...decideClock(ctx),
        ...(opts.host ? { hosts: [opts.host] } : {}),
      });
      for (const n of run.notes) process.stderr.write(`note: ${safeText(n)}\n`);
      const tally = new WindowTally(run.windows);
      if (opts.json) {
        const json = new NdjsonWriter();
        await json.header('plan', 2, {
          now: run.now.toISOString(),
          timeZone: run.timeZone,
          notes: run.notes,
        });
        for await (const h of run.hosts()) {
          const d = h.decided!;
          tally.add(h);
          if (d.findings === 0) continue;
          const line = h.window ? { ...d.rollup, nextWindow: h.window.window } : d.rollup;
          const withDecisions = opts.decisions || opts.host;
          await json.write(withDecisions ? { ...line, decisions: d.decisions() } : line);
          if (json.done) break;
        }
        for (const n of tally.notes()) process.stderr.write(`note: ${safeText(n)}\n`);
        return json.flush();
      }
      const rows: PlanRow[] = [];
      for await (const h of run.hosts()) {
        const d = h.decided!;
        tally.add(h);
        if (d.findings === 0) continue;
        if (opts.host) printHostDetail({ ...d.rollup, decisions: d.decisions() }, h.window);
        else rows.push(planRow(d.rollup));
      }
      if (opts.host) return;
      const { byRollupUrgency } = await import('../../app/decide.js');
      rows.sort(byRollupUrgency);
      process.stdout.write(formatTable(rows, HOST_COLUMNS));
      // Due dates before any window explain the table's "!" marker; coverage is a note.
      const due = tally.dueNote();
      if (due) process.stdout.write(`! ${safeText(due)}\n`);
      const uncovered = tally.uncoveredNote();
      if (uncovered) process.stderr.write(`note: ${safeText(uncovered)}\n`);
      if (rows.some((h) => h.assumed.length))
        process.stderr.write('* tier, exposure or owner missing: decided as tier 1, internet-facing\n');
    });
}

async function planWindowCommand(ctx: CliContext, window: string, opts: PlanOptions): Promise<void> {
  if (opts.host) {
    throw new UserError(
      'plan-window-host',
      "--window plans every host in the window's scope; it does not take --host.",
      'Drop --host, or use patchwise plan --host NAME for one host.',
    );
  }
  const { planWindow } = await import('../../app/plan-window.js');
  const { printWindowPlan, writeWindowPlan } = await import('./plan-window-output.js');
  const plan = await planWindow(decideInputs(ctx), { window, ...decideClock(ctx) });
  for (const n of plan.notes) process.stderr.write(`note: ${safeText(n)}\n`);
  if (opts.json) return writeWindowPlan(plan);
  printWindowPlan(plan);
}
