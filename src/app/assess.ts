import type { Store } from '../adapters/store/open-store.js';
import { listScannedHosts } from '../adapters/store/scan-store.js';
import { OperationalError, UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import { summarizeFindings, type FindingsSummary } from '../core/findings/summarize-findings.js';
import { computeFindings, requireAdvisories } from './findings.js';
import { scanLocal, type ScanResult } from './scan.js';

/** One row of the assess/findings table, as data (the CLI only formats it). */
export interface FindingRow {
  host: string;
  package: string;
  installed: string;
  fixed: string;
  cve: string;
  kev: string;
  epss: string;
  cvss: string;
  urgency: string;
}

/** What `assess` produced: the scans it ran, the ranked findings, the rows to show and the summary. */
export interface AssessResult {
  scans: ScanResult[];
  findings: Finding[];
  rows: FindingRow[];
  summary: FindingsSummary;
  notes: string[];
}

/**
 * Scan + match for the fleet: scans this machine when `local` is set or nothing has been scanned yet,
 * then ranks the findings of every host's latest successful scan. `limit` caps the rows (not the
 * findings or the summary).
 */
export async function assess(
  store: Store,
  opts: { local?: boolean; name?: string; limit?: number; now?: Date } = {},
): Promise<AssessResult> {
  await requireAdvisories(store);
  const scans: ScanResult[] = [];
  if (opts.local || (await listScannedHosts(store.db)).length === 0) {
    scans.push(await scanLocal(store, { name: opts.name, now: opts.now }));
  }
  const report = await computeFindings(store, { now: opts.now }).catch((e: unknown) => {
    const failed = scans.find((s) => s.status !== 'ok');
    if (failed && e instanceof UserError && e.code === 'nothing-scanned') {
      throw new OperationalError(
        'scan-failed',
        `Scanning ${failed.host} failed: ${failed.reason ?? 'unknown reason'}`,
      );
    }
    throw e;
  });
  const shown = opts.limit === undefined ? report.findings : report.findings.slice(0, opts.limit);
  return {
    scans,
    findings: report.findings,
    rows: shown.map(findingRow),
    summary: summarizeFindings(report.findings, report.hosts.length),
    notes: report.notes,
  };
}

/** The table row of one finding. */
export function findingRow(f: Finding): FindingRow {
  return {
    host: f.host,
    package: f.package,
    installed: f.installedVersion,
    fixed: f.fixedVersion ?? '(no fix)',
    cve: f.cves[0] ?? f.vulnId,
    kev: f.kev ? 'KEV' : '',
    epss: f.epss ? f.epss.score.toFixed(3) : '',
    cvss: f.cvss ? f.cvss.score.toFixed(1) : '',
    urgency: f.urgency ?? '',
  };
}
