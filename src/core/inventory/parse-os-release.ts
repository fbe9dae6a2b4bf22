import type { ParseIssue } from './host-state.js';
import { excerpt, IssueLog, lineProblem } from './parse-dpkg-status.js';

/** What `/etc/os-release` says about the host's OS. */
export interface OsReleaseResult {
  /** `ID:VERSION_ID`, e.g. `debian:12`; absent when the file does not say. */
  os?: string;
  prettyName?: string;
  /** Every assignment read, unquoted. */
  fields: Record<string, string>;
  issues: ParseIssue[];
}

const ID = /^[a-z0-9._-]{1,64}$/;
const RELEASE = /^[A-Za-z0-9._~-]{1,64}$/;
const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/**
 * Parses os-release(5) text: `KEY=value` lines, values optionally in single or double quotes (with
 * backslash escapes inside double quotes). `os` is `ID:VERSION_ID`, lower-cased; Debian testing and sid,
 * which have no VERSION_ID, fall back to VERSION_CODENAME. Unreadable lines and ids outside a safe
 * grammar become issues; this function never throws on its input.
 */
export function parseOsRelease(text: string, source = 'os-release'): OsReleaseResult {
  const log = new IssueLog(source);
  const fields: Record<string, string> = {};
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const problem = lineProblem(line);
    if (problem) return log.add(problem, i + 1);
    const m = ASSIGNMENT.exec(line);
    const value = m ? unquote(m[2] ?? '') : undefined;
    if (!m || value === undefined) return log.add(`not a KEY=value line: ${excerpt(line)}`, i + 1);
    fields[m[1]!] = value;
  });
  const out: OsReleaseResult = { fields, issues: log.issues };
  const id = fields.ID?.toLowerCase();
  const release = (fields.VERSION_ID ?? fields.VERSION_CODENAME)?.toLowerCase();
  if (id === undefined || release === undefined) {
    log.add('no ID and VERSION_ID (or VERSION_CODENAME): OS unknown');
  } else if (!ID.test(id) || !RELEASE.test(release)) {
    log.add(`unusable OS id ${excerpt(`${id}:${release}`)}`);
  } else {
    out.os = `${id}:${release}`;
  }
  if (fields.PRETTY_NAME) out.prettyName = fields.PRETTY_NAME.slice(0, 200);
  out.issues = log.finish();
  return out;
}

/** Shell-style unquoting as os-release(5) allows it; undefined when the quotes do not close. */
function unquote(v: string): string | undefined {
  const q = v[0];
  if (q !== '"' && q !== "'") return v;
  if (v.length < 2 || v[v.length - 1] !== q) return undefined;
  const inner = v.slice(1, -1);
  return q === '"' ? inner.replace(/\\([\\$"`])/g, '$1') : inner;
}
