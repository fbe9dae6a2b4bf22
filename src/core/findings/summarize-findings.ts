import { compareFindings } from './rank-findings.js';
import type { Finding } from './finding.js';

/** The counts behind the one-line summary. */
export interface FindingsSummary {
  hosts: number;
  findings: number;
  knownExploited: number;
  fixable: number;
  noFix: number;
  /** The most pressing finding, by {@link compareFindings}. */
  worst?: Finding;
}

/** Counts findings over `hosts` hosts (hosts without findings count too). */
export function summarizeFindings(findings: readonly Finding[], hosts: number): FindingsSummary {
  const s: FindingsSummary = { hosts, findings: findings.length, knownExploited: 0, fixable: 0, noFix: 0 };
  for (const f of findings) {
    if (f.kev) s.knownExploited++;
    if (f.fixedVersion === null) s.noFix++;
    else s.fixable++;
    if (!s.worst || compareFindings(f, s.worst) < 0) s.worst = f;
  }
  return s;
}

/**
 * The one-line summary, e.g. `2 hosts, 41 findings: 1 known-exploited, 38 fixable, 3 without a fix;
 * worst: CVE-2023-44487 in nginx on web-1 (known-exploited, EPSS 0.94)`.
 */
export function formatSummary(s: FindingsSummary): string {
  const head = `${plural(s.hosts, 'host')}, ${plural(s.findings, 'finding')}`;
  if (s.findings === 0 || !s.worst) return `${head}.`;
  const w = s.worst;
  const why = [
    w.kev ? 'known-exploited' : undefined,
    w.epss ? `EPSS ${w.epss.score.toFixed(2)}` : undefined,
    w.cvss ? `CVSS ${w.cvss.score.toFixed(1)}` : undefined,
    w.urgency ? `urgency ${w.urgency}` : undefined,
  ].filter(Boolean);
  return (
    `${head}: ${s.knownExploited} known-exploited, ${s.fixable} fixable, ${s.noFix} without a fix; ` +
    `worst: ${w.vulnId} in ${w.package} on ${w.host}${why.length ? ` (${why.join(', ')})` : ''}.`
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
