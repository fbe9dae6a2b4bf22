import type { InstalledPackage } from './host-state.js';
import type { PackageFormat } from './os-families.js';
import { parseApkInstalled } from './parse-apk-installed.js';
import { DpkgQueryParser, parseDpkgQuery } from './parse-dpkg-query.js';
import type { PackageListResult } from './parse-dpkg-status.js';
import { parseRpmQuery } from './parse-rpm-query.js';

/**
 * One `dpkg-query -W` line per package in `DPKG_QUERY_FORMAT` (name, version, source name, source
 * version, architecture, status `ii `), so {@link parseDpkgQuery} reads it back as the same packages.
 */
export function renderDpkgQuery(packages: readonly InstalledPackage[]): string {
  let out = '';
  for (const p of packages)
    out += `${p.name}\t${p.version}\t${p.source}\t${p.sourceVersion ?? p.version}\t${p.arch ?? ''}\tii \n`;
  return out;
}

/**
 * One `rpm -qa --qf` line per package in `RPM_QUERY_FORMAT` (name, epoch, version, release, arch, source
 * RPM), so {@link parseRpmQuery} reads it back as the same packages. The epoch, version and release come
 * from the package's `[E:]V-R`; the source RPM is rebuilt as `SOURCE-SV-SR.src.rpm` from the source name
 * and version (the epoch is the binary's, as rpm has it).
 */
export function renderRpmQuery(packages: readonly InstalledPackage[]): string {
  let out = '';
  for (const p of packages) {
    const { epoch, vr } = splitEpoch(p.version);
    const [version, release] = splitRelease(vr);
    const srpm = `${p.source}-${splitEpoch(p.sourceVersion ?? p.version).vr}.src.rpm`;
    out += `${p.name}\t${epoch ?? '(none)'}\t${version}\t${release}\t${p.arch ?? '(none)'}\t${srpm}\n`;
  }
  return out;
}

/**
 * One stanza per package in apk's database format with only the fields patchwise reads (`P` name, `V`
 * version, `A` arch, `o` origin when it differs from the name), so {@link parseApkInstalled} reads it back
 * as the same packages.
 */
export function renderApkInstalled(packages: readonly InstalledPackage[]): string {
  let out = '';
  for (const p of packages) {
    out += `P:${p.name}\nV:${p.version}\n`;
    if (p.arch !== undefined) out += `A:${p.arch}\n`;
    if (p.source !== p.name) out += `o:${p.source}\n`;
    out += '\n';
  }
  return out;
}

function splitEpoch(v: string): { epoch?: string; vr: string } {
  const m = /^(\d+):(.*)$/.exec(v);
  return m ? { epoch: m[1]!, vr: m[2]! } : { vr: v };
}

function splitRelease(vr: string): [string, string] {
  const dash = vr.lastIndexOf('-');
  return dash < 0 ? [vr, ''] : [vr.slice(0, dash), vr.slice(dash + 1)];
}

/** How a stored package list is written and read back, per format. */
export interface PackageCodec {
  render(packages: readonly InstalledPackage[]): string;
  parse(bytes: Uint8Array, source: string): PackageListResult;
}

const decoder = new TextDecoder();

/** The renderer and parser of each {@link PackageFormat}: `parse(render(p))` gives back `p`. */
export const PACKAGE_CODECS: Readonly<Record<PackageFormat, PackageCodec>> = {
  'dpkg-query': { render: renderDpkgQuery, parse: (b, s) => parseDpkgQuery(b, s) },
  'rpm-query': { render: renderRpmQuery, parse: (b, s) => parseRpmQuery(decoder.decode(b), s) },
  'apk-installed': { render: renderApkInstalled, parse: (b, s) => parseApkInstalled(decoder.decode(b), s) },
};

/** Parses a stored package list of `format` (the one place a stored list is read back). */
export function parsePackageList(format: PackageFormat, bytes: Uint8Array): PackageListResult {
  return PACKAGE_CODECS[format].parse(bytes, format);
}

/**
 * Reads stored package lists for a fleet run: dpkg-query lists through one {@link DpkgQueryParser}, so
 * a line seen on one host is a shared record on every other (the matcher then remembers it by id); the
 * other formats through their parsers. The caller creates one per run and drops it with the run.
 */
export class PackageListReader {
  private readonly dpkg = new DpkgQueryParser();

  /** Parses a stored package list of `format`, as {@link parsePackageList} does. */
  readonly parse = (format: PackageFormat, bytes: Uint8Array): PackageListResult =>
    format === 'dpkg-query' ? this.dpkg.parse(bytes, format) : parsePackageList(format, bytes);
}
