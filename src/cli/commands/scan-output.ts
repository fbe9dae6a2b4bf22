import type { ScanResult } from '../../app/scan-result.js';
import { printTable } from '../output.js';
import { safeText } from '../safe-text.js';

/**
 * Prints scan results as a table on stdout, then each problem on stderr: the first line of a failed or
 * skipped host's message, and the issue samples of each host (`--json` has them all as data).
 */
export function printScanResults(results: readonly ScanResult[]): void {
  printTable(results, [
    { header: 'HOST', get: (r) => r.host },
    { header: 'STATUS', get: (r) => r.status },
    { header: 'OS', get: (r) => r.os },
    { header: 'PACKAGES', get: (r) => r.packages, align: 'right' },
    { header: 'REBOOT', get: (r) => (r.rebootRequired === undefined ? '' : r.rebootRequired ? 'yes' : 'no') },
    { header: 'STALE', get: (r) => r.staleProcesses, align: 'right' },
    { header: 'ISSUES', get: (r) => r.issues, align: 'right' },
    { header: 'SECONDS', get: (r) => (r.durationMs / 1000).toFixed(1), align: 'right' },
    { header: 'REASON', get: (r) => r.reason },
  ]);
  printProblems(results);
}

/** Each host's message (when not ok) and issue samples, on stderr. */
export function printProblems(results: readonly ScanResult[]): void {
  for (const r of results) {
    if (r.message && r.status !== 'ok')
      process.stderr.write(safeText(`${r.host}: ${r.message.split('\n')[0]}`) + '\n');
    for (const i of r.issueSamples) {
      process.stderr.write(
        safeText(`${r.host}: ${i.source}${i.line ? `:${i.line}` : ''}: ${i.message}`) + '\n',
      );
    }
    if (r.issues > r.issueSamples.length)
      process.stderr.write(`${safeText(r.host)}: … ${r.issues - r.issueSamples.length} more issues\n`);
  }
}

/**
 * The report of a bulk import: one line of counts on stdout, then the files that were not imported (as
 * a table) and their reasons on stderr. A 10,000-host import does not print 10,000 rows.
 */
export function printImportSummary(results: readonly ScanResult[], seconds: number): void {
  const count = (s: ScanResult['status']) => results.filter((r) => r.status === s).length;
  const packages = results.reduce((n, r) => n + r.packages, 0);
  process.stdout.write(
    `imported ${count('ok')} of ${results.length} hosts (${packages} packages) in ${seconds.toFixed(1)} s; ` +
      `${count('failed')} failed, ${count('skipped')} skipped\n`,
  );
  const problems = results.filter((r) => r.status !== 'ok' || r.issues > 0);
  if (problems.length > 0) printScanResults(problems);
}
