import type { Command } from 'commander';
import type { ScanResult } from '../../app/scan-result.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, progress } from '../output.js';
import { addFleetScanOptions, runFleetScanCommand, type FleetScanCliOptions } from './scan-fleet.js';
import { printImportSummary, printScanResults } from './scan-output.js';

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
      'Record what is installed on hosts: inventory hosts over SSH, this machine (--local), or copied dpkg status files.',
    )
    .option(
      '--from-status <path>',
      'a copy of /var/lib/dpkg/status (air-gapped host), or a directory of them, one host each',
    )
    .option('--os <id>', 'the OS of --from-status hosts without an os-release, ID:VERSION_ID, e.g. debian:12')
    .option(
      '--name <name>',
      "host name to record the scan under (--from-status FILE; default with --local: this machine's hostname)",
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
  patchwise scan --from-status ./status-files/ --os debian:12

A status directory holds one host per entry, named after the host, in either layout (mixed freely):
  DIR/web-1              a copy of web-1's /var/lib/dpkg/status
  DIR/web-1.os-release   optional: a copy of its /etc/os-release (else --os applies)
  DIR/db-2/status        the same as a folder
  DIR/db-2/os-release    optional
Hidden entries are ignored. A file that cannot be read, or lists nothing installed, is reported with its
reason and the others are imported (exit 3 when any failed).

Each scan is recorded (failed ones too); \`patchwise findings\` matches the latest successful scan of each
host. Lines of the status file or dpkg output that cannot be trusted are skipped and counted as issues.
--json prints an array of results ({results, diffs} with --diff); see docs/scanning.md for the shape.
Exit code 3 when a host could not be scanned, 2 for bad arguments.`,
    )
    .action(async (hosts: string[], opts: ScanOptions) => {
      if (hosts.length > 0 || opts.all) return runFleetScanCommand(ctx, hosts, opts);
      const results = await runScan(ctx, opts);
      if (results.some((r) => r.status === 'failed')) process.exitCode = EXIT.operational;
    });
  addFleetScanOptions(cmd);
}

async function runScan(ctx: CliContext, opts: ScanOptions): Promise<ScanResult[]> {
  if (opts.fromStatus && opts.local) {
    throw new UserError('scan-usage', 'Use either --from-status or --local, not both.');
  }
  if (opts.fromStatus) {
    const fs = await import('node:fs/promises');
    const isDir = (await fs.stat(opts.fromStatus).catch(() => undefined))?.isDirectory();
    return isDir ? importDir(ctx, opts.fromStatus, opts) : scanStatusFile(ctx, opts.fromStatus, opts);
  }
  if (opts.local) {
    const { scanLocal } = await import('../../app/scan.js');
    const store = await ctx.openStore();
    return print([await scanLocal(store, { name: opts.name })], opts);
  }
  throw new UserError(
    'scan-usage',
    'Say what to scan: inventory hosts by name or --all, --local for this machine, or --from-status FILE|DIR.',
    'Add hosts with `patchwise hosts add` or list them in patchwise.yaml; see patchwise scan --help.',
  );
}

async function scanStatusFile(ctx: CliContext, file: string, opts: ScanOptions): Promise<ScanResult[]> {
  if (!opts.os || !opts.name) {
    throw new UserError(
      'scan-usage',
      '--from-status FILE needs --os and --name.',
      'Example: patchwise scan --from-status ./web-1.status --os debian:12 --name web-1',
    );
  }
  const { scanFromStatus } = await import('../../app/scan.js');
  const store = await ctx.openStore();
  return print([await scanFromStatus(store, { file, os: opts.os, name: opts.name })], opts);
}

async function importDir(ctx: CliContext, dir: string, opts: ScanOptions): Promise<ScanResult[]> {
  if (opts.name) {
    throw new UserError(
      'scan-usage',
      '--name does not go with a status directory: each host is named after its file.',
      'Rename the files, or import one file with --from-status FILE --os ID:VERSION --name NAME.',
    );
  }
  const { importStatusDir } = await import('../../app/import-status.js');
  const store = await ctx.openStore();
  const bar = progress('importing');
  const t0 = performance.now();
  const results = await importStatusDir(store, {
    dir,
    ...(opts.os ? { os: opts.os } : {}),
    onProgress: (done, total, host) => bar.update(done, total, host),
  });
  bar.done();
  if (opts.json) printJson(results);
  else printImportSummary(results, (performance.now() - t0) / 1000);
  return results;
}

function print(results: ScanResult[], opts: ScanOptions): ScanResult[] {
  if (opts.json) printJson(results);
  else printScanResults(results);
  return results;
}
