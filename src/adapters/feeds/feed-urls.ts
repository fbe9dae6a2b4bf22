/** The official download locations of every feed `patchwise feeds sync` fetches. */
export const OFFICIAL_URLS = {
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
  'debian-tracker': 'https://security-tracker.debian.org/tracker/data/json',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  epss: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
  'eol:debian': 'https://salsa.debian.org/debian/distro-info-data/-/raw/main/debian.csv',
  'eol:ubuntu': 'https://salsa.debian.org/debian/distro-info-data/-/raw/main/ubuntu.csv',
} as const;

/** The feeds `--only` can name. */
export const SYNC_FEEDS = ['osv', 'debian-tracker', 'kev', 'epss', 'eol'] as const;
export type SyncFeed = (typeof SYNC_FEEDS)[number];
export function isSyncFeed(s: string): s is SyncFeed {
  return (SYNC_FEEDS as readonly string[]).includes(s);
}

/** One download of a sync: its name (`osv:Debian:12`, `kev`, `eol:debian`, …) and URL. */
export interface SyncTarget {
  name: string;
  feed: SyncFeed;
  url: string;
}

/**
 * The downloads for `feeds`, given the fleet's OSV ecosystems. `overrides` maps a download name
 * (`kev`, `osv:Debian:12`, `eol:ubuntu`) to a URL; `osv` overrides the base under which
 * `<Ecosystem>/all.zip` lies.
 */
export function syncTargets(
  feeds: readonly SyncFeed[],
  ecosystems: readonly string[],
  overrides: Readonly<Record<string, string>>,
): SyncTarget[] {
  const url = (name: keyof typeof OFFICIAL_URLS) => overrides[name] ?? OFFICIAL_URLS[name];
  const out: SyncTarget[] = [];
  for (const feed of feeds) {
    if (feed === 'osv') {
      const base = url('osv').replace(/\/+$/, '');
      for (const eco of ecosystems) {
        const name = `osv:${eco}`;
        out.push({ name, feed, url: overrides[name] ?? `${base}/${osvPath(eco)}/all.zip` });
      }
    } else if (feed === 'eol') {
      out.push(
        { name: 'eol:debian', feed, url: url('eol:debian') },
        { name: 'eol:ubuntu', feed, url: url('eol:ubuntu') },
      );
    } else {
      out.push({ name: feed, feed, url: url(feed) });
    }
  }
  return out;
}

/** `Rocky Linux:9` -> `Rocky%20Linux:9` (the bucket's folder names keep their colons). */
function osvPath(ecosystem: string): string {
  return encodeURIComponent(ecosystem).replace(/%3A/gi, ':');
}
