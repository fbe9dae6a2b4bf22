/**
 * The fleet benchmark's hosts: real Debian 12 dpkg status files, edited stanza by stanza.
 *
 * Three classes, from two real files: `small` is the minbase status as is; `medium` is a real 710-package
 * Debian 12 host as is; `large` is that host with every source that has advisories in the feed set back
 * to its Debian 12.15 version (bookworm_main_source_versions.tsv) when that is older, plus the kernel image
 * the file lacks (this machine is a container: a VM would have one), a release behind the newest fix.
 * Each host then drifts: 0-5 of its source packages moved to a neighbouring version, chosen among sources
 * with few enough advisories that the host stays within its class's finding count ±10%.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { compareDpkgVersions } from '../src/core/versions/dpkg-version.js';

export const CLASSES = ['small', 'medium', 'large'] as const;
export type HostClass = (typeof CLASSES)[number];

/** One stanza of a status file, as its lines (continuation lines kept as they are). */
type Stanza = string[];

/** Per source package in the feed: how many records name it, and its fixed versions in dpkg order. */
export interface FeedSource {
  records: number;
  fixed: string[];
}

/** The kernel image a Debian 12 VM has and this machine's status lacks: linux-signed-amd64 6.1.190. */
const KERNEL_IMAGE = [
  'Package: linux-image-amd64',
  'Status: install ok installed',
  'Priority: optional',
  'Section: kernel',
  'Installed-Size: 13',
  'Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>',
  'Architecture: amd64',
  'Source: linux-signed-amd64 (6.1.190+1)',
  'Version: 6.1.190-1',
  'Description: Linux for 64-bit PCs (meta-package)',
  ' This package depends on the latest Linux kernel and modules for use on PCs',
  ' with AMD64, Intel 64 or VIA Nano processors.',
];

/** Reads the feed snapshot's Debian OSV zip: record count and fixed versions per source package. */
export function readFeed(zipFile: string): Map<string, FeedSource> {
  const out = new Map<string, FeedSource>();
  for (const bytes of Object.values(unzipSync(fs.readFileSync(zipFile)))) {
    const rec = JSON.parse(strFromU8(bytes)) as {
      affected?: { package?: { name?: string }; ranges?: { events?: { fixed?: string }[] }[] }[];
    };
    for (const a of rec.affected ?? []) {
      const name = a.package?.name;
      if (!name) continue;
      const s = out.get(name) ?? out.set(name, { records: 0, fixed: [] }).get(name)!;
      s.records++;
      for (const r of a.ranges ?? []) for (const e of r.events ?? []) if (e.fixed) s.fixed.push(e.fixed);
    }
  }
  for (const s of out.values()) s.fixed = [...new Set(s.fixed)].sort(compareDpkgVersions);
  return out;
}

/** The oldest Debian 12.15 version of each source package (the tsv lists some sources twice). */
export function readBookworm(tsvFile: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(tsvFile, 'utf8').split('\n').slice(1)) {
    const [name, version] = line.split('\t');
    if (!name || !version) continue;
    const old = out.get(name);
    if (old === undefined || compareDpkgVersions(version, old) < 0) out.set(name, version);
  }
  return out;
}

const parse = (text: string): Stanza[] =>
  text
    .split(/\n\n+/)
    .map((s) => s.split('\n'))
    .filter((s) => s.some((l) => l.startsWith('Package:')));
const render = (stanzas: Stanza[]): string => stanzas.map((s) => s.join('\n')).join('\n\n') + '\n';
const field = (s: Stanza, name: string): string | undefined =>
  s
    .find((l) => l.startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();
const setField = (s: Stanza, name: string, value: string): Stanza => {
  const i = s.findIndex((l) => l.startsWith(`${name}:`));
  const line = `${name}: ${value}`;
  // Source goes before Version, where dpkg writes it.
  if (i < 0)
    s.splice(
      Math.max(
        0,
        s.findIndex((l) => l.startsWith('Version:')),
      ),
      0,
      line,
    );
  else s[i] = line;
  return s;
};

/** A stanza's source package and source version (`Source: name (version)`, else the binary's own). */
function sourceOf(s: Stanza): { name: string; version: string } {
  const src = field(s, 'Source');
  const m = src ? /^(\S+)(?:\s+\((\S+)\))?$/.exec(src) : null;
  return { name: m?.[1] ?? field(s, 'Package')!, version: m?.[2] ?? field(s, 'Version')! };
}

/** Moves a stanza to another source version, keeping an epoch or binNMU suffix of the binary version. */
function moveTo(s: Stanza, version: string): Stanza {
  const src = sourceOf(s);
  const bin = field(s, 'Version')!;
  const copy = [...s];
  setField(copy, 'Version', bin.replace(src.version, version));
  if (field(s, 'Source')?.includes('(') || bin !== src.version)
    setField(copy, 'Source', `${src.name} (${version})`);
  return copy;
}

/** Sources whose every stanza carries the source version inside its binary version (safe to move). */
function movableSources(stanzas: Stanza[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const bad = new Set<string>();
  stanzas.forEach((s, i) => {
    const src = sourceOf(s);
    if (!field(s, 'Version')!.includes(src.version)) bad.add(src.name);
    (out.get(src.name) ?? out.set(src.name, []).get(src.name)!).push(i);
  });
  for (const b of bad) out.delete(b);
  return out;
}

/** The base status text of each class. */
export function classBases(
  minbase: string,
  host: string,
  feed: Map<string, FeedSource>,
  bookworm: Map<string, string>,
): Record<HostClass, string> {
  const stanzas = parse(host);
  const movable = movableSources(stanzas);
  const large = [...stanzas];
  for (const [name, idx] of movable) {
    const old = bookworm.get(name);
    if (!feed.has(name) || !old) continue;
    for (const i of idx)
      if (compareDpkgVersions(old, sourceOf(large[i]!).version) < 0) large[i] = moveTo(large[i]!, old);
  }
  large.push(KERNEL_IMAGE);
  return { small: minbase, medium: host, large: render(large) };
}

/**
 * One host of a class: its base with `moves` sources moved one step, each to the neighbouring fixed
 * version in the feed (up or down), or, for a source the feed never names, to a binNMU (+bN) of its own.
 * Only sources with at most `maxRecords` records in the feed move, so the host's findings change by at
 * most moves × maxRecords.
 */
export function driftHost(
  base: string,
  feed: Map<string, FeedSource>,
  maxRecords: number,
  moves: number,
  rand: () => number,
): string {
  const stanzas = parse(base);
  const candidates = [...movableSources(stanzas)].filter(([n]) => (feed.get(n)?.records ?? 0) <= maxRecords);
  for (let m = 0; m < moves && candidates.length > 0; m++) {
    const [name, idx] = candidates.splice(Math.floor(rand() * candidates.length), 1)[0]!;
    const fixed = feed.get(name)?.fixed ?? [];
    const next = fixed.length > 0 ? neighbour(sourceOf(stanzas[idx[0]!]!).version, fixed, rand) : null;
    for (const i of idx) stanzas[i] = next ? moveTo(stanzas[i]!, next) : binNmu(stanzas[i]!);
  }
  return render(stanzas);
}

/** The next binNMU of a stanza's binary version (x → x+b1, x+b1 → x+b2): same source, new bytes. */
function binNmu(s: Stanza): Stanza {
  const src = sourceOf(s);
  const bin = field(s, 'Version')!;
  const b = /\+b(\d+)$/.exec(bin);
  const copy = [...s];
  setField(copy, 'Version', b ? `${bin.slice(0, b.index)}+b${Number(b[1]) + 1}` : `${bin}+b1`);
  return setField(copy, 'Source', `${src.name} (${src.version})`);
}

function neighbour(current: string, fixed: string[], rand: () => number): string {
  const all = [...new Set([...fixed, current])].sort(compareDpkgVersions);
  const i = all.indexOf(current);
  const step = i === 0 ? 1 : i === all.length - 1 ? -1 : rand() < 0.5 ? -1 : 1;
  return all[i + step] ?? current;
}

/** Writes the fleet: file name = host name (host-00001 …), classes shuffled by the seeded PRNG. */
export function writeFleet(
  dir: string,
  classes: HostClass[],
  render: (c: HostClass, i: number) => string,
): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return classes.map((c, i) => {
    const name = `host-${String(i + 1).padStart(5, '0')}`;
    fs.writeFileSync(path.join(dir, name), render(c, i));
    return name;
  });
}
