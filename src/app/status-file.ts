import { isAscii } from 'node:buffer';
import fs from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import type { HostState } from '../core/inventory/host-state.js';
import { HOST_NAME_PATTERN } from '../core/inventory/host.js';
import { parseDpkgStatus, type PackageChecker } from '../core/inventory/parse-dpkg-status.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';

/** Largest status file read (a real one is a few MiB). */
const MAX_STATUS_BYTES = 256 * 1024 * 1024;

/** `name` when it is a host name patchwise accepts, else a UserError `scan-bad-name`. */
export function checkHostName(name: string): string {
  if (HOST_NAME_PATTERN.test(name)) return name;
  throw new UserError(
    'scan-bad-name',
    `The host name ${JSON.stringify(name.slice(0, 80))} is not allowed.`,
    'Use letters, digits, dot, dash and underscore, at most 63 characters (e.g. --name web-1).',
  );
}

/**
 * The host OS id of a status-file host (`debian:12`) when a dpkg status file can describe it, else a
 * UserError: `unsupported-os` for an OS patchwise cannot match, `scan-status-os` for a non-dpkg one.
 */
export function checkStatusOs(os: string): string {
  const eco = ecosystemForOs(os);
  if (eco.scheme !== 'debian') {
    throw new UserError(
      'scan-status-os',
      `A dpkg status file cannot describe a ${eco.os} host.`,
      'Use --os debian:N or ubuntu:N.',
    );
  }
  return eco.os;
}

/** A status file's text; a missing, odd or oversized file is a UserError `scan-status-file`. */
export async function readStatusFile(file: string): Promise<string> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new UserError('scan-status-file', `${file} is not a file.`);
    if (stat.size > MAX_STATUS_BYTES) {
      throw new UserError(
        'scan-status-file',
        `${file} is ${stat.size} bytes; a dpkg status file is far smaller.`,
      );
    }
    const bytes = await fs.readFile(file);
    // Status files are nearly always ASCII: then latin1 decodes the same text without UTF-8's work.
    return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      'scan-status-file',
      `Cannot read the status file ${file}.`,
      'Copy /var/lib/dpkg/status from the host and pass its path to --from-status.',
      { cause: e },
    );
  }
}

/**
 * The state a status file describes: its installed packages and the lines it could not trust. An import
 * of many files passes one `checker`, so their hosts share one string per distinct name and version.
 */
export function stateFromStatus(
  text: string,
  source: string,
  host: string,
  os: string,
  at: Date,
  checker?: PackageChecker,
): HostState {
  const parsed = parseDpkgStatus(text, source, checker);
  return {
    schema: 1,
    host,
    os,
    family: 'debian',
    scannedAt: at.toISOString(),
    packages: parsed.packages,
    issues: parsed.issues,
  };
}
