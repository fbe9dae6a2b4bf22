/** The version orderings patchwise knows exactly. */
export const VERSION_SCHEMES = ['debian', 'rpm', 'alpine'] as const;
export type VersionScheme = (typeof VERSION_SCHEMES)[number];

/** Whether `s` names a {@link VersionScheme}. */
export function isVersionScheme(s: string): s is VersionScheme {
  return (VERSION_SCHEMES as readonly string[]).includes(s);
}
