import { UserError } from '../errors.js';

/** Distributions whose release tables patchwise reads (distro-info-data `debian.csv`, `ubuntu.csv`). */
export const EOL_DISTROS = ['debian', 'ubuntu'] as const;
export type EolDistro = (typeof EOL_DISTROS)[number];
export function isEolDistro(s: string): s is EolDistro {
  return (EOL_DISTROS as readonly string[]).includes(s);
}

/**
 * One release of a distribution with its support dates (ISO `YYYY-MM-DD`). `eol` is the end of standard
 * security support. Debian: `eolLts` / `eolElts` are the LTS and ELTS ends. Ubuntu: `eolLts` is
 * `eol-server`, `eolElts` is `eol-esm` (Expanded Security Maintenance).
 */
export interface EolRelease {
  distro: EolDistro;
  /** `12`, `22.04` (the ` LTS` suffix removed); empty for sid and experimental. */
  version: string;
  /** `Bookworm`, `Jammy Jellyfish` */
  codename: string;
  /** `bookworm`, `jammy`: the name apt and the security tracker use. */
  series: string;
  created?: string;
  release?: string;
  eol?: string;
  eolLts?: string;
  eolElts?: string;
}

const DEBIAN_HEADER = ['version', 'codename', 'series', 'created', 'release', 'eol'];

/**
 * Parses a distro-info-data CSV (`version,codename,series,created,release,eol,...`). The distribution is
 * told by the columns: `eol-server`/`eol-esm` mean Ubuntu, `eol-lts`/`eol-elts` (or none) mean Debian.
 *
 * @throws UserError `feed-invalid-record` naming the file, the line and the field.
 */
export function parseEolCsv(text: string, where: string): { distro: EolDistro; releases: EolRelease[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (DEBIAN_HEADER.some((h, i) => header[i] !== h)) {
    throw new UserError(
      'feed-wrong-type',
      `${where}: not a distro-info-data CSV: expected the header "${DEBIAN_HEADER.join(',')},...".`,
    );
  }
  const distro: EolDistro = header.some((h) => h === 'eol-server' || h === 'eol-esm') ? 'ubuntu' : 'debian';
  const lts = header.indexOf(distro === 'ubuntu' ? 'eol-server' : 'eol-lts');
  const elts = header.indexOf(distro === 'ubuntu' ? 'eol-esm' : 'eol-elts');
  const releases = lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const at = (n: number) =>
      n >= 0 && cells[n] ? checkDate(cells[n], where, i + 2, header[n]!) : undefined;
    const series = cells[2] ?? '';
    if (!series) fail(where, i + 2, 'series', 'missing');
    const rel: EolRelease = {
      distro,
      version: (cells[0] ?? '').replace(/\s+LTS$/, ''),
      codename: cells[1] ?? '',
      series,
    };
    assign(rel, { created: at(3), release: at(4), eol: at(5), eolLts: at(lts), eolElts: at(elts) });
    return rel;
  });
  return { distro, releases };
}

function assign(
  rel: EolRelease,
  dates: Partial<Record<'created' | 'release' | 'eol' | 'eolLts' | 'eolElts', string>>,
) {
  for (const [k, v] of Object.entries(dates)) if (v) rel[k as keyof typeof dates] = v;
}

function checkDate(value: string, where: string, line: number, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    fail(where, line, field, `expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

function fail(where: string, line: number, field: string, message: string): never {
  throw new UserError('feed-invalid-record', `${where}: line ${line}: field ${field}: ${message}.`);
}

/**
 * Whether the OS release `os` (`debian:12`, `ubuntu:22.04`) is past the end of its standard security
 * support at `at`. A release is supported through its `eol` day (as distro-info counts), so it is end of
 * life from the next UTC day on. Unknown releases and releases without an `eol` date are not end of life.
 */
export function osEndOfLife(
  releases: readonly EolRelease[],
  os: string,
  at: Date,
): { eol: boolean; date?: string } {
  const [id = '', version = ''] = os.toLowerCase().split(':', 2);
  const candidates = releases.filter((r) => r.distro === id);
  const rel =
    candidates.find((r) => r.version === version || r.series === version) ??
    candidates.find((r) => r.version !== '' && r.version === version.split('.')[0] && id === 'debian');
  if (!rel?.eol) return { eol: false };
  return { eol: at.toISOString().slice(0, 10) > rel.eol, date: rel.eol };
}
