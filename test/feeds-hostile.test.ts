import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEED_LIMITS, limitEnvName, size } from '../src/adapters/feeds/feed-limits.js';
import { runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

const ZIP = path.join(SNAPSHOT, 'debian-12-osv.zip');
const KEV = path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json');

interface Status {
  source: string;
  records: number;
}

function status(dataDir: string): Status[] {
  const r = runCli(['-d', dataDir, 'feeds', 'status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Status[]).map(({ source, records }) => ({ source, records }));
}

const OSV = (id: string) => ({
  id,
  modified: '2025-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'Debian:12', name: 'x' }, versions: ['1.0-1'] }],
});

/** Hostile and broken input (issue 11): refused early, with exit 2, the input and the limit named. */
describe('patchwise feeds import: hostile input', () => {
  const dataDir = tempDir();
  const dir = tempDir();
  let before: Status[];
  beforeAll(() => {
    expect(runCli(['-d', dataDir, 'feeds', 'import', ZIP, KEV]).code).toBe(0);
    before = status(dataDir);
  });
  const write = (name: string, data: string | Uint8Array) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };
  const refused = (args: string[], message: RegExp, env: Record<string, string> = {}) => {
    const r = runCli(['-d', dataDir, 'feeds', 'import', ...args], { env, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(status(dataDir)).toEqual(before);
    return r.stderr;
  };

  it('stops a zip bomb while inflating, at the per-entry limit', () => {
    // 8 MiB of one byte deflates to ~8 KiB; the limit is set to 1 MiB so the test stays small and fast.
    const bomb = write(
      'bomb.zip',
      zipSync({ 'B0.json': new Uint8Array(8 * 2 ** 20).fill(65) }, { level: 9 }),
    );
    expect(fs.statSync(bomb).size).toBeLessThan(64 * 1024);
    const err = refused(
      [bomb],
      /bomb\.zip:B0\.json: decompressing the entry went past the feed-entry-bytes limit \(1M/,
      {
        PATCHWISE_LIMIT_FEED_ENTRY_BYTES: '1M',
      },
    );
    expect(err).toContain(
      'hint: If the file is genuine, raise the limit, e.g. PATCHWISE_LIMIT_FEED_ENTRY_BYTES=4M',
    );
  });

  it('stops at the total and the entry-count limits', () => {
    const entries = Object.fromEntries(
      // Valid records padded with 1 MiB of white space: each passes alone, together they pass 4 MiB.
      Array.from({ length: 12 }, (_, k) => [
        `B${k}.json`,
        strToU8(JSON.stringify(OSV(`DEBIAN-CVE-2099-1${k}`)) + ' '.repeat(2 ** 20)),
      ]),
    );
    const many = write('many.zip', zipSync(entries, { level: 9 }));
    refused(
      [many],
      /many\.zip:B\d+\.json: decompressing the archive went past the feed-total-bytes limit \(4M/,
      {
        PATCHWISE_LIMIT_FEED_TOTAL_BYTES: '4M',
      },
    );
    refused(
      [many],
      /many\.zip: counting the entries of the archive \(12\) went past the feed-entries limit \(5 /,
      {
        PATCHWISE_LIMIT_FEED_ENTRIES: '5',
      },
    );
  });

  it('stops a gzip bomb', () => {
    const gz = spawnSync('gzip', ['-c'], { input: Buffer.alloc(4 * 2 ** 20, 'cve,epss,percentile\n') });
    const file = write('scores.csv.gz', gz.stdout);
    refused([file], /scores\.csv\.gz: decompressing the gzip body went past the feed-entry-bytes limit/, {
      PATCHWISE_LIMIT_FEED_ENTRY_BYTES: '1M',
    });
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = path.join(dir, 'pipe.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    refused([fifo], /pipe\.json: a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a FIFO inside a directory of feeds', () => {
    const sub = tempDir();
    fs.writeFileSync(path.join(sub, 'a.json'), JSON.stringify(OSV('DEBIAN-CVE-2099-0001')));
    expect(spawnSync('mkfifo', [path.join(sub, 'b.json')]).status).toBe(0);
    refused([sub], /b\.json: a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses /dev/zero', () => {
    refused(['/dev/zero'], /\/dev\/zero: a character device, not a regular file/);
  });

  it('reports a symlink loop as a loop, not as a missing file', () => {
    fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
    refused([path.join(dir, 'loop-a')], /loop-a: a symbolic link loop/);
  });

  it('refuses JSON nested 6,000 levels with a sentence', () => {
    const deep = write('deep.json', '['.repeat(6000) + ']'.repeat(6000));
    refused([deep], /deep\.json: the nesting of arrays and objects went past the json-depth limit \(64 /);
    const inZip = write(
      'deep.zip',
      zipSync({ 'D.json': strToU8(`{"id":"X","affected":${'['.repeat(6000)}`) }),
    );
    refused([inZip], /deep\.zip:D\.json: the nesting .* json-depth limit/);
  });

  it('refuses an OSV record with invalid UTF-8, naming the entry and the byte', () => {
    const good = strToU8(JSON.stringify({ ...OSV('DEBIAN-CVE-2099-0002'), summary: 'caf\u00e9' }));
    const bad = good.slice();
    bad[bad.indexOf(0xc3)] = 0xff;
    const file = write('utf8.zip', zipSync({ 'DEBIAN-CVE-2099-0002.json': bad }));
    refused([file], /utf8\.zip:DEBIAN-CVE-2099-0002\.json: not valid UTF-8 \(byte \d+\)/);
  });

  it('refuses an overlong CSV line, naming the line', () => {
    const file = write('long.csv', `cve,epss,percentile\nCVE-2024-0001,0.1,0.2\n${'9'.repeat(100_000)}\n`);
    refused([file], /long\.csv: line 3: the line \(100000 characters\) went past the line-length limit/);
  });

  it('escapes terminal control characters from feeds in errors', () => {
    const kev = JSON.parse(fs.readFileSync(KEV, 'utf8')) as { vulnerabilities: { cveID: string }[] };
    kev.vulnerabilities[0]!.cveID = 'CVE-\x1b]0;owned\x07\x1b[2J';
    const err = refused([write('esc-kev.json', JSON.stringify(kev))], /\(CVE-\\x1b\]0;owned\\x07\\x1b\[2J\)/);
    expect(err).not.toContain('\x1b');
    const zip = write('esc.zip', zipSync({ 'A\x1b[31m.json': strToU8('{') }));
    const err2 = refused([zip], /esc\.zip:A\\x1b\[31m\.json: invalid JSON/);
    expect(err2).not.toContain('\x1b');
  });

  it('refuses a bad limit value', () => {
    refused([KEV], /PATCHWISE_LIMIT_JSON_DEPTH="deep": expected a positive whole number/, {
      PATCHWISE_LIMIT_JSON_DEPTH: 'deep',
    });
  });

  it('lists every limit with its variable and default in --help', () => {
    const help = runCli(['feeds', 'import', '--help']);
    // The help's table is static text (help loads no feed code): it must match feed-limits.ts.
    for (const l of FEED_LIMITS)
      expect(help.stdout).toMatch(new RegExp(`${limitEnvName(l.key)} .*\\(default ${size(l.def)}\\)`));
    expect(help.stdout).toContain('--replace');
  });
});

describe('patchwise feeds import: a source shrinking by more than half', () => {
  it('is refused unless --replace is given', () => {
    const dataDir = tempDir();
    expect(runCli(['-d', dataDir, 'feeds', 'import', ZIP]).code).toBe(0);
    const before = status(dataDir);
    const one = path.join(tempDir(), 'one.json');
    fs.writeFileSync(one, JSON.stringify(OSV('DEBIAN-CVE-2099-0003')));
    const r = runCli(['-d', dataDir, 'feeds', 'import', one]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('would shrink osv:Debian:12 from 9760 to 1 records; nothing was changed');
    expect(r.stderr).toContain('run again with --replace');
    expect(status(dataDir)).toEqual(before);
    const ok = runCli(['-d', dataDir, 'feeds', 'import', '--replace', one]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(status(dataDir)).toEqual([{ source: 'osv:Debian:12', records: 1 }]);
    // Growing again needs no flag.
    expect(runCli(['-d', dataDir, 'feeds', 'import', ZIP]).code).toBe(0);
  });
});
