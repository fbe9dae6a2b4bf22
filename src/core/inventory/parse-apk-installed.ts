import type { InstalledPackage } from './host-state.js';
import { excerpt, IssueLog, lineProblem, type PackageListResult } from './parse-dpkg-status.js';

/** Where apk keeps its database of installed packages. */
export const APK_INSTALLED_PATH = '/lib/apk/db/installed';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,255}$/;
/** apk-tools version grammar: digits and dots, a letter, suffixes like `_rc1` / `_p2`, then `-rN`. */
const VERSION =
  /^\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(?:~[0-9a-f]+)?(?:-r\d+)?$/;
const ARCH = /^[A-Za-z0-9_]{1,32}$/;

interface Stanza {
  P?: string;
  V?: string;
  A?: string;
  o?: string;
  line: number;
  /** a field was unreadable; already recorded */
  bad?: boolean;
}

/**
 * Parses `/lib/apk/db/installed`: stanzas separated by blank lines, one `X:value` field a line. Reads
 * `P` (name), `V` (version), `A` (arch) and `o` (origin: the source package that Alpine's secdb and OSV
 * name). Other fields (file lists, checksums) are not inspected. Malformed stanzas become issues; this
 * function never throws on its input.
 */
export function parseApkInstalled(text: string, source = 'apk'): PackageListResult {
  const log = new IssueLog(source);
  const packages: InstalledPackage[] = [];
  let stanza: Stanza = { line: 1 };
  const flush = () => {
    if (!stanza.bad && (stanza.P !== undefined || stanza.V !== undefined)) {
      const pkg = checkStanza(stanza);
      if (typeof pkg === 'string') log.add(`${pkg}; skipped`, stanza.line);
      else packages.push(pkg);
    }
  };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') {
      flush();
      stanza = { line: i + 2 };
      return;
    }
    const key = line[0];
    if (line[1] !== ':' || (key !== 'P' && key !== 'V' && key !== 'A' && key !== 'o')) return;
    const problem = lineProblem(line);
    if (problem) {
      stanza.bad = true;
      return log.add(problem, i + 1);
    }
    stanza[key] = line.slice(2);
  });
  flush();
  if (text.trim().length === 0) log.add('input is empty: no packages');
  return { packages, issues: log.finish() };
}

function checkStanza(s: Stanza): InstalledPackage | string {
  if (s.P === undefined || !NAME.test(s.P)) return `not an apk package name: ${excerpt(s.P ?? '')}`;
  if (s.V === undefined || !VERSION.test(s.V)) return `${s.P}: not an apk version: ${excerpt(s.V ?? '')}`;
  const pkg: InstalledPackage = { name: s.P, version: s.V, source: s.P };
  if (s.o !== undefined && NAME.test(s.o)) pkg.source = s.o;
  if (s.A !== undefined && ARCH.test(s.A)) pkg.arch = s.A;
  return pkg;
}
