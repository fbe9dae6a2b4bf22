import type { Command } from 'commander';
import type { AssessResult, HostRow, RankedRow } from '../../app/assess.js';
import type { FleetHost } from '../../app/fleet-pipeline.js';
import { compareFindings } from '../../core/findings/rank-findings.js';
import { UserError } from '../../core/errors.js';
import { formatSummary } from '../../core/findings/summarize-findings.js';
import { ACTIONS, isAction, type Action } from '../../core/policy/actions.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { NdjsonWriter } from '../ndjson.js';
import { printTable, progress, type Column } from '../output.js';
import { safeText } from '../safe-text.js';
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
    .option(
      '--json',
      'print NDJSON: a header line, then scans, hosts, the --limit most pressing findings (every finding with --all) with their decisions, and a summary line',
    )
    .addHelpText(
      'after',
      `
Examples:
  patchwise feeds import feeds/snapshot && patchwise assess --local
  patchwise --config lab.yaml assess                   scan every inventory host over SSH, then decide
  patchwise assess --no-scan --all
  patchwise assess --fail-on urgent-window             CI gate: exit 1 on emergency or urgent-window work
  patchwise assess --json | jq -c 'select(.type == "summary")'
  patchwise --now 2026-12-11 assess --no-scan          what will be overdue on Friday (records nothing)

What is scanned: --local scans this machine; otherwise every inventory host with a connection; with no
inventory and nothing scanned yet, this machine. Findings are ranked known-exploited (CISA KEV) first, then
EPSS, CVSS and the distro's urgency; each carries the action the policy decides and its due date.
Actions, most urgent first: ${ACTIONS.join(', ')}.

--json prints one JSON object a line (NDJSON, see docs/cli.md): first {"format":"patchwise.assess",
"version":2,…}, then records with "type": "scan", "host", "finding" (with its "decision") and last
"summary". With --all every finding streams host by host, so memory stays flat however large the fleet.`,
    )
    .action(async (opts: AssessOptions) => {
      const failOn = parseFailOn(opts.failOn);
      const { assess } = await import('../../app/assess.js');
      const now = ctx.now ?? new Date();
      const json = opts.json ? new NdjsonWriter() : undefined;
      await json?.header('assess', 2, { now: now.toISOString() });
      const bar = progress('scanning');
      const result = await assess(ctx.inventoryInputs(), {
        local: opts.local,
        name: opts.name,
        scan: opts.scan,
        concurrency: opts.concurrency,
        perHostTimeoutMs: opts.timeout * 1000,
        // Streamed JSON with --all writes every finding as its host goes by: keep none.
        limit: opts.all ? (json ? 0 : undefined) : opts.limit,
        failOn,
        now,
        record: ctx.now === undefined,
        onScan: (r, done, total) => bar.update(done, total, `${r.host} ${r.status}`),
        ...(json && opts.all ? { onHost: (h) => writeHostFindings(json, h) } : {}),
      });
      bar.done();
      if (json) await printNdjson(json, result, Boolean(opts.all));
      else printText(result);
      if (result.failed) process.exitCode = EXIT.found;
      else if (result.scans.some((s) => s.status === 'failed')) process.exitCode = EXIT.operational;
    });
}

/** Every finding of one host, ranked, each with its decision, one line each. */
async function writeHostFindings(json: NdjsonWriter, h: FleetHost): Promise<void> {
  const rows: RankedRow[] = [];
  h.decided?.offerRanked((_key, make) => {
    rows.push(make());
    return true;
  });
  rows.sort((a, b) => compareFindings(a.finding, b.finding));
  for (const r of rows) await json.write(findingRecord(r));
}

function findingRecord(r: RankedRow) {
  const d = r.decision;
  return {
    type: 'finding',
    ...r.finding,
    decision: {
      action: d.action,
      state: d.state,
      dueAt: d.dueAt,
      ...(d.noWindowBeforeDue ? { noWindowBeforeDue: true, proposal: d.proposal } : {}),
      reasonCodes: d.reasonCodes,
      reasons: d.reasons,
    },
  };
}

async function printNdjson(json: NdjsonWriter, result: AssessResult, all: boolean): Promise<void> {
  for (const s of result.scans) await json.write({ type: 'scan', ...s });
  for (const h of result.hostRows) await json.write({ type: 'host', ...h });
  if (!all) for (const r of result.top) await json.write(findingRecord(r));
  const { worst, ...summary } = result.summary;
  await json.write({
    type: 'summary',
    timeZone: result.timeZone,
    ...summary,
    worst: worst ?? null,
    actions: result.actionCounts,
    noWindowBeforeDue: {
      hosts: result.windows.noWindowBeforeDue.hosts,
      findings: result.windows.noWindowBeforeDue.findings,
    },
    hostsInNoWindow: result.windows.uncovered.hosts,
    line: summaryLine(result),
    failed: result.failed,
    notes: result.notes,
  });
  await json.flush();
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

function printText(result: AssessResult): void {
  for (const s of result.scans) {
    if (s.status !== 'ok')
      process.stderr.write(safeText(`scan ${s.host}: ${s.status}: ${s.message ?? ''}`) + '\n');
    else if (s.issues)
      process.stderr.write(
        `scan ${safeText(s.host)}: ${s.issues} lines skipped (see patchwise scan --json)\n`,
      );
  }
  for (const n of result.notes) process.stderr.write(`note: ${safeText(n)}\n`);
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
  if (result.rows.length < result.summary.findings) {
    process.stdout.write(`… ${result.summary.findings - result.rows.length} more (--all shows them)\n`);
  }
  process.stdout.write(`${summaryLine(result)}\n`);
  for (const n of result.windowNotes) process.stdout.write(`${safeText(n)}\n`);
}

function summaryLine(result: AssessResult): string {
  const actions = ACTIONS.filter((a) => result.actionCounts[a]).map((a) => `${result.actionCounts[a]} ${a}`);
  const noWindow = result.windows.noWindowBeforeDue;
  return (
    formatSummary(result.summary) +
    (actions.length ? ` Actions: ${actions.join(', ')}.` : '') +
    (noWindow.findings ? ` No window before due date: ${noWindow.findings} on ${noWindow.hosts} hosts.` : '')
  );
}
