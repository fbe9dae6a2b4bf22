import { HostSchema, type Host } from './host.js';
import type { TagClassification } from './map-tags.js';

/** A problem with one entry of an imported inventory: reported, never fatal for the other hosts. */
export interface ImportIssue {
  /** the host (or resource address) it concerns */
  subject: string;
  line?: number;
  message: string;
}

/** What a parser of a foreign inventory (Ansible, Terraform, a cloud listing) returns. */
export interface ImportResult {
  format: 'ansible-ini' | 'ansible-yaml' | 'terraform-state' | 'raff';
  hosts: Host[];
  issues: ImportIssue[];
}

/** Copies a classification's fields onto a host candidate, leaving absent fields absent. */
export function withClassification(candidate: Record<string, unknown>, c: TagClassification) {
  const out = { ...candidate };
  for (const k of ['tier', 'exposure', 'owner', 'environment'] as const)
    if (c[k] !== undefined) out[k] = c[k];
  return out;
}

/**
 * Validates a candidate host against {@link HostSchema}; on failure returns an issue naming the field,
 * so one odd entry never stops an import.
 */
export function checkCandidate(
  subject: string,
  candidate: Record<string, unknown>,
  line?: number,
): { host: Host } | { issue: ImportIssue } {
  const r = HostSchema.safeParse(candidate);
  if (r.success) return { host: r.data };
  const first = r.error.issues[0]!;
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  return { issue: { subject, line, message: `skipped: ${where}${first.message}` } };
}

/** Notes for the import report about tags that disagreed or named tier/exposure with a value that is not one. */
export function conflictIssues(subject: string, c: TagClassification, line?: number): ImportIssue[] {
  return [
    ...c.conflicts.map((x) => ({ subject, line, message: `conflicting tags, left unset: ${x}` })),
    ...c.invalid.map((x) => ({
      subject,
      line,
      message: `tag ${JSON.stringify(x.slice(0, 60))} is not a valid tier (1-4) or exposure (internet, internal, isolated); left unset`,
    })),
  ];
}
