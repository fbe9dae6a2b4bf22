import type { Finding } from '../core/findings/finding.js';
import { compareFindings } from '../core/findings/rank-findings.js';
import { FleetRun, IMPORT_HINT, requireAdvisories } from './fleet-pipeline.js';
import type { InventoryInputs } from './inventory.js';

export { IMPORT_HINT, requireAdvisories };

/** The fleet's findings, ranked, with the hosts they cover and anything the user should know. */
export interface FindingsReport {
  /** Hosts whose latest successful scan was matched. */
  hosts: string[];
  findings: Finding[];
  /** Things that limit the result (a host whose OS has no advisories), in words. */
  notes: string[];
}

/**
 * Every finding of the latest successful scan of every host (or of `host`), enriched with KEV, EPSS,
 * CVSS, urgency and OS end of life, ranked most pressing first, in memory: for one host and for tests.
 * The `findings` command streams the fleet instead (see fleet-pipeline.ts).
 *
 * @throws UserError when nothing is scanned, the host was never scanned, or the store has no advisories
 *   for any scanned host's OS.
 */
export async function computeFindings(
  inputs: InventoryInputs,
  opts: { host?: string; now?: Date } = {},
): Promise<FindingsReport> {
  const run = await FleetRun.open(inputs, {
    decide: false,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.host ? { hosts: [opts.host] } : {}),
  });
  const findings: Finding[] = [];
  const hosts: string[] = [];
  for await (const h of run.hosts()) {
    hosts.push(h.host.name);
    for (const g of h.compact.groups) for (const f of h.findings.group(g)) findings.push(f);
  }
  return { hosts, findings: findings.sort(compareFindings), notes: run.notes };
}
