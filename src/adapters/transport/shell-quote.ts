/**
 * Strict POSIX single-quote quoting. ssh hands the remote side ONE command string that the remote login
 * shell parses, so every argument is quoted here and nothing from a host, a feed or a user is ever pasted
 * in raw. Inside single quotes a POSIX shell treats every byte literally except `'` itself, which is
 * written as `'\''` (close, escaped quote, reopen).
 */

/** Characters a shell never interprets; arguments made only of these are passed bare for readability. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so a POSIX shell reads back exactly `arg`. Rejects NUL, which no argv can carry. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('an argument cannot contain a NUL byte');
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes every element of argv and joins them with spaces: one command line for a remote shell. */
export function shellQuoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('an empty command cannot be quoted');
  return argv.map(shellQuote).join(' ');
}
