import type { Command } from 'commander';
import type { AssessResult, HostRow } from '../../app/assess.js';
import { UserError } from '../../core/errors.js';
import { formatSummary } from '../../core/findings/summarize-findings.js';
import { ACTIONS, isAction, type Action } from '../../core/policy/actions.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printTable, progress, type Column } from '../output.js';
import { FINDING_COLUMNS, positiveInt } from './findings.js';

interface AssessOptions {
  local?: boolean;
  name?: string;
  scan: boolean;
  limit: number;
  all?: boolean;
  json?: boolean;
  failOn?: string;
  concurrency: number;
  timeout: number;
}

const HOST_COLUMNS: Column<HostRow>[] = [
  { header: 'HOST', get: (r) => r.host, max: 24 },
  { header: 'TIER', get: (r) => r.tier },
  { header: 'EXPOSURE', get: (r) => r.exposure },
  { header: 'ACTION', get: (r) => r.action },
  { header: 'DUE', get: (r) => r.due },
  { header: 'FINDINGS', get: (r) => r.findings, align: 'right' },
  { header: 'KEV', get: (r) => r.knownExploited, align: 'right' },
  { header: 'WORST', get: (r) => r.worst, max: 36 },
  { header: 'REBOOT', get: (r) => r.rebootPending },
  { header: 'RESTART', get: (r) => r.restartList, align: 'right' },
  { header: 'FLAGS', get: (r) => r.flags },
];

/** Registers `patchwise assess`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('assess')
    .description(
      'Scan, match and decide: one ranked table for the fleet, the most pressing findings, and a summary.',
    )
    .option('--local', 'scan this machine (instead of the inventory)')
    .option('--name <name>', "host name for the local scan (default: this machine's hostname)")
    .option('--no-scan', 'do not scan; decide on the latest scans as they are')
    .option('--concurrency <n>', 'hosts scanned at once', positiveInt, 10)
    .option('--timeout <seconds>', 'per-host scan time limit', positiveInt, 120)
    .option('--limit <n>', 'finding rows to show', positiveInt, 20)
    .option('--all', 'show every finding')
    .option(
      '--fail-on <action>',
      `exit 1 when an open decision is this urgent or more: ${ACTIONS.join(', ')}`,
    )
    .option('--json', 'print scans, hosts, every finding with its decision, and the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise feeds import feeds/snapshot && patchwise assess --local
  patchwise --config lab.yaml assess                   scan every inventory host over SSH, then decide
  patchwise assess --no-scan --all
  patchwise assess --fail-on urgent-window             CI gate: exit 1 on emergency or urgent-window work
  patchwise assess --json | jq '.summary'

What is scanned: --local scans this machine; otherwise every inventory host with a connection; with no
inventory and nothing scanned yet, this machine. Findings are ranked known-exploited (CISA KEV) first, then
EPSS, CVSS and the distro's urgency; each carries the action the policy decides and its due date.
Actions, most urgent first: ${ACTIONS.join(', ')}.`,
    )
    .action(async (opts: AssessOptions) => {
      const failOn = parseFailOn(opts.failOn);
      const { assess } = await import('../../app/assess.js');
      const bar = progress('scanning');
      const result = await assess(ctx.inventoryInputs(), {
        local: opts.local,
        name: opts.name,
        scan: opts.scan,
        concurrency: opts.concurrency,
        perHostTimeoutMs: opts.timeout * 1000,
        limit: opts.all ? undefined : opts.limit,
        failOn,
        onScan: (r, done, total) => bar.update(done, total, `${r.host} ${r.status}`),
      });
      bar.done();
      if (opts.json) printJsonResult(result);
      else printText(result);
      if (result.failed) process.exitCode = EXIT.found;
      else if (result.scans.some((s) => s.status === 'failed')) process.exitCode = EXIT.operational;
    });
}

function parseFailOn(v: string | undefined): Action | undefined {
  if (v === undefined) return undefined;
  if (isAction(v)) return v;
  throw new UserError(
    'bad-fail-on',
    `--fail-on takes an action, not "${v}".`,
    `One of: ${ACTIONS.join(', ')}.`,
  );
}

function printJsonResult(result: AssessResult): void {
  const { worst, ...summary } = result.summary;
  const decisions = new Map(result.decisions.map((d) => [`${d.host}\0${d.vulnId}\0${d.package}`, d]));
  // printJson streams: every finding of a large fleet with its decision is longer than a string can be.
  printJson({
    scans: result.scans,
    hosts: result.hostRows,
    findings: result.findings.map((f) => {
      const d = decisions.get(`${f.host}\0${f.vulnId}\0${f.package}`);
      return {
        ...f,
        decision: d ? { action: d.action, state: d.state, dueAt: d.dueAt, reasons: d.reasons } : null,
      };
    }),
    summary: { ...summary, worst: worst ?? null, actions: result.actionCounts, line: summaryLine(result) },
    failed: result.failed,
    notes: result.notes,
  });
}

function printText(result: AssessResult): void {
  for (const s of result.scans) {
    if (s.status !== 'ok') process.stderr.write(`scan ${s.host}: ${s.status}: ${s.message ?? ''}\n`);
    else if (s.issues)
      process.stderr.write(`scan ${s.host}: ${s.issues} lines skipped (see patchwise scan --json)\n`);
  }
  for (const n of result.notes) process.stderr.write(`note: ${n}\n`);
  if (result.hostRows.length) {
    printTable(result.hostRows, HOST_COLUMNS);
    process.stdout.write('\n');
  }
  if (result.rows.length) {
    printTable(result.rows, [
      ...FINDING_COLUMNS,
      { header: 'ACTION', get: (r) => r.action },
      { header: 'DUE', get: (r) => r.due },
    ]);
  }
  if (result.rows.length < result.findings.length) {
    process.stdout.write(`… ${result.findings.length - result.rows.length} more (--all shows them)\n`);
  }
  process.stdout.write(`${summaryLine(result)}\n`);
}

function summaryLine(result: AssessResult): string {
  const actions = ACTIONS.filter((a) => result.actionCounts[a]).map((a) => `${result.actionCounts[a]} ${a}`);
  return formatSummary(result.summary) + (actions.length ? ` Actions: ${actions.join(', ')}.` : '');
}
