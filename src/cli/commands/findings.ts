import type { Command } from 'commander';
import type { FindingRow } from '../../app/assess.js';
import type { Finding } from '../../core/findings/finding.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { NdjsonWriter } from '../ndjson.js';
import { printTable, type Column } from '../output.js';
import { safeText } from '../safe-text.js';

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

/** Finding rows the table shows unless told otherwise. */
const DEFAULT_LIMIT = 100;

interface FindingsOptions {
  host?: string;
  limit?: number;
  all?: boolean;
  json?: boolean;
}

/** Registers `patchwise findings`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('findings')
    .description('List vulnerable packages of scanned hosts, most pressing first (KEV, EPSS, CVSS, urgency).')
    .option('--host <name>', 'only this host')
    .option('--limit <n>', `show the n most pressing findings (table default ${DEFAULT_LIMIT})`, positiveInt)
    .option('--all', 'show every finding')
    .option('--json', 'print NDJSON: a header line, then one finding a line')
    .addHelpText(
      'after',
      `
Examples:
  patchwise findings
  patchwise findings --host web-1 --limit 10
  patchwise findings --json | jq -c 'select(.kev)'

Matches the latest successful scan of each host against the imported advisories (patchwise feeds import).
FIXED "(no fix)" means no feed names a fixed version yet. The table shows the ${DEFAULT_LIMIT} most pressing
findings of the fleet unless --limit or --all says otherwise. --json prints one JSON object a line (NDJSON,
see docs/cli.md): first {"format":"patchwise.findings","version":2,…}, then with --limit the n most
pressing findings of the fleet, else every finding, host by host (each host's most pressing first),
written as each host is matched: memory stays flat however large the fleet.`,
    )
    .action(async (opts: FindingsOptions) => {
      const [{ FleetRun }, { findingRow }, { TopFindings }] = await Promise.all([
        import('../../app/fleet-pipeline.js'),
        import('../../app/assess.js'),
        import('../../core/findings/top-findings.js'),
      ]);
      // Decided (and recording nothing), so each package's findings come in rank order and a ranked
      // table stops reading a package at its first finding that cannot make the cut.
      const run = await FleetRun.open(ctx.inventoryInputs(), {
        record: false,
        ...(ctx.now ? { now: ctx.now } : {}),
        ...(opts.host ? { hosts: [opts.host] } : {}),
      });
      for (const n of run.notes) process.stderr.write(`note: ${safeText(n)}\n`);
      const limit = opts.all ? undefined : (opts.limit ?? (opts.json ? undefined : DEFAULT_LIMIT));
      const json = opts.json ? new NdjsonWriter() : undefined;
      await json?.header('findings', 2, { now: run.now.toISOString() });
      const top = new TopFindings<Finding>(limit ?? Infinity);
      let total = 0;
      for await (const h of run.hosts()) {
        const d = h.decided!;
        total += d.findings;
        if (json && limit === undefined) {
          for (const f of d.allFindings()) await json.write(f);
          if (json.done) break;
          continue;
        }
        d.offerRanked((key, make) => {
          if (!top.wants(key, d.host)) return false;
          top.add(key, d.host, make().finding);
          return true;
        });
      }
      const shown = top.values();
      if (json) {
        for (const f of shown) await json.write(f);
        return json.flush();
      }
      printTable(
        shown.map((f) => findingRow(f)),
        FINDING_COLUMNS,
      );
      if (shown.length < total) {
        process.stderr.write(`(${total - shown.length} more; raise --limit or use --all)\n`);
      }
    });
}
