import { execFile } from 'node:child_process';
import {
  comparePins,
  fingerprint,
  keysFor,
  knownHostsName,
  pinKeys,
  readKnownHosts,
  scanHostKeys,
  type FingerprintedKey,
} from '../adapters/transport/known-hosts.js';
import { checkSshTarget, type SshTarget } from '../adapters/transport/ssh-transport.js';
import { isKnownError } from '../core/errors.js';
import type { Host } from '../core/inventory/host.js';

/** What `hosts trust` did for one host. */
export const TRUST_OUTCOMES = [
  'pinned',
  'unchanged',
  'replaced',
  'refused-changed',
  'skipped',
  'failed',
] as const;
export type TrustOutcome = (typeof TRUST_OUTCOMES)[number];

/** One host's trust result: the keys it presented (with fingerprints) and what happened to the pin. */
export interface TrustResult {
  host: string;
  /** the known_hosts name the keys are pinned under (`addr` or `[addr]:port`) */
  knownAs?: string;
  outcome: TrustOutcome;
  keys: { type: string; fingerprint: string }[];
  /** fingerprints pinned before, when the key changed */
  previous?: { type: string; fingerprint: string }[];
  message?: string;
}

/** Where the address and port ssh will really use come from: `ssh -G` applies ~/.ssh/config. */
export interface ResolvedTarget {
  hostname: string;
  port: number;
  proxyJump?: string;
  hostKeyAlias?: string;
}

/**
 * Fetches each ssh host's keys with ssh-keyscan, shows their SHA256 fingerprints, and pins them in the
 * data directory's known_hosts. A host whose pinned key differs is refused unless `replace` is set (a
 * rebuilt host); a host without ssh is skipped. One host's failure is its result, never the batch's.
 */
export async function trustHosts(
  hosts: readonly Host[],
  opts: { knownHostsFile: string; replace?: boolean; resolve?: (t: SshTarget) => Promise<ResolvedTarget> },
): Promise<TrustResult[]> {
  const results: TrustResult[] = [];
  for (const host of hosts) {
    try {
      results.push(await trustOne(host, opts));
    } catch (e) {
      if (!isKnownError(e)) throw e;
      results.push({ host: host.name, outcome: 'failed', keys: [], message: e.message });
    }
  }
  return results;
}

async function trustOne(
  host: Host,
  opts: { knownHostsFile: string; replace?: boolean; resolve?: (t: SshTarget) => Promise<ResolvedTarget> },
): Promise<TrustResult> {
  const c = host.connection;
  if (!c || !('ssh' in c)) {
    return { host: host.name, outcome: 'skipped', keys: [], message: 'no ssh connection' };
  }
  const target = checkSshTarget(c.ssh);
  const where = await (opts.resolve ?? resolveWithSsh)(target);
  if (where.proxyJump) {
    return {
      host: host.name,
      outcome: 'failed',
      keys: [],
      message: `${host.name} is reached through ProxyJump ${where.proxyJump}; ssh-keyscan cannot go through a jump host. Add its key to the known_hosts file in the data directory by hand.`,
    };
  }
  const knownAs = where.hostKeyAlias ?? knownHostsName(where.hostname, where.port);
  const scanned = await scanHostKeys({ host: where.hostname, port: where.port });
  const keys = await fingerprint(scanned);
  const pinned = keysFor(await readKnownHosts(opts.knownHostsFile), knownAs);
  const state = comparePins(pinned, scanned);
  const shown = (k: FingerprintedKey[]) => k.map(({ type, fingerprint: fp }) => ({ type, fingerprint: fp }));
  const result: TrustResult = { host: host.name, knownAs, outcome: 'pinned', keys: shown(keys) };
  if (state === 'unchanged') return { ...result, outcome: 'unchanged' };
  if (state === 'changed') {
    result.previous = shown(await fingerprint(pinned));
    if (!opts.replace) {
      return {
        ...result,
        outcome: 'refused-changed',
        message: `${host.name} presents a different host key than the one pinned. If the host was rebuilt, run again with --replace; otherwise treat it as an attack.`,
      };
    }
    result.outcome = 'replaced';
  }
  await pinKeys(opts.knownHostsFile, knownAs, scanned);
  return result;
}

/** Resolves the address, port, jump and key alias ssh would use for a target (`ssh -G`). */
export function resolveWithSsh(t: SshTarget): Promise<ResolvedTarget> {
  const args = ['-G'];
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.user !== undefined) args.push('-l', t.user);
  if (t.jump !== undefined) args.push('-J', t.jump);
  args.push('--', t.host);
  return new Promise((resolve) => {
    execFile('ssh', args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout) => {
      const conf = new Map<string, string>();
      for (const line of (error ? '' : stdout).split('\n')) {
        const i = line.indexOf(' ');
        if (i > 0) conf.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
      }
      const port = Number(conf.get('port') ?? t.port ?? 22);
      const out: ResolvedTarget = {
        hostname: conf.get('hostname') ?? t.host,
        port: Number.isInteger(port) ? port : 22,
      };
      const jump = conf.get('proxyjump') ?? t.jump;
      if (jump && jump !== 'none') out.proxyJump = jump;
      const alias = conf.get('hostkeyalias');
      if (alias && alias !== 'none') out.hostKeyAlias = alias;
      resolve(out);
    });
  });
}
