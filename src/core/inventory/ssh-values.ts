/**
 * What the ssh values of a host may look like. Each reaches ssh's command line, so none may start with
 * `-` (ssh would read it as an option, `-oProxyCommand=...`) or hold spaces or control characters. Checked
 * when the configuration loads and when an import reads a host, and again before ssh runs.
 */
export const SSH_VALUE_RULES = {
  host: {
    pattern: /^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,252}|\[?[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9]+)?\]?)$/,
    rule: 'a host name, IPv4 or IPv6 address or ~/.ssh/config alias (letters, digits, . - _; not starting with -)',
  },
  user: {
    pattern: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/,
    rule: 'a user name (letters, digits, . - _; not starting with -)',
  },
  jump: {
    pattern:
      /^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?[A-Za-z0-9_[\]:.-]{1,255}(?::\d{1,5})?(?:,(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?[A-Za-z0-9_[\]:.-]{1,255}(?::\d{1,5})?)*$/,
    rule: '[user@]host[:port], comma-separated for several (not starting with -)',
  },
  path: {
    // A path: anything printable but not an option, a newline or another control character.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
    pattern: /^(?!-)[^\x00-\x1f\x7f]{1,4096}$/,
    rule: 'a file path (no control characters; not starting with -)',
  },
} as const;
export type SshValueKind = keyof typeof SSH_VALUE_RULES;

/** True when `value` is allowed as the ssh `kind` value. */
export function isSshValue(kind: SshValueKind, value: string): boolean {
  const p = SSH_VALUE_RULES[kind].pattern;
  // A jump host list must not start with '-' even though its character class allows it inside.
  return p.test(value) && !value.startsWith('-');
}
