import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, SNAPSHOT, tempDir, type CliResult } from './helpers/cli.js';

/** runCli blocks the event loop; the server lives in this process, so spawn asynchronously. */
function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

type Mode = 'ok' | 'error-500' | 'truncate' | 'hang';
interface Served {
  body: Buffer;
  mode: Mode;
}

const data = (p: string) => fs.readFileSync(p);
const files: Record<string, Served> = {
  '/osv/Debian:12/all.zip': { body: data(path.join(SNAPSHOT, 'debian-12-osv.zip')), mode: 'ok' },
  '/tracker.json': { body: data(path.join(FIXTURES, 'advisories/debian-tracker-bookworm.json')), mode: 'ok' },
  '/kev.json': { body: data(path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json')), mode: 'ok' },
  '/epss.csv.gz': {
    body: Buffer.from(gzipSync(data(path.join(SNAPSHOT, 'epss_scores-sample-head100.csv')))),
    mode: 'ok',
  },
  '/debian.csv': { body: data(path.join(SNAPSHOT, 'debian.csv')), mode: 'ok' },
  '/ubuntu.csv': { body: data(path.join(SNAPSHOT, 'ubuntu.csv')), mode: 'ok' },
};
const requests: { path: string; status: number }[] = [];

function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  const f = files[decodeURIComponent(req.url ?? '')];
  const reply = (status: number, headers: http.OutgoingHttpHeaders = {}) => {
    requests.push({ path: req.url ?? '', status });
    res.writeHead(status, headers);
  };
  if (!f) return void (reply(404), res.end());
  if (f.mode === 'error-500') return void (reply(500), res.end('boom'));
  if (f.mode === 'hang') return void requests.push({ path: req.url ?? '', status: 0 });
  const etag = `"${createHash('sha1').update(f.body).digest('hex')}"`;
  if (req.headers['if-none-match'] === etag) return void (reply(304, { etag }), res.end());
  reply(200, { etag, 'content-length': f.body.length, 'last-modified': 'Mon, 24 Nov 2026 10:00:00 GMT' });
  if (f.mode === 'truncate') {
    res.write(f.body.subarray(0, Math.floor(f.body.length / 2)));
    return void setTimeout(() => res.destroy(), 50);
  }
  res.end(f.body);
}

describe('patchwise feeds sync against a local HTTP server', () => {
  const server = http.createServer(serve);
  const dataDir = tempDir();
  let urls: string[];
  let base: string;
  const sync = (...extra: string[]) =>
    runCliAsync(['-d', dataDir, 'feeds', 'sync', '--json', ...urls, ...extra]);
  const syncWith = (env: Record<string, string>, ...extra: string[]) =>
    runCliAsync(['-d', dataDir, 'feeds', 'sync', '--json', ...urls, ...extra], env);
  const status = async () => {
    const r = await runCliAsync(['-d', dataDir, 'feeds', 'status', '--json']);
    return JSON.parse(r.stdout) as { source: string; records: number; importedAt: string }[];
  };
  const results = (r: CliResult) =>
    Object.fromEntries(
      (JSON.parse(r.stdout) as { name: string; status: string }[]).map((x) => [x.name, x.status]),
    );

  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    urls = [
      `osv=${base}/osv`,
      `debian-tracker=${base}/tracker.json`,
      `kev=${base}/kev.json`,
      `epss=${base}/epss.csv.gz`,
      `eol:debian=${base}/debian.csv`,
      `eol:ubuntu=${base}/ubuntu.csv`,
    ].flatMap((u) => ['--url', u]);
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('downloads and imports everything on the first sync', async () => {
    const r = await sync();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(results(r)).toEqual({
      'osv:Debian:12': 'ok',
      'debian-tracker': 'ok',
      kev: 'ok',
      epss: 'ok',
      'eol:debian': 'ok',
      'eol:ubuntu': 'ok',
    });
    const byName = Object.fromEntries((await status()).map((s) => [s.source, s]));
    expect(byName['osv:Debian:12']?.records).toBe(9760);
    expect(byName['debian-tracker:bookworm']?.records).toBe(9760);
    expect(byName.kev?.records).toBe(1404);
    expect(byName.epss?.records).toBe(100);
    expect(fs.readdirSync(path.join(dataDir, 'feed-cache')).filter((f) => f.endsWith('.data'))).toHaveLength(
      6,
    );
  });

  it('gets 304s on the second sync and changes nothing', async () => {
    const before = await status();
    requests.length = 0;
    const r = await sync();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(new Set(Object.values(results(r)))).toEqual(new Set(['not-modified']));
    expect(requests.every((q) => q.status === 304)).toBe(true);
    expect(await status()).toEqual(before);
  });

  it.each([
    ['a 500 answer', 'error-500' as Mode, /answered 500/],
    ['a truncated body', 'truncate' as Mode, /broke off|truncated/],
  ])('keeps the data when the server sends %s', async (_n, mode, detail) => {
    const before = await status();
    const kev = files['/kev.json']!;
    const original = kev.body;
    kev.body = Buffer.from(original.toString().replace('"2025.08.25"', '"2025.08.26"'));
    kev.mode = mode;
    try {
      const r = await sync('--only', 'kev,epss');
      expect(r.code).toBe(3);
      expect(results(r)).toEqual({ kev: 'failed', epss: 'not-modified' });
      expect(r.stdout).toMatch(detail);
      expect(r.stderr).toContain('1 of 2 downloads failed: kev');
      expect(await status()).toEqual(before);
      expect(fs.readdirSync(path.join(dataDir, 'feed-cache')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      kev.body = original;
      kev.mode = 'ok';
    }
  });

  it('keeps the data when a complete download is not a valid feed', async () => {
    const before = await status();
    const zip = files['/osv/Debian:12/all.zip']!;
    const original = zip.body;
    zip.body = original.subarray(0, 100_000);
    try {
      const r = await sync('--only', 'osv');
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/the zip archive is truncated or corrupt/);
      expect(await status()).toEqual(before);
    } finally {
      zip.body = original;
    }
    // The cache still holds the good copy: the next request is conditional and answered 304.
    const again = await sync('--only', 'osv');
    expect(results(again)).toEqual({ 'osv:Debian:12': 'not-modified' });
  });

  it('gives up on a server that does not answer, after --timeout', async () => {
    files['/debian.csv']!.mode = 'hang';
    try {
      const r = await sync('--only', 'eol', '--timeout', '1');
      expect(r.code).toBe(3);
      expect(results(r)).toEqual({ 'eol:debian': 'failed', 'eol:ubuntu': 'not-modified' });
      expect(r.stdout).toMatch(/no complete answer within 1 s/);
    } finally {
      files['/debian.csv']!.mode = 'ok';
    }
  });

  it('stops a download past the feed-entry-bytes limit and keeps the data', async () => {
    const before = await status();
    const kev = files['/kev.json']!;
    const original = kev.body;
    kev.body = Buffer.from(original.toString().replace('"2025.08.25"', '"2025.08.27"'));
    try {
      const r = await syncWith({ PATCHWISE_LIMIT_FEED_ENTRY_BYTES: '64k' }, '--only', 'kev');
      expect(r.code).toBe(3);
      expect(results(r)).toEqual({ kev: 'failed' });
      expect(r.stdout).toMatch(
        /the download went past the feed-entry-bytes limit \(64k .*PATCHWISE_LIMIT_FEED_ENTRY_BYTES=/,
      );
      expect(await status()).toEqual(before);
      expect(fs.readdirSync(path.join(dataDir, 'feed-cache')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      kev.body = original;
    }
  });

  it('fails a download that would halve a source, unless --replace', async () => {
    const before = await status();
    const zip = files['/osv/Debian:12/all.zip']!;
    const original = zip.body;
    const entries = unzipSync(original);
    zip.body = Buffer.from(zipSync(Object.fromEntries(Object.entries(entries).slice(0, 10))));
    try {
      const r = await sync('--only', 'osv');
      expect(r.code).toBe(3);
      expect(results(r)).toEqual({ 'osv:Debian:12': 'failed' });
      expect(r.stdout).toMatch(/would shrink osv:Debian:12 from 9760 to \d+ records.*--replace/);
      expect(await status()).toEqual(before);
      const replaced = await sync('--only', 'osv', '--replace');
      expect(results(replaced)).toEqual({ 'osv:Debian:12': 'ok' });
      expect((await status()).find((s) => s.source === 'osv:Debian:12')?.records).toBeLessThan(100);
    } finally {
      zip.body = original;
    }
    // Back to the full export: growing needs no flag.
    expect(results(await sync('--only', 'osv'))).toEqual({ 'osv:Debian:12': 'ok' });
  });
});
