import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../src/core/errors.js';
import { runCommand } from './run-command.js';

/** A saved copy of a host's upper layer. */
export interface SnapshotInfo {
  host: string;
  name: string;
  createdAt: string;
  /** Size of the copied layer in bytes (apparent size, from du). */
  bytes: number;
  /** True when taken from the running host, frozen (crash-consistent); false when the host was stopped. */
  live?: boolean;
}

const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A default snapshot name from the clock: snap-20240101T120000Z. */
export function snapshotName(now = new Date()): string {
  return `snap-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** Throws UserError unless `name` is a valid snapshot name. */
export function checkSnapshotName(name: string): void {
  if (!SNAPSHOT_NAME.test(name)) {
    throw new UserError(
      'lab-snapshot-name',
      `"${name}" is not a valid snapshot name.`,
      'Use letters, digits, dot, dash and underscore (at most 63).',
    );
  }
}

/** Copies an upper layer exactly: owners, modes, times, xattrs (overlay opaque dirs) and whiteouts. */
export async function copyLayer(from: string, to: string): Promise<void> {
  await runCommand(['cp', '-a', '--reflink=auto', from, to]);
}

/** Copies `upper` into `dir`/<name>/upper with its metadata; the host must be stopped or frozen. */
export async function saveSnapshot(
  dir: string,
  host: string,
  name: string,
  upper: string,
  opts: { live: boolean },
): Promise<SnapshotInfo> {
  checkSnapshotName(name);
  const dest = path.join(dir, name);
  // A copy without its snapshot.json was cut short (the process taking it was killed): it never
  // existed as a snapshot, so it is cleared and taken again.
  if (fs.existsSync(dest) && !fs.existsSync(path.join(dest, 'snapshot.json')))
    fs.rmSync(dest, { recursive: true, force: true });
  if (fs.existsSync(dest))
    throw new UserError(
      'lab-snapshot-exists',
      `${host} already has a snapshot named ${name}.`,
      'Pick another name or delete it first.',
    );
  fs.mkdirSync(dest, { recursive: true });
  try {
    await copyLayer(upper, path.join(dest, 'upper'));
  } catch (e) {
    fs.rmSync(dest, { recursive: true, force: true });
    throw e;
  }
  const du = await runCommand(['du', '-sb', path.join(dest, 'upper')]);
  const info: SnapshotInfo = {
    host,
    name,
    createdAt: new Date().toISOString(),
    bytes: Number(du.stdout.split(/\s/)[0]),
    live: opts.live,
  };
  // Written last and by rename: a snapshot.json present means the copy is whole.
  const meta = path.join(dest, 'snapshot.json');
  fs.writeFileSync(`${meta}.tmp`, JSON.stringify(info, null, 2) + '\n');
  fs.renameSync(`${meta}.tmp`, meta);
  return info;
}

/** The snapshots under `dir`, oldest first. */
export function readSnapshots(dir: string): SnapshotInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((n) => path.join(dir, n, 'snapshot.json'))
    .filter((f) => fs.existsSync(f))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as SnapshotInfo)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The directory of one snapshot; throws UserError when it does not exist. */
export function snapshotDir(dir: string, host: string, name: string): string {
  checkSnapshotName(name);
  const d = path.join(dir, name);
  if (!fs.existsSync(path.join(d, 'snapshot.json'))) {
    throw new UserError(
      'lab-snapshot-unknown',
      `${host} has no snapshot named ${name}.`,
      `List them with \`npm run lab -- snapshots ${host}\`.`,
    );
  }
  return d;
}

/**
 * Replaces `upper` by the snapshot's copy; the host must be stopped. The copy is made beside it and
 * renamed into place, so the layer is never missing or half-copied (known_hosts reads its host key).
 */
export async function restoreLayer(snapDir: string, upper: string): Promise<void> {
  const next = `${upper}.restoring`;
  const old = `${upper}.old`;
  fs.rmSync(next, { recursive: true, force: true });
  fs.rmSync(old, { recursive: true, force: true });
  await copyLayer(path.join(snapDir, 'upper'), next);
  if (fs.existsSync(upper)) fs.renameSync(upper, old);
  fs.renameSync(next, upper);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Deletes a snapshot directory. */
export function deleteSnapshotDir(snapDir: string): void {
  fs.rmSync(snapDir, { recursive: true, force: true });
}
