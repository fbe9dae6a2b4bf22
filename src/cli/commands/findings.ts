import type { Command } from 'commander';
import type { FindingRow } from '../../app/assess.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { printJson, printTable, type Column } from '../output.js';

/** The columns of the findings table, shared with `assess`. */
export const FINDING_COLUMNS: Column<FindingRow>[] = [
  { header: 'HOST', get: (r) => r.host, max: 24 },
  { header: 'PACKAGE', get: (r) => r.package, max: 28 },
  { header: 'INSTALLED', get: (r) => r.installed, max: 32 },
  { header: 'FIXED', get: (r) => r.fixed, max: 32 },
  { header: 'CVE', get: (r) => r.cve },
  { header: 'KEV', get: (r) => r.kev },
  { header: 'EPSS', get: (r) => r.epss, align: 'right' },
  { header: 'CVSS', get: (r) => r.cvss, align: 'right' },
  { header: 'URGENCY', get: (r) => r.urgency },
];

/** Parses a positive integer option. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError('bad-number', `Expected a positive whole number, got "${value}".`);
  return n;
}

/** Registers `patchwise findings`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('findings')
    .description('List vulnerable packages of scanned hosts, most pressing first (KEV, EPSS, CVSS, urgency).')
    .option('--host <name>', 'only this host')
    .option('--limit <n>', 'show at most n findings', positiveInt)
    .option('--json', 'print the findings as JSON records')
    .addHelpText(
      'after',
      `
Examples:
  patchwise findings
  patchwise findings --host web-1 --limit 10
  patchwise findings --json | jq '.[] | select(.kev)'

Matches the latest successful scan of each host against the imported advisories (patchwise feeds import).
FIXED "(no fix)" means no feed names a fixed version yet.`,
    )
    .action(async (opts: { host?: string; limit?: number; json?: boolean }) => {
      const [{ computeFindings }, { findingRow }] = await Promise.all([
        import('../../app/findings.js'),
        import('../../app/assess.js'),
      ]);
      const store = await ctx.openStore();
      const report = await computeFindings(store, { host: opts.host });
      for (const n of report.notes) process.stderr.write(`note: ${n}\n`);
      const shown = opts.limit ? report.findings.slice(0, opts.limit) : report.findings;
      if (opts.json) return printJson(shown);
      printTable(
        shown.map((f) => findingRow(f)),
        FINDING_COLUMNS,
      );
      if (shown.length < report.findings.length) {
        process.stderr.write(`(${report.findings.length - shown.length} more; raise --limit)\n`);
      }
    });
}
