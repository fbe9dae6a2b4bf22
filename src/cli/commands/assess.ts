import type { Command } from 'commander';
import { assess } from '../../app/assess.js';
import { formatSummary } from '../../core/findings/summarize-findings.js';
import type { CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';
import { FINDING_COLUMNS, positiveInt } from './findings.js';

interface AssessOptions {
  local?: boolean;
  name?: string;
  limit: number;
  all?: boolean;
  json?: boolean;
}

/** Registers `patchwise assess`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('assess')
    .description("Scan and match: the fleet's most pressing findings and a one-line summary.")
    .option('--local', 'scan this machine first (done anyway when nothing is scanned yet)')
    .option('--name <name>', "host name for the local scan (default: this machine's hostname)")
    .option('--limit <n>', 'rows to show', positiveInt, 20)
    .option('--all', 'show every finding')
    .option('--json', 'print scans, every finding and the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise feeds import feeds/snapshot && patchwise assess --local
  patchwise assess --all
  patchwise assess --json | jq .summary

Order: known-exploited (CISA KEV) first, then EPSS, then CVSS, then the distro's urgency.`,
    )
    .action(async (opts: AssessOptions) => {
      const store = await ctx.openStore();
      const result = await assess(store, {
        local: opts.local,
        name: opts.name,
        limit: opts.all ? undefined : opts.limit,
      });
      if (opts.json) {
        const { worst, ...summary } = result.summary;
        return printJson({
          scans: result.scans,
          findings: result.findings,
          summary: { ...summary, worst: worst ?? null, line: formatSummary(result.summary) },
          notes: result.notes,
        });
      }
      for (const s of result.scans) {
        if (s.status !== 'ok') process.stderr.write(`scan ${s.host}: ${s.status}: ${s.reason ?? ''}\n`);
        else if (s.issues.length)
          process.stderr.write(
            `scan ${s.host}: ${s.issues.length} lines skipped (see patchwise scan --local --json)\n`,
          );
      }
      for (const n of result.notes) process.stderr.write(`note: ${n}\n`);
      if (result.rows.length) printTable(result.rows, FINDING_COLUMNS);
      if (result.rows.length < result.findings.length) {
        process.stdout.write(`… ${result.findings.length - result.rows.length} more (--all shows them)\n`);
      }
      process.stdout.write(`${formatSummary(result.summary)}\n`);
    });
}
