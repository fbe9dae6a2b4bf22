import type { Store } from '../adapters/store/open-store.js';
import { loadAffected } from '../adapters/store/advisory-store.js';
import { loadEol, loadEpss, loadKev } from '../adapters/store/intel-store.js';
import { latestOkScans } from '../adapters/store/scan-store.js';
import { cveIds } from '../core/advisories/advisory.js';
import { buildAdvisoryIndex } from '../core/advisories/advisory-index.js';
import { matchHost } from '../core/advisories/match-host.js';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import { rankFindings } from '../core/findings/rank-findings.js';
import type { HostState } from '../core/inventory/host-state.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';

/** The fleet's findings, ranked, with the hosts they cover and anything the user should know. */
export interface FindingsReport {
  /** Hosts whose latest successful scan was matched. */
  hosts: string[];
  findings: Finding[];
  /** Things that limit the result (a host whose OS has no advisories), in words. */
  notes: string[];
}

/** The hint every "no advisories" error gives. */
export const IMPORT_HINT = 'Import the bundled offline snapshot: patchwise feeds import feeds/snapshot';

/**
 * Matches the latest successful scan of every host (or of `host`) against the stored advisories,
 * enriched with KEV, EPSS, CVSS, urgency and OS end of life, ranked most pressing first.
 *
 * @throws UserError when nothing is scanned, the host was never scanned, or the store has no advisories
 *   for any scanned host's OS.
 */
export async function computeFindings(
  store: Store,
  opts: { host?: string; now?: Date } = {},
): Promise<FindingsReport> {
  const now = opts.now ?? new Date();
  await requireAdvisories(store);
  const scans = await latestOkScans(store.db, opts.host ? [opts.host] : undefined);
  if (scans.length === 0) throw nothingScanned(opts.host);
  const states = scans.map((s) => s.state).filter((s): s is HostState => s !== null);
  const notes: string[] = [];
  const ecosystems = hostEcosystems(states, notes);
  const records = await loadAffected(store.db, [...new Set(ecosystems.values())]);
  const covered = new Set(records.map((r) => r.ecosystem));
  for (const [host, eco] of ecosystems) {
    if (!covered.has(eco))
      notes.push(`${host}: no advisories for ${eco} in the store; it shows no findings.`);
  }
  if (covered.size === 0) {
    throw new UserError(
      'no-advisories',
      `The store has no advisories for ${[...new Set(ecosystems.values())].join(', ') || 'the scanned hosts'}.`,
      IMPORT_HINT,
    );
  }
  const index = buildAdvisoryIndex(records, [...covered]);
  const cves = [...new Set(records.flatMap((r) => cveIds(r)))];
  const intel = {
    kev: await loadKev(store.db, cves),
    epss: await loadEpss(store.db, cves),
    eolReleases: await loadEol(store.db),
  };
  const findings = states.flatMap((s) => matchHost(s, index, intel, now));
  return { hosts: states.map((s) => s.host), findings: rankFindings(findings), notes };
}

/** Throws the "import feeds first" error when the store holds no advisory at all. */
export async function requireAdvisories(store: Store): Promise<void> {
  const any = await store.db.selectFrom('advisory_affected').select('id').limit(1).executeTakeFirst();
  if (!any)
    throw new UserError('no-advisories', 'The store has no advisories to match against.', IMPORT_HINT);
}

function hostEcosystems(states: HostState[], notes: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of states) {
    try {
      out.set(s.host, ecosystemForOs(s.os).osv);
    } catch {
      notes.push(`${s.host}: patchwise cannot match the OS ${s.os}; it shows no findings.`);
    }
  }
  return out;
}

function nothingScanned(host?: string): UserError {
  return host
    ? new UserError(
        'host-not-scanned',
        `The host ${host} has no successful scan.`,
        `Scan it first: patchwise scan ${host}`,
      )
    : new UserError(
        'nothing-scanned',
        'No host has been scanned yet.',
        'Scan this machine with `patchwise scan --local`, or a copied status file with `patchwise scan --from-status FILE --os debian:12 --name NAME`.',
      );
}
