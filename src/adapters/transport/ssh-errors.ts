import { OperationalError } from '../../core/errors.js';

/** Why ssh itself (not the remote command) failed. */
export const SSH_FAILURES = [
  'unreachable',
  'auth-failed',
  'host-key-changed',
  'host-key-unknown',
  'timeout',
] as const;
export type SshFailure = (typeof SSH_FAILURES)[number];
export function isSshFailure(s: string): s is SshFailure {
  return (SSH_FAILURES as readonly string[]).includes(s);
}

/** ssh's own diagnostics, first match wins; the order matters (a changed key also says "verification failed"). */
const PATTERNS: [SshFailure, RegExp][] = [
  ['host-key-changed', /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i],
  ['host-key-unknown', /No \S+ host key is known for|Host key verification failed/i],
  ['auth-failed', /Permission denied \(|Too many authentication failures|no mutual signature/i],
  ['timeout', /timed out|Connection timed out|Operation timed out/i],
  [
    'unreachable',
    /Connection refused|No route to host|Could not resolve hostname|Network is unreachable|Connection closed by|Connection reset|kex_exchange_identification|banner exchange|Name or service not known|Temporary failure in name resolution/i,
  ],
];

const HINTS: Record<SshFailure, string> = {
  unreachable: 'Check that the host is up and sshd listens on the address and port in its connection.',
  'auth-failed':
    "Check the user and identityFile in the host's connection, or your ssh agent (BatchMode: no password prompts).",
  'host-key-changed':
    'The host presented a different key than the one pinned. If the host was really rebuilt, run `patchwise hosts trust HOST --replace`; otherwise treat it as an attack.',
  'host-key-unknown': 'Pin the host key first: `patchwise hosts trust HOST` (or `--all`).',
  timeout: 'The host did not answer in time; check the network path, or raise the timeout.',
};

/**
 * Maps an ssh exit (255 is ssh's own failure code) and its stderr to a failure reason, or undefined when
 * the exit belongs to the remote command. A 255 with none of ssh's messages is treated as the command's.
 */
export function classifySshExit(code: number | null, stderr: string): SshFailure | undefined {
  if (code !== 255) return undefined;
  return PATTERNS.find(([, re]) => re.test(stderr))?.[0];
}

/** The OperationalError for an ssh failure: code `ssh-REASON`, the first useful stderr line, a hint. */
export function sshError(
  reason: SshFailure,
  target: string,
  stderr: string,
  cause?: unknown,
): OperationalError {
  const detail = firstUsefulLine(stderr);
  const what: Record<SshFailure, string> = {
    unreachable: 'is unreachable',
    'auth-failed': 'refused authentication',
    'host-key-changed': 'presented a CHANGED host key; nothing was collected',
    'host-key-unknown': 'has no pinned host key',
    timeout: 'timed out',
  };
  return new OperationalError(
    `ssh-${reason}`,
    `${target} ${what[reason]}${detail ? ` (ssh: ${detail})` : ''}.`,
    HINTS[reason],
    cause === undefined ? undefined : { cause },
  );
}

/** The reason of an error thrown by the ssh transport, if it is one. */
export function sshFailureOf(e: unknown): SshFailure | undefined {
  if (!(e instanceof OperationalError) || !e.code.startsWith('ssh-')) return undefined;
  const reason = e.code.slice(4);
  return isSshFailure(reason) ? reason : undefined;
}

function firstUsefulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^@+$|^@\s|^Warning: Permanently added/.test(l));
  const pick = lines.find((l) =>
    /denied|refused|changed|verification|timed out|resolve|unreachable|closed|known/i.test(l),
  );
  return (pick ?? lines[0] ?? '').slice(0, 200);
}
