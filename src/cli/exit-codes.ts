/** Exit codes every command uses (see docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** ran, and found what --fail-on names */
  found: 1,
  /** bad input, bad configuration */
  user: 2,
  /** the world failed: host unreachable, feed down; or a bug */
  operational: 3,
} as const;
