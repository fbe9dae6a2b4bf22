import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFileLock } from './file-lock.js';
import { LAB_CACHE_DIR } from './lab-paths.js';
import { LAB_PACKAGES, type LabFile, type LabPackage } from './lab-packages.js';
import { runCommand, say } from './run-command.js';

const SOURCES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'packages');

/** A hash of the package sources and definitions: the repository is rebuilt when it changes. */
export function labSourcesHash(): string {
  const h = createHash('sha256').update(JSON.stringify(LAB_PACKAGES));
  for (const dir of fs.readdirSync(SOURCES).sort()) {
    for (const f of fs.readdirSync(path.join(SOURCES, dir)).sort()) {
      h.update(`${dir}/${f}\0`).update(fs.readFileSync(path.join(SOURCES, dir, f)));
    }
  }
  return h.digest('hex').slice(0, 16);
}

function fill(text: string, pkg: LabPackage): string {
  return text.replaceAll('@VERSION@', pkg.version).replaceAll('@HEALTHY@', pkg.healthy === false ? '0' : '1');
}

async function placeFile(pkg: LabPackage, file: LabFile, root: string, tmp: string): Promise<void> {
  const src = path.join(SOURCES, pkg.name, file.src);
  const dest = path.join(root, file.dest);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (file.kind === 'c-library' || file.kind === 'c-program') {
    const c = path.join(tmp, `${pkg.name}-${pkg.version}-${file.src}`);
    fs.writeFileSync(c, fill(fs.readFileSync(src, 'utf8'), pkg));
    const args = file.kind === 'c-library' ? SHARED_LIBRARY_FLAGS : [`-L${await linkLibfoo(tmp)}`, '-lfoo'];
    await runCommand(['gcc', '-O2', '-Wall', '-o', dest, c, ...args]);
  } else {
    const bytes = fs.readFileSync(src);
    fs.writeFileSync(dest, file.kind === 'text' ? fill(bytes.toString('utf8'), pkg) : bytes);
  }
  fs.chmodSync(dest, file.mode ?? 0o644);
}

const SHARED_LIBRARY_FLAGS = ['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1'];

/** A libfoo.so to link lab-worker against; at run time the worker finds the installed one by soname. */
async function linkLibfoo(tmp: string): Promise<string> {
  const dir = path.join(tmp, 'link');
  if (!fs.existsSync(path.join(dir, 'libfoo.so'))) {
    fs.mkdirSync(dir, { recursive: true });
    const src = path.join(SOURCES, 'lab-libfoo', 'foo.c');
    await runCommand(['gcc', '-o', path.join(dir, 'libfoo.so'), src, ...SHARED_LIBRARY_FLAGS]);
  }
  return dir;
}

function controlFile(pkg: LabPackage): string {
  const lines = [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    'Architecture: amd64',
    'Maintainer: patchwise lab <lab@patchwise.invalid>',
    'Section: misc',
    'Priority: optional',
  ];
  if (pkg.depends) lines.push(`Depends: ${pkg.depends}`);
  lines.push(`Description: ${pkg.description}`);
  return lines.join('\n') + '\n';
}

async function buildPackage(pkg: LabPackage, outDir: string, tmp: string): Promise<void> {
  const root = path.join(tmp, `${pkg.name}_${pkg.version}`);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  for (const f of pkg.files) await placeFile(pkg, f, root, tmp);
  fs.writeFileSync(path.join(root, 'DEBIAN', 'control'), controlFile(pkg));
  for (const s of pkg.scripts ?? []) {
    const dest = path.join(root, 'DEBIAN', s);
    fs.copyFileSync(path.join(SOURCES, pkg.name, s), dest);
    fs.chmodSync(dest, 0o755);
  }
  const deb = path.join(outDir, `${pkg.name}_${pkg.version}_amd64.deb`);
  await runCommand(['dpkg-deb', '--root-owner-group', '-Zxz', '--build', root, deb]);
}

/** The lab repository built once per machine, shared by every state dir (and the role layers' lists). */
function cachedRepoDir(hash: string): string {
  return path.join(LAB_CACHE_DIR, `repo-${hash}`);
}

async function buildRepo(dir: string): Promise<void> {
  say(`building ${LAB_PACKAGES.length} lab packages with dpkg-deb`);
  const tmp = fs.mkdtempSync(`${dir}.build-`);
  const out = path.join(tmp, 'repo');
  try {
    fs.mkdirSync(out);
    for (const pkg of LAB_PACKAGES) await buildPackage(pkg, out, tmp);
    const scan = await runCommand(['dpkg-scanpackages', '--multiversion', '.', '/dev/null'], { cwd: out });
    fs.writeFileSync(path.join(out, 'Packages'), scan.stdout);
    fs.renameSync(out, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Makes `repoDir` the lab's apt repository: every lab package built with dpkg-deb and indexed with
 * dpkg-scanpackages (a flat repository the hosts use as `deb [trusted=yes] file:/srv/lab-repo ./`).
 * The packages are built once per machine under the cache (keyed by {@link labSourcesHash}) and copied
 * into `repoDir`, so every lab has byte-identical .debs and the apt lists inside the cached role layers
 * match every lab's repository. The directory itself is kept (running hosts bind-mount it).
 */
export async function ensureLabRepo(repoDir: string): Promise<void> {
  const hash = labSourcesHash();
  const stamp = path.join(repoDir, '.lab-repo');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash) return;
  const cached = cachedRepoDir(hash);
  fs.mkdirSync(LAB_CACHE_DIR, { recursive: true });
  await withFileLock(`${cached}.lock`, 'the lab repository', async () => {
    if (!fs.existsSync(cached)) await buildRepo(cached);
  });
  fs.mkdirSync(repoDir, { recursive: true });
  for (const f of fs.readdirSync(repoDir)) fs.rmSync(path.join(repoDir, f), { recursive: true, force: true });
  for (const f of fs.readdirSync(cached)) fs.copyFileSync(path.join(cached, f), path.join(repoDir, f));
  fs.writeFileSync(stamp, hash + '\n');
}
