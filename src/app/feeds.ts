import path from 'node:path';
import { UserError } from '../core/errors.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';
import { buildSources } from '../adapters/feeds/build-sources.js';
import { conditionalDownload } from '../adapters/feeds/download.js';
import { recordCount, type FeedFile, type ParsedSource } from '../adapters/feeds/feed-file.js';
import { syncTargets, SYNC_FEEDS, type SyncFeed, type SyncTarget } from '../adapters/feeds/feed-urls.js';
import type { FeedLimits } from '../adapters/feeds/feed-limits.js';
import { readFeedPath, type ReadProgress } from '../adapters/feeds/read-feed.js';
import { storeSources } from '../adapters/feeds/store-sources.js';
import { listFeeds, type FeedInfo } from '../adapters/store/feed-store.js';
import { loadEol } from '../adapters/store/intel-store.js';
import type { Store } from '../adapters/store/open-store.js';
import { latestScanSummaries } from '../adapters/store/scan-store.js';

/** What one imported source held. */
export interface SourceSummary {
  source: string;
  kind: string;
  records: number;
  unusable: number;
  unusableReasons: Record<string, number>;
  origin: string;
  dataDate: string | null;
}

export interface ImportResult {
  sources: SourceSummary[];
  /** Files skipped, releases skipped, sources named twice. */
  notes: string[];
  seconds: number;
}

export interface ImportOptions {
  now?: () => Date;
  onProgress?: ReadProgress;
  /** Origin to record instead of the path (sync records the URL). */
  origin?: string;
  /** Only these tracker releases (by `Debian:<n>` ecosystem). */
  trackerEcosystems?: readonly string[];
  /** Bounds on reading (sizes, entries, nesting, lines); default the built-in limits. */
  limits?: FeedLimits;
  /** Let an import shrink a stored source to less than half its records (see {@link shrinkGuard}). */
  replace?: boolean;
}

/**
 * Imports feed files and directories: reads and validates everything first, then replaces each source's
 * rows in one transaction. Any error leaves the store exactly as it was.
 */
export async function importFeeds(
  store: Store,
  paths: readonly string[],
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const started = Date.now();
  const files: FeedFile[] = paths.flatMap((p) =>
    readFeedPath(p, {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    }),
  );
  const { sources, notes } = buildSources(files, {
    eol: await loadEol(store.db),
    ...(opts.trackerEcosystems ? { trackerEcosystems: opts.trackerEcosystems } : {}),
  });
  if (sources.length === 0) {
    throw new UserError(
      'feed-none',
      `No feed data in ${paths.join(', ')}.`,
      'Name feed files or a directory holding them (see patchwise feeds import --help).',
    );
  }
  if (!opts.replace) await shrinkGuard(store, sources);
  opts.onProgress?.(`storing ${sources.map((s) => s.source).join(', ')}`);
  await storeSources(store.db, sources, (opts.now ?? (() => new Date()))());
  return { sources: sources.map(summarize), notes, seconds: (Date.now() - started) / 1000 };
}

/**
 * Refuses an import that would leave a stored source with less than half of its records (one OSV
 * record imported by mistake would otherwise replace a whole ecosystem): `--replace` lets it through.
 */
async function shrinkGuard(store: Store, sources: readonly ParsedSource[]): Promise<void> {
  const stored = new Map((await listFeeds(store.db)).map((f) => [f.source, f.records]));
  const shrinking = sources.flatMap((s) => {
    const before = stored.get(s.source) ?? 0;
    const after = recordCount(s.payload);
    return after * 2 < before ? [`${s.source} from ${before} to ${after} records`] : [];
  });
  if (shrinking.length > 0)
    throw new UserError(
      'feed-shrink',
      `This import would shrink ${shrinking.join(', ')}; nothing was changed.`,
      'Importing a source replaces all of its rows. If the smaller data is meant to replace it, run again with --replace.',
    );
}

function summarize(s: ParsedSource): SourceSummary {
  const reasons: Record<string, number> = {};
  for (const u of s.unusable) reasons[u.reason] = (reasons[u.reason] ?? 0) + 1;
  return {
    source: s.source,
    kind: s.kind,
    records: recordCount(s.payload),
    unusable: s.unusable.length,
    unusableReasons: reasons,
    origin: s.origin,
    dataDate: s.dataDate,
  };
}

/** One line of `feeds status`. */
export interface FeedStatus extends FeedInfo {
  /** Days since the data's own date, else since the import. */
  ageDays: number;
}

/** Every feed source with its age at `now`. */
export async function feedStatus(store: Store, now: Date): Promise<FeedStatus[]> {
  return (await listFeeds(store.db)).map((f) => {
    const from = Date.parse(f.dataDate ?? f.importedAt);
    const ageDays = Number.isFinite(from) ? Math.max(0, (now.getTime() - from) / 86_400_000) : NaN;
    return { ...f, ageDays: Math.round(ageDays * 10) / 10 };
  });
}

/** Outcome of one download of a sync. */
export interface SyncResult {
  name: string;
  url: string;
  status: 'ok' | 'not-modified' | 'skipped' | 'failed';
  detail?: string;
  sources?: SourceSummary[];
}

export interface SyncOptions {
  only?: readonly SyncFeed[];
  /** Download name (`kev`, `osv`, `osv:Debian:12`, `eol:debian`) -> URL. */
  urls?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  now?: () => Date;
  onProgress?: ReadProgress;
  limits?: FeedLimits;
  /** Accept a download that shrinks a stored source to less than half (see `importFeeds`). */
  replace?: boolean;
}

/**
 * Downloads the official feeds (conditional requests, cache in `<dataDir>/feed-cache`) and imports what
 * changed. Every download is independent: one failing never stops the others and never replaces good data.
 */
export async function syncFeeds(
  store: Store,
  dataDir: string,
  opts: SyncOptions = {},
): Promise<SyncResult[]> {
  const ecosystems = await fleetEcosystems(store);
  const debian = ecosystems.filter((e) => e.startsWith('Debian:'));
  const targets = syncTargets(opts.only ?? SYNC_FEEDS, ecosystems, opts.urls ?? {});
  const known = new Set((await listFeeds(store.db)).map((f) => f.source));
  const results: SyncResult[] = [];
  for (const t of targets) {
    if (t.feed === 'debian-tracker' && debian.length === 0) {
      results.push({ name: t.name, url: t.url, status: 'skipped', detail: 'no Debian hosts' });
      continue;
    }
    opts.onProgress?.(`downloading ${t.url}`);
    results.push(
      await syncOne(store, t, known, {
        ...opts,
        trackerEcosystems: debian,
        cacheDir: path.join(dataDir, 'feed-cache'),
      }),
    );
  }
  return results;
}

async function syncOne(
  store: Store,
  t: SyncTarget,
  known: Set<string>,
  opts: SyncOptions & { trackerEcosystems: string[]; cacheDir: string },
): Promise<SyncResult> {
  const base = { name: t.name, url: t.url };
  const importOpts: ImportOptions = {
    origin: t.url,
    trackerEcosystems: opts.trackerEcosystems,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.replace ? { replace: true } : {}),
  };
  try {
    const dl = await conditionalDownload(t.url, {
      cacheDir: opts.cacheDir,
      timeoutMs: opts.timeoutMs ?? 300_000,
      ...(opts.limits ? { limits: opts.limits } : {}),
    });
    if (dl.status === 'not-modified') {
      const stored = [...known].some((s) => s === t.name || s.startsWith(`${t.name}:`));
      if (stored) return { ...base, status: 'not-modified' };
      // The store lost the data the cache still has (a new database): import the cached copy.
      const r = await importFeeds(store, [dl.file], importOpts);
      return { ...base, status: 'ok', detail: 'imported from cache', sources: r.sources };
    }
    try {
      const r = await importFeeds(store, [dl.file], importOpts);
      dl.commit();
      return { ...base, status: 'ok', sources: r.sources };
    } catch (e) {
      dl.discard();
      throw e;
    }
  } catch (e) {
    const hint = e instanceof UserError && e.hint ? ` ${e.hint}` : '';
    return { ...base, status: 'failed', detail: `${(e as Error).message}${hint}` };
  }
}

/** The OSV ecosystems of the scanned hosts (latest good scan of each); `Debian:12` when none. */
export async function fleetEcosystems(store: Store): Promise<string[]> {
  const out = new Set<string>();
  for (const { lastOk } of await latestScanSummaries(store.db)) {
    if (!lastOk?.os) continue;
    try {
      out.add(ecosystemForOs(lastOk.os).osv);
    } catch {
      // A host whose OS patchwise cannot match needs no feed.
    }
  }
  return out.size > 0 ? [...out].sort() : ['Debian:12'];
}
