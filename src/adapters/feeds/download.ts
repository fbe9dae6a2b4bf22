import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { OperationalError, UserError } from '../../core/errors.js';
import { DEFAULT_FEED_LIMITS, limitError, type FeedLimits } from './feed-limits.js';

/** What the cache remembers about one URL, to ask the server "changed since?". */
export interface CacheMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
  bytes: number;
}

/** A finished download waiting for its content to be validated and imported. */
export interface Downloaded {
  status: 'downloaded';
  /** The temporary file holding the new body. */
  file: string;
  /** `Last-Modified` of the response, when the server sent one. */
  lastModified?: string;
  /** Moves the new body into the cache and records its validators; call after a successful import. */
  commit(): void;
  /** Deletes the temporary file; the cache keeps the previous body. */
  discard(): void;
}

export type DownloadResult = { status: 'not-modified'; file: string } | Downloaded;

export interface DownloadOptions {
  /** `<data dir>/feed-cache` */
  cacheDir: string;
  /** Whole request, body included. */
  timeoutMs: number;
  userAgent?: string;
  /** The body (after any Content-Encoding) may not pass `entryBytes`; default the built-in limits. */
  limits?: FeedLimits;
}

/**
 * Downloads `url` with a conditional request (`If-None-Match` / `If-Modified-Since` from the cache's
 * previous response) into a temporary file beside the cache. A 304 returns the cached file's path and
 * changes nothing. Nothing replaces the cached body until the caller commits.
 *
 * @throws OperationalError `feed-download` on network errors, timeouts, non-2xx answers and short bodies;
 *   UserError `feed-limit` for a body larger than the feed-entry-bytes limit (the download stops there).
 */
export async function conditionalDownload(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  fs.mkdirSync(opts.cacheDir, { recursive: true, mode: 0o700 });
  const key = createHash('sha256').update(url).digest('hex').slice(0, 24);
  const dataFile = path.join(opts.cacheDir, `${key}.data`);
  const metaFile = path.join(opts.cacheDir, `${key}.json`);
  const prev = fs.existsSync(dataFile) ? readMeta(metaFile) : undefined;
  const res = await request(url, prev, opts);
  if (res.status === 304 && prev) {
    await res.body?.cancel();
    return { status: 'not-modified', file: dataFile };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw fail(url, `the server answered ${res.status} ${res.statusText}`);
  }
  const tmp = path.join(opts.cacheDir, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const bytes = await save(res, tmp, url, opts.limits ?? DEFAULT_FEED_LIMITS);
  const meta: CacheMeta = { url, fetchedAt: new Date().toISOString(), bytes };
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  if (etag) meta.etag = etag;
  if (lastModified) meta.lastModified = lastModified;
  return {
    status: 'downloaded',
    file: tmp,
    ...(lastModified ? { lastModified } : {}),
    commit() {
      fs.renameSync(tmp, dataFile);
      const metaTmp = `${metaFile}.tmp-${process.pid}`;
      fs.writeFileSync(metaTmp, JSON.stringify(meta, null, 2));
      fs.renameSync(metaTmp, metaFile);
    },
    discard() {
      fs.rmSync(tmp, { force: true });
    },
  };
}

/** Connection-level failures worth one retry: mostly a kept-alive socket the server closed meanwhile. */
const RETRYABLE = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function request(url: string, prev: CacheMeta | undefined, opts: DownloadOptions): Promise<Response> {
  const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'patchwise' };
  if (prev?.etag) headers['if-none-match'] = prev.etag;
  if (prev?.lastModified) headers['if-modified-since'] = prev.lastModified;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { headers, signal, redirect: 'follow' });
    } catch (e) {
      const code = (e as { cause?: { code?: string } })?.cause?.code;
      if (attempt < 2 && code && RETRYABLE.has(code)) continue;
      throw fail(url, reason(e, opts.timeoutMs), e);
    }
  }
}

/** Streams the body to `tmp`, checking it against Content-Length; removes `tmp` on any failure. */
async function save(res: Response, tmp: string, url: string, limits: FeedLimits): Promise<number> {
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limits.entryBytes) done(limitError('entryBytes', limits, url, 'the download'));
      else done(null, chunk);
    },
  });
  try {
    const body = Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
    await pipeline(body, count, fs.createWriteStream(tmp, { mode: 0o600 }));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof UserError) throw e;
    throw fail(url, `the download broke off after ${bytes} bytes (${reason(e, 0)})`, e);
  }
  const expected = Number(res.headers.get('content-length') ?? NaN);
  // A compressed transfer changes the length on the wire; only plain bodies can be checked exactly.
  if (Number.isFinite(expected) && !res.headers.get('content-encoding') && bytes !== expected) {
    fs.rmSync(tmp, { force: true });
    throw fail(url, `the body is truncated: ${bytes} of ${expected} bytes`);
  }
  return bytes;
}

function readMeta(file: string): CacheMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CacheMeta;
  } catch {
    return undefined;
  }
}

function reason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  if (err?.name === 'TimeoutError') return `no complete answer within ${Math.round(timeoutMs / 1000)} s`;
  return [err?.message, err?.cause?.code ?? err?.cause?.message].filter(Boolean).join(': ') || String(e);
}

function fail(url: string, why: string, cause?: unknown): OperationalError {
  return new OperationalError(
    'feed-download',
    `Downloading ${url} failed: ${why}.`,
    'Check the network or proxy and try again; the data already imported is unchanged.',
    { cause },
  );
}
