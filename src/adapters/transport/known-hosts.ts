import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OperationalError } from '../../core/errors.js';
import type { SshTarget } from './ssh-transport.js';

/** One public host key. */
export interface HostKey {
  type: string;
  /** base64 key blob */
  key: string;
}

/** A host key with its SHA256 fingerprint, as `ssh-keygen -l` prints it. */
export interface FingerprintedKey extends HostKey {
  fingerprint: string;
}

const KEY_TYPE =
  /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;
const KEY_BLOB = /^[A-Za-z0-9+/]{16,}={0,3}$/;

/** The name ssh looks a host up by in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port?: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return port === undefined || port === 22 ? bare : `[${bare}]:${port}`;
}

/** Parses known_hosts text: the keys listed for `name` (unhashed entries; markers skipped). */
export function keysFor(text: string, name: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || parts[0]!.startsWith('#') || parts[0]!.startsWith('@')) continue;
    if (!parts[0]!.split(',').includes(name)) continue;
    keys.push({ type: parts[1]!, key: parts[2]! });
  }
  return keys;
}

/** Parses `ssh-keyscan` output into keys, dropping comments and anything not shaped like a key. */
export function parseKeyscan(text: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const line of text.split('\n')) {
    const [, type, key] = line.trim().split(/\s+/);
    if (type && key && KEY_TYPE.test(type) && KEY_BLOB.test(key)) {
      if (!keys.some((k) => k.key === key)) keys.push({ type, key });
    }
  }
  return keys;
}

/** Where a host's current keys stand against what is pinned. */
export type PinState = 'new' | 'unchanged' | 'changed';

/** Compares scanned keys with pinned ones: any pinned key presented again means the host is the same. */
export function comparePins(pinned: HostKey[], scanned: HostKey[]): PinState {
  if (pinned.length === 0) return 'new';
  return scanned.some((s) => pinned.some((p) => p.type === s.type && p.key === s.key))
    ? 'unchanged'
    : 'changed';
}

/** Runs `ssh-keyscan` against the target's address and port (a jump host cannot be scanned through). */
export async function scanHostKeys(t: SshTarget, timeoutSec = 5): Promise<HostKey[]> {
  const args = ['-T', String(timeoutSec), '-t', 'ed25519,ecdsa,rsa'];
  if (t.port !== undefined) args.push('-p', String(t.port));
  const { stdout, stderr } = await run(
    'ssh-keyscan',
    [...args, '--', t.host],
    undefined,
    (timeoutSec + 5) * 1000,
  );
  const keys = parseKeyscan(stdout);
  if (keys.length === 0) {
    throw new OperationalError(
      'ssh-unreachable',
      `${t.host}: no host key could be read${stderr.trim() ? ` (${stderr.trim().split('\n')[0]!.slice(0, 160)})` : ''}.`,
      'Check that sshd listens on the host and port of its connection.',
    );
  }
  return keys;
}

/** SHA256 fingerprints of keys, by `ssh-keygen -l -f -`. */
export async function fingerprint(keys: HostKey[]): Promise<FingerprintedKey[]> {
  const out: FingerprintedKey[] = [];
  for (const k of keys) {
    const { stdout } = await run(
      'ssh-keygen',
      ['-l', '-E', 'sha256', '-f', '-'],
      `${k.type} ${k.key}\n`,
      10_000,
    );
    const fp = /\b(SHA256:[A-Za-z0-9+/=]+)/.exec(stdout)?.[1];
    if (!fp) throw new OperationalError('ssh-keygen', `ssh-keygen could not fingerprint a ${k.type} key.`);
    out.push({ ...k, fingerprint: fp });
  }
  return out;
}

/** Reads the known_hosts file ('' when it does not exist yet). */
export async function readKnownHosts(file: string): Promise<string> {
  return fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
}

/**
 * Pins `keys` for `name` in the known_hosts file: every earlier line for `name` goes, the new keys are
 * appended. Written to a temporary file and renamed, so a crash never leaves half a file.
 */
export async function pinKeys(file: string, name: string, keys: HostKey[]): Promise<void> {
  const old = await readKnownHosts(file);
  const kept = old
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().split(/\s+/)[0]!.split(',').includes(name));
  const lines = [...kept, ...keys.map((k) => `${name} ${k.type} ${k.key}`)];
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, lines.join('\n') + '\n', { mode: 0o644 });
  await fs.rename(tmp, file);
}

function run(cmd: string, args: string[], input: string | undefined, timeout: number) {
  return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code !== 'number') {
        return reject(
          new OperationalError(`${cmd}-failed`, `${cmd} could not run: ${error.message}`, undefined, {
            cause: error,
          }),
        );
      }
      resolve({ stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}
