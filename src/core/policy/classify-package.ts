/** What kind of system component a package is: the article's "kernel, system libraries, database packages, or network stack". */
export const PACKAGE_CLASSES = ['kernel', 'libc', 'init', 'network-stack', 'database'] as const;
export type PackageClass = (typeof PACKAGE_CLASSES)[number];

/** True when `s` names a package class. */
export function isPackageClass(s: string): s is PackageClass {
  return (PACKAGE_CLASSES as readonly string[]).includes(s);
}

/** What changing a package implies for the host. */
export interface PackageImpact {
  classes: PackageClass[];
  /** The change takes effect only after a reboot (kernel, microcode, libc, init). */
  needsReboot: boolean;
  /** Every running service may use it (a shared library): restart them all, or reboot. */
  restartsAll: boolean;
}

const RULES: { re: RegExp; cls?: PackageClass; reboot?: boolean; all?: boolean }[] = [
  { re: /^linux(-signed)?(-[a-z0-9.+-]+)?$/, cls: 'kernel', reboot: true },
  { re: /^linux-(image|modules|headers|kbuild|tools|firmware)(-.*)?$/, cls: 'kernel', reboot: true },
  { re: /^(kernel|kernel-core|kernel-modules|kernel-default)(-.*)?$/, cls: 'kernel', reboot: true },
  { re: /^(intel|amd64)-microcode$|^firmware-/, cls: 'kernel', reboot: true },
  {
    re: /^(glibc|eglibc|libc6|libc-bin|libc-l10n|locales|musl)(-.*)?$/,
    cls: 'libc',
    reboot: true,
    all: true,
  },
  {
    re: /^(systemd|libsystemd0|libudev1|udev|dbus|dbus-broker|libdbus-1-3)(-.*)?$/,
    cls: 'init',
    reboot: true,
  },
  {
    re: /^(openssl|libssl[0-9.]*[a-z]*|libcrypto.*|gnutls28|libgnutls.*|nss|libnss3|wolfssl)$/,
    cls: 'network-stack',
    all: true,
  },
  {
    re: /^(openssh|openssh-server|openssh-client|openssh-sftp-server|ssh|dropbear)(-.*)?$/,
    cls: 'network-stack',
  },
  {
    re: /^(iptables|nftables|libnftables1|libnftnl.*|ipset|iproute2|ifupdown|netplan\.io|network-manager)$/,
    cls: 'network-stack',
  },
  {
    re: /^(bind9|bind9-libs|unbound|dnsmasq|isc-dhcp-client|resolvconf|systemd-resolved)$/,
    cls: 'network-stack',
  },
  {
    re: /^(curl|libcurl[0-9]*(-.*)?|libnghttp2-14|nghttp2|ca-certificates)$/,
    cls: 'network-stack',
    all: true,
  },
  { re: /^(postgresql|libpq)(-.*)?$|^libpq5$/, cls: 'database' },
  { re: /^(mysql|mariadb|percona)(-.*)?$|^libmariadb3$|^libmysqlclient.*$/, cls: 'database' },
  { re: /^(redis|valkey|mongodb|mongodb-org|memcached|sqlite3|libsqlite3-0|etcd)(-.*)?$/, cls: 'database' },
  { re: /^(zlib|zlib1g|liblzma5|xz-utils|libzstd1|libgcc-s1|libstdc\+\+6|gcc-\d+)$/, all: true },
];

/**
 * Classifies a package by name (source or binary): kernel, libc, init, network stack or database, and
 * whether changing it needs a reboot or restarts every service. Unknown names impact nothing special.
 */
export function classifyPackage(name: string): PackageImpact {
  const hit = cache.get(name);
  if (hit) return hit;
  const impact = classifyUncached(name);
  if (cache.size > 100_000) cache.clear();
  cache.set(name, impact);
  return impact;
}

const cache = new Map<string, PackageImpact>();

/** The impact of a name no rule matches; shared, never mutated. */
const NONE: PackageImpact = Object.freeze({
  classes: [],
  needsReboot: false,
  restartsAll: false,
}) as PackageImpact;

/** Matches exactly the names some rule matches: one test settles the common case of no rule at all. */
const ANY_RULE = new RegExp(`^(?:${RULES.map((r) => `(?:${r.re.source})`).join('|')})`);

function classifyUncached(name: string): PackageImpact {
  if (!ANY_RULE.test(name)) return NONE;
  const classes = new Set<PackageClass>();
  let needsReboot = false;
  let restartsAll = false;
  for (const r of RULES) {
    if (!r.re.test(name)) continue;
    if (r.cls) classes.add(r.cls);
    needsReboot ||= Boolean(r.reboot);
    restartsAll ||= Boolean(r.all);
  }
  if (classes.size === 0 && !needsReboot && !restartsAll) return NONE;
  return { classes: [...classes], needsReboot, restartsAll };
}

/** Classifies a finding's source package together with its installed binaries. */
export function classifyPackages(names: readonly string[]): PackageImpact {
  if (names.every((n) => classifyPackage(n) === NONE)) return NONE;
  return combined(names.join('\n'), names);
}

/**
 * Classifies a finding's package and binaries. Most names impact nothing special: those cost one cached
 * lookup per name and allocate nothing; the others are memoised on the names together.
 */
export function classifyFinding(pkg: string, binaries: readonly string[]): PackageImpact {
  // One regular expression settles the common case (no rule matches any name) without a lookup.
  let none = !ANY_RULE.test(pkg);
  for (let i = 0; none && i < binaries.length; i++)
    none = binaries[i] === pkg || !ANY_RULE.test(binaries[i]!);
  if (none) return NONE;
  return combined(`${pkg}\n${binaries.join('\n')}`, [pkg, ...binaries]);
}

const combinedCache = new Map<string, PackageImpact>();

function combined(key: string, names: readonly string[]): PackageImpact {
  let impact = combinedCache.get(key);
  if (!impact) {
    impact = combine(names);
    if (combinedCache.size > 100_000) combinedCache.clear();
    combinedCache.set(key, impact);
  }
  return impact;
}

function combine(names: readonly string[]): PackageImpact {
  const classes = new Set<PackageClass>();
  let needsReboot = false;
  let restartsAll = false;
  for (const n of names) {
    const i = classifyPackage(n);
    for (const c of i.classes) classes.add(c);
    needsReboot ||= i.needsReboot;
    restartsAll ||= i.restartsAll;
  }
  return { classes: PACKAGE_CLASSES.filter((c) => classes.has(c)), needsReboot, restartsAll };
}
