import type { Command } from 'commander';
import type { ImportResult, SourceSummary, SyncResult } from '../../app/feeds.js';
import { OperationalError, UserError } from '../../core/errors.js';
// feed-urls imports nothing (cheap), and SYNC_FEEDS is needed to register `feeds sync` (its help text).
import { isSyncFeed, SYNC_FEEDS, type SyncFeed } from '../../adapters/feeds/feed-urls.js';
import type { CliContext } from '../context.js';
import { printJson, printTable, progress } from '../output.js';
import { safeText } from '../safe-text.js';

/** Registers `patchwise feeds import | status | sync`. */
export function register(program: Command, ctx: CliContext): void {
  const feeds = program
    .command('feeds')
    .description(
      'Vulnerability and risk feeds: OSV, Debian security tracker, CISA KEV, FIRST EPSS, distro end-of-life.',
    )
    .addHelpText('after', '\nOffline start: patchwise feeds import feeds/snapshot\nDocs: docs/feeds.md');
  registerImport(feeds, ctx);
  registerStatus(feeds, ctx);
  registerSync(feeds, ctx);
}

// The limits' table is static text (help must not load the feed readers): keep it in step with feed-limits.ts.
const LIMITS_HELP = `  PATCHWISE_LIMIT_FEED_ENTRY_BYTES   bytes of one file or zip entry        (default 256M)
  PATCHWISE_LIMIT_FEED_TOTAL_BYTES   bytes decompressed from one archive   (default 1G)
  PATCHWISE_LIMIT_FEED_ENTRIES       entries in one zip archive            (default 500000)
  PATCHWISE_LIMIT_JSON_DEPTH         nesting levels of one JSON document   (default 64)
  PATCHWISE_LIMIT_LINE_LENGTH        characters in one CSV line            (default 64k)`;

function registerImport(feeds: Command, ctx: CliContext): void {
  feeds
    .command('import')
    .description('Import feed files or directories; formats are told by content, not by name.')
    .argument('<paths...>', 'files or directories')
    .option('--json', 'print the summary as JSON')
    .option('--replace', 'let the import shrink a stored source to less than half of its records')
    .addHelpText(
      'after',
      `
Formats: OSV all.zip / OSV JSON records / a directory of them; Debian security tracker JSON; CISA KEV JSON;
FIRST EPSS CSV (also .csv.gz); distro-info-data debian.csv / ubuntu.csv.

Examples:
  patchwise feeds import feeds/snapshot                   the offline snapshot shipped with patchwise
  patchwise feeds import Debian-12-all.zip kev.json epss_scores-current.csv.gz
  patchwise feeds import ./osv-records/                   a directory of OSV records is one import

Everything is read and validated first; then each source's rows are replaced in one transaction. A
broken file ends with an error naming the file, record and field, and the stored data stays as it was.
Importing a source replaces all of its rows; an import that would leave a stored source with less than
half of its records is refused unless --replace is given.

Only regular files are read (a FIFO or device is refused). Reading is bounded; past a limit the import
stops with an error naming it. Raise a limit through its environment variable (k, M, G suffixes allowed):
${LIMITS_HELP}

Exit code 2 for a broken or unrecognised file, a special file, or input past a limit.`,
    )
    .action(async (paths: string[], opts: { json?: boolean; replace?: boolean }) => {
      const { importFeeds } = await import('../../app/feeds.js');
      const { feedLimitsFromEnv } = await import('../../adapters/feeds/feed-limits.js');
      const limits = feedLimitsFromEnv(ctx.env);
      const store = await ctx.openStore();
      const bar = progress('feeds import');
      let result: ImportResult;
      try {
        result = await importFeeds(store, paths, {
          limits,
          ...(opts.replace ? { replace: true } : {}),
          onProgress: (label, done, total) => bar.update(done ?? 0, total, safeText(label)),
        });
      } catch (e) {
        throw escaped(e);
      } finally {
        bar.done();
      }
      for (const n of result.notes) process.stderr.write(`note: ${safeText(n)}\n`);
      if (opts.json) printJson(result);
      else printImport(result.sources, result.seconds);
    });
}

function printImport(sources: SourceSummary[], seconds: number): void {
  printTable(sources, [
    { header: 'SOURCE', get: (s) => safeText(s.source) },
    { header: 'RECORDS', get: (s) => s.records, align: 'right' },
    { header: 'UNUSABLE', get: (s) => s.unusable, align: 'right' },
    { header: 'DATA DATE', get: (s) => safeText(s.dataDate?.slice(0, 10) ?? '') },
    { header: 'UNUSABLE REASONS', get: (s) => safeText(reasons(s.unusableReasons)), max: 80 },
  ]);
  process.stderr.write(`imported ${sources.length} source(s) in ${seconds.toFixed(1)} s\n`);
}

/** Feed text reaches error messages (KEV ids, zip entry names, CSV excerpts): escape it for the terminal. */
function escaped(e: unknown): unknown {
  if (e instanceof UserError)
    return new UserError(e.code, safeText(e.message), e.hint && safeText(e.hint), { cause: e.cause });
  if (e instanceof OperationalError)
    return new OperationalError(e.code, safeText(e.message), e.hint && safeText(e.hint), { cause: e.cause });
  return e;
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join('; ');
}

function registerStatus(feeds: Command, ctx: CliContext): void {
  feeds
    .command('status')
    .description('Show every imported feed source: records, unusable records, data date, age, origin.')
    .option('--json', 'print the sources as JSON')
    .addHelpText(
      'after',
      "\nExamples:\n  patchwise feeds status\n  patchwise feeds status --json | jq '.[] | select(.ageDays > 7)'",
    )
    .action(async (opts: { json?: boolean }) => {
      const { feedStatus } = await import('../../app/feeds.js');
      const rows = await feedStatus(await ctx.openStore(), new Date());
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stderr.write('No feeds imported yet. Start with: patchwise feeds import feeds/snapshot\n');
        return;
      }
      printTable(rows, [
        { header: 'SOURCE', get: (r) => safeText(r.source) },
        { header: 'KIND', get: (r) => r.kind },
        { header: 'RECORDS', get: (r) => r.records, align: 'right' },
        { header: 'UNUSABLE', get: (r) => r.unusable, align: 'right' },
        { header: 'DATA DATE', get: (r) => safeText(r.dataDate?.slice(0, 10) ?? '-') },
        { header: 'AGE', get: (r) => `${Math.floor(r.ageDays)}d`, align: 'right' },
        { header: 'LAST IMPORT', get: (r) => r.importedAt.slice(0, 16).replace('T', ' ') },
        { header: 'ORIGIN', get: (r) => safeText(r.origin), max: 60 },
      ]);
    });
}

interface SyncCliOptions {
  only?: string;
  url: string[];
  timeout: string;
  json?: boolean;
  replace?: boolean;
}

function registerSync(feeds: Command, ctx: CliContext): void {
  feeds
    .command('sync')
    .description('Download the official feeds (conditional requests, cached) and import what changed.')
    .option('--only <feeds>', `comma-separated subset of ${SYNC_FEEDS.join(',')}`)
    .option(
      '--url <name=url>',
      'override a download (kev, epss, debian-tracker, eol:debian, eol:ubuntu, osv (base), osv:<Ecosystem>)',
      collect,
      [],
    )
    .option('--timeout <seconds>', 'give up on one download after this long', '300')
    .option('--json', 'print one result per download as JSON')
    .option('--replace', 'accept a download that shrinks a stored source to less than half of its records')
    .addHelpText(
      'after',
      `
OSV is fetched for the ecosystems of the scanned hosts (Debian:12 when none); the Debian tracker for their
Debian releases. Files are cached in <data dir>/feed-cache with their ETag/Last-Modified, so an unchanged
feed costs one 304. A failed or broken download never replaces imported data; the other feeds still sync.
A download that would leave a stored source with less than half of its records fails (a truncated mirror
looks like that) unless --replace is given. Downloads are read within the same limits as feeds import.

Examples:
  patchwise feeds sync
  patchwise feeds sync --only kev,epss
  patchwise feeds sync --url kev=https://mirror.example/kev.json --url osv=https://mirror.example/osv

Exit code 3 when any download failed (the table says which).`,
    )
    .action(async (opts: SyncCliOptions) => {
      const { syncFeeds } = await import('../../app/feeds.js');
      const { feedLimitsFromEnv } = await import('../../adapters/feeds/feed-limits.js');
      const limits = feedLimitsFromEnv(ctx.env);
      const store = await ctx.openStore();
      const bar = progress('feeds sync');
      let results: SyncResult[];
      try {
        results = await syncFeeds(store, ctx.dataDir, {
          ...(opts.only ? { only: parseOnly(opts.only) } : {}),
          urls: parseUrls(opts.url),
          timeoutMs: parseTimeout(opts.timeout),
          limits,
          ...(opts.replace ? { replace: true } : {}),
          onProgress: (label) => bar.update(0, undefined, label),
        });
      } finally {
        bar.done();
      }
      if (opts.json) printJson(results);
      else printSync(results);
      const failed = results.filter((r) => r.status === 'failed');
      if (failed.length > 0) {
        throw new OperationalError(
          'feed-sync',
          `${failed.length} of ${results.length} downloads failed: ${failed.map((f) => f.name).join(', ')}.`,
          'The data from earlier imports is unchanged; run the sync again later.',
        );
      }
    });
}

function printSync(results: SyncResult[]): void {
  printTable(results, [
    { header: 'FEED', get: (r) => safeText(r.name) },
    { header: 'STATUS', get: (r) => r.status },
    { header: 'RECORDS', get: (r) => r.sources?.reduce((n, s) => n + s.records, 0), align: 'right' },
    { header: 'DETAIL', get: (r) => safeText(r.detail ?? r.url), max: 100 },
  ]);
}

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

function parseOnly(s: string): SyncFeed[] {
  const names = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !isSyncFeed(n));
  if (bad.length > 0)
    throw new UserError(
      'feeds-usage',
      `Unknown feed(s) in --only: ${bad.join(', ')}.`,
      `Choose from ${SYNC_FEEDS.join(', ')}.`,
    );
  return names as SyncFeed[];
}

function parseUrls(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    const name = p.slice(0, i);
    const url = p.slice(i + 1);
    if (i <= 0 || !/^https?:\/\//.test(url)) {
      throw new UserError(
        'feeds-usage',
        `--url ${p}: expected NAME=URL with an http(s) URL.`,
        'Example: --url kev=https://mirror.example/kev.json',
      );
    }
    out[name] = url;
  }
  return out;
}

function parseTimeout(s: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError('feeds-usage', `--timeout ${s}: expected a positive number of seconds.`);
  return n * 1000;
}
