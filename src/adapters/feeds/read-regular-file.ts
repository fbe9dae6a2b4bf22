import fs from 'node:fs';
import { UserError } from '../../core/errors.js';
import { limitError, type FeedLimits } from './feed-limits.js';

/** Why a path cannot be opened, in words: a symlink loop is not "no such file". */
export function unreadableError(p: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file or directory (or a dangling symbolic link)'
      : code === 'ELOOP'
        ? 'a symbolic link loop (too many levels of symbolic links)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `${(e as Error).message}`;
  return new UserError('feed-not-found', `Cannot read ${p}: ${why}.`, undefined, { cause: e });
}

/**
 * Reads a regular file whole. The file is opened without blocking and checked on the open descriptor
 * (so nothing can swap it between check and read): a FIFO, a device (`/dev/zero`), a socket or a
 * directory is refused before a single byte is read, and so is a file larger than the feed-entry-bytes limit.
 */
export function readRegularFile(p: string, limits: FeedLimits): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw unreadableError(p, e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile())
      throw new UserError(
        'feed-not-regular',
        `${p}: ${kindOf(st)}, not a regular file; feeds are read from regular files only.`,
        'Save the feed into a regular file first and import that file.',
      );
    if (st.size > limits.entryBytes)
      throw limitError('entryBytes', limits, p, `the file's size (${st.size} bytes)`);
    return readAll(p, fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readAll(p: string, fd: number): Uint8Array {
  try {
    return fs.readFileSync(fd);
  } catch (e) {
    // EISDIR and friends are ruled out above; what is left is a read error or a file past Node's 2 GiB.
    throw new UserError('feed-unreadable', `Cannot read ${p}: ${(e as Error).message}.`, undefined, {
      cause: e,
    });
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'a special file';
}
