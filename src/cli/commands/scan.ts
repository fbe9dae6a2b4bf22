import type { Command } from 'commander';
import type { ScanResult } from '../../app/scan.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printTable } from '../output.js';
import { addFleetScanOptions, runFleetScanCommand, type FleetScanCliOptions } from './scan-fleet.js';

interface ScanOptions extends FleetScanCliOptions {
  fromStatus?: string;
  os?: string;
  name?: string;
  local?: boolean;
  json?: boolean;
}

/** Registers `patchwise scan`. */
export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('scan')
    .argument('[hosts...]', 'inventory hosts to scan over their connections (ssh or local)')
    .description(
      'Record what is installed on hosts: inventory hosts over SSH, this machine (--local), or a copied dpkg status file.',
    )
    .option('--from-status <file>', 'read a copy of /var/lib/dpkg/status (air-gapped hosts)')
    .option('--os <id>', 'the OS of the --from-status host, ID:VERSION_ID, e.g. debian:12')
    .option(
      '--name <name>',
      "host name to record the scan under (default with --local: this machine's hostname)",
    )
    .option('--local', 'scan this machine (dpkg-query and /etc/os-release)')
    .option('--json', 'print one result per host as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise scan --all                       every inventory host, 10 at a time
  patchwise scan web-1 db-2 --json
  patchwise scan --all --concurrency 20 --diff
  patchwise scan --local
  patchwise scan --local --name build-box --json
  patchwise scan --from-status ./web-1.status --os debian:12 --name web-1

Each scan is recorded (failed ones too); \`patchwise findings\` matches the latest successful scan of each
host. Lines of the status file or dpkg output that cannot be trusted are skipped and listed as issues.
Exit code 3 when a host could not be scanned.`,
    )
    .action(async (hosts: string[], opts: ScanOptions) => {
      if (hosts.length > 0 || opts.all) return runFleetScanCommand(ctx, hosts, opts);
      const results = await runScan(ctx, opts);
      if (opts.json) printJson(results);
      else printResults(results);
      if (results.some((r) => r.status === 'failed')) process.exitCode = EXIT.operational;
    });
  addFleetScanOptions(cmd);
}

async function runScan(ctx: CliContext, opts: ScanOptions): Promise<ScanResult[]> {
  if (opts.fromStatus && opts.local) {
    throw new UserError('scan-usage', 'Use either --from-status or --local, not both.');
  }
  if (opts.fromStatus) {
    if (!opts.os || !opts.name) {
      throw new UserError(
        'scan-usage',
        '--from-status needs --os and --name.',
        'Example: patchwise scan --from-status ./web-1.status --os debian:12 --name web-1',
      );
    }
    const { scanFromStatus } = await import('../../app/scan.js');
    const store = await ctx.openStore();
    return [await scanFromStatus(store, { file: opts.fromStatus, os: opts.os, name: opts.name })];
  }
  if (opts.local) {
    const { scanLocal } = await import('../../app/scan.js');
    const store = await ctx.openStore();
    return [await scanLocal(store, { name: opts.name })];
  }
  throw new UserError(
    'scan-usage',
    'Say what to scan: inventory hosts by name or --all, --local for this machine, or --from-status FILE --os ID:VERSION --name NAME.',
    'Add hosts with `patchwise hosts add` or list them in patchwise.yaml; see patchwise scan --help.',
  );
}

function printResults(results: ScanResult[]): void {
  printTable(results, [
    { header: 'HOST', get: (r) => r.host },
    { header: 'STATUS', get: (r) => r.status },
    { header: 'PACKAGES', get: (r) => r.packages, align: 'right' },
    { header: 'ISSUES', get: (r) => r.issues.length, align: 'right' },
    { header: 'REASON', get: (r) => r.reason, max: 80 },
  ]);
  for (const r of results) {
    for (const i of r.issues.slice(0, 10)) {
      process.stderr.write(`${r.host}: ${i.source}${i.line ? `:${i.line}` : ''}: ${i.message}\n`);
    }
    if (r.issues.length > 10)
      process.stderr.write(`${r.host}: … ${r.issues.length - 10} more issues (see --json)\n`);
  }
}
