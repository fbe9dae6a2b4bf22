import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedRecordId, type InstalledPackage } from './host-state.js';
import { DpkgQueryParser, parseDpkgQuery } from './parse-dpkg-query.js';
import { checkPackage, excerpt, lineProblem, MAX_ISSUES } from './parse-dpkg-status.js';

const line = (...f: string[]) => f.join('\t');

describe('parseDpkgQuery', () => {
  it('reads installed lines, keeps source names and versions, skips removed packages', () => {
    const text = [
      line('bash', '5.2.15-2+b7', 'bash', '5.2.15-2', 'amd64', 'ii '),
      line('libc6', '2.36-9+deb12u10', 'glibc', '2.36-9+deb12u10', 'amd64', 'hi '),
      line('adduser', '3.134', 'adduser', '3.134', 'all', 'ii '),
      line('old', '1.0-1', 'old', '1.0-1', 'amd64', 'rc '),
      '',
    ].join('\n');
    const r = parseDpkgQuery(text);
    expect(r.issues).toEqual([]);
    expect(r.packages).toEqual([
      { name: 'bash', version: '5.2.15-2+b7', source: 'bash', sourceVersion: '5.2.15-2', arch: 'amd64' },
      { name: 'libc6', version: '2.36-9+deb12u10', source: 'glibc', arch: 'amd64' },
      { name: 'adduser', version: '3.134', source: 'adduser', arch: 'all' },
    ]);
  });

  it.each([
    ['too few fields', 'bash\t5.2', /expected 6/],
    ['too many fields', line('a', 'b', 'c', 'd', 'e', 'f', 'g'), /expected 6/],
    ['shell metacharacters', line('x$(id)', '1', 'x', '1', 'amd64', 'ii '), /invalid package name/],
    ['pipe in a version', line('ok', '1|reboot', 'ok', '1', 'amd64', 'ii '), /invalid version/],
    ['bad architecture', line('ok', '1', 'ok', '1', 'amd64;id', 'ii '), /invalid architecture/],
    ['binary bytes', line('ok\x07', '1', 'ok', '1', 'amd64', 'ii '), /control or binary/],
    ['absurdly long line', 'x'.repeat(100_000), /limit/],
  ])('records %s as an issue', (_n, bad, re) => {
    const r = parseDpkgQuery(
      `${bad}\n${line('zlib1g', '1:1.2.13.dfsg-1', 'zlib', '1:1.2.13.dfsg-1', 'amd64', 'ii ')}\n`,
    );
    expect(r.packages.map((p) => p.name)).toEqual(['zlib1g']);
    expect(r.issues[0]?.message).toMatch(re);
  });

  it('survives empty and binary input', () => {
    expect(parseDpkgQuery('').issues[0]?.message).toMatch(/empty/);
    const bin = String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(() => parseDpkgQuery(bin)).not.toThrow();
    expect(parseDpkgQuery(bin).packages).toEqual([]);
  });

  it('reads bytes as it reads text, and shares one frozen record per distinct line', () => {
    const text = `${line('bash', '5.2.15-2+b7', 'bash', '5.2.15-2', 'amd64', 'ii ')}\n`;
    const parser = new DpkgQueryParser();
    const fromText = parser.parse(text).packages[0]!;
    const fromBytes = parser.parse(new TextEncoder().encode(text)).packages[0]!;
    expect(fromBytes).toBe(fromText);
    // Another parser (another run) shares nothing with this one.
    expect(parseDpkgQuery(text).packages[0]).not.toBe(fromText);
    expect(parseDpkgQuery(text).packages[0]).toEqual(fromText);
    expect(Object.isFrozen(fromText)).toBe(true);
    // Numbered once, invisibly: JSON, spreads and keys see only the package's fields.
    const other = parseDpkgQuery(`${line('zsh', '5.9-4', 'zsh', '5.9-4', 'amd64', 'ii ')}\n`).packages[0]!;
    expect(sharedRecordId(fromText)).toBeTypeOf('number');
    expect(sharedRecordId(other)).not.toBe(sharedRecordId(fromText));
    expect(Object.keys(fromText)).toEqual(['name', 'version', 'source', 'sourceVersion', 'arch']);
    expect(sharedRecordId({ ...fromText })).toBeUndefined();
    expect(JSON.parse(JSON.stringify(fromText))).toEqual({ ...fromText });
    expect(fromText).toEqual({
      name: 'bash',
      version: '5.2.15-2+b7',
      source: 'bash',
      sourceVersion: '5.2.15-2',
      arch: 'amd64',
    });
  });

  it('sends non-ASCII and undecodable bytes to the checked path', () => {
    const utf8 = parseDpkgQuery(`${line('caf\u00e9', '1', 'caf\u00e9', '1', 'amd64', 'ii ')}\n`);
    expect(utf8.packages).toEqual([]);
    expect(utf8.issues[0]?.message).toMatch(/invalid package name "caf\u00e9"/);
    const bytes = new TextEncoder().encode(`${line('ok', '1', 'ok', '1', 'amd64', 'ii ')}\n`);
    bytes[1] = 0xff;
    const bad = parseDpkgQuery(bytes);
    expect(bad.packages).toEqual([]);
    expect(bad.issues[0]?.message).toMatch(/control or binary/);
  });

  it('stays exact past the line table capacity (it is cleared, then refilled)', () => {
    const n = 70_000;
    const lines = Array.from({ length: n }, (_, i) =>
      line(`p${i}`, `1.${i}-1`, `s${i % 977}`, `1.${i}-1`, 'amd64', 'ii '),
    );
    const text = lines.join('\n');
    for (let round = 0; round < 2; round++) {
      const r = parseDpkgQuery(text);
      expect(r.issues).toEqual([]);
      expect(r.packages).toHaveLength(n);
      expect(
        r.packages.every(
          (p, i) => p.name === `p${i}` && p.version === `1.${i}-1` && p.source === `s${i % 977}`,
        ),
      ).toBe(true);
    }
  });

  it('tells apart lines that differ in one byte of any field', () => {
    const base = ['libssl3', '3.0.15-1~deb12u1', 'openssl', '3.0.15-1~deb12u2', 'amd64'];
    const variants = [
      base,
      ...base.flatMap((_f, k) => ['0', 'a', '+'].map((c) => base.map((g, j) => (j === k ? `${g}${c}` : g)))),
    ];
    // Every variant twice, interleaved, so the second sight of each comes from the line table.
    for (const f of [...variants, ...variants]) {
      const r = parseDpkgQuery(`${line(...f, 'ii ')}\n`);
      if (r.issues.length > 0) continue; // a variant the grammar refuses (e.g. a bad architecture)
      expect(r.packages).toEqual([
        { name: f[0], version: f[1], source: f[2], sourceVersion: f[3], arch: f[4] },
      ]);
    }
  });

  it('judges a repeated line once, and reports each of its issues at its own line', () => {
    const good = line('bash', '5.2.15-2+b7', 'bash', '5.2.15-2', 'amd64', 'ii ');
    const held = line('bash', '5.2.15-2+b7', 'bash', '5.2.15-2', 'amd64', 'hi ');
    const removed = line('old', '1.0-1', 'old', '1.0-1', 'amd64', 'rc ');
    const bad = line('x$(id)', '1', 'x', '1', 'amd64', 'ii ');
    const long = `${good}${'x'.repeat(70_000)}`;
    const text = [good, bad, removed, held, bad, long, good, removed, long, ''].join('\n');
    for (let round = 0; round < 2; round++) {
      const r = parseDpkgQuery(text);
      expect(r.packages.map((p) => p.name)).toEqual(['bash', 'bash', 'bash']);
      expect(r.packages[0]).toBe(r.packages[2]);
      expect(r.packages[1]).toEqual(r.packages[0]);
      expect(r.issues.map((i) => [i.line, i.message.slice(0, 24)])).toEqual([
        [2, 'invalid package name "x$'],
        [5, 'invalid package name "x$'],
        [6, 'line is 70040 characters'],
        [9, 'line is 70040 characters'],
      ]);
    }
  });

  it('reads every line as the general rules say, whatever the bytes (the line table only remembers)', () => {
    // The general path is the specification: split the decoded text into lines, judge each line.
    const reference = (bytes: Uint8Array) => {
      const packages: InstalledPackage[] = [];
      const issues: [number, string][] = [];
      const lines = new TextDecoder().decode(bytes).split('\n');
      lines.forEach((l, i) => {
        if (l.length === 0) return;
        const problem = lineProblem(l);
        const fields = l.split('\t');
        let message: string | undefined = problem ?? undefined;
        if (!problem && fields.length !== 6)
          message = `expected 6 tab-separated fields, got ${fields.length}: ${excerpt(l)}; skipped`;
        else if (!problem && fields[5]!.charCodeAt(1) === 105) {
          const [name, version, source, sourceVersion, arch] = fields as [
            string,
            string,
            string,
            string,
            string,
          ];
          const checked = checkPackage({ name, version, source, sourceVersion, arch });
          if (typeof checked === 'string') message = `${checked}; skipped`;
          else packages.push(checked);
        }
        if (message !== undefined) issues.push([i + 1, message]);
      });
      const kept: [number | undefined, string][] = issues.slice(0, MAX_ISSUES);
      if (issues.length > MAX_ISSUES)
        kept.push([undefined, `${issues.length - MAX_ISSUES} more issues not recorded`]);
      if (bytes.every((b) => b === 32 || b === 10 || b === 9 || b === 13))
        kept.push([undefined, 'input is empty: no packages']);
      return { packages, issues: kept };
    };
    const piece = fc.constantFrom(
      'bash',
      'libc6',
      'glibc',
      '2.36-9+deb12u3',
      '1:1.2.13.dfsg-1',
      'amd64',
      'all',
      'ii ',
      'hi ',
      'rc ',
      'i',
      'x$(id)',
      '\t',
      '\t',
      '\t',
      '\n',
      '\n',
      '\r',
      '\u00e9',
      '\xff',
      ' ',
      '',
    );
    const lineOf = fc
      .tuple(fc.array(piece, { maxLength: 4 }), fc.boolean())
      .map(([extra, plain]) =>
        plain
          ? line('bash', '5.2.15-2+b7', 'bash', '5.2.15-2', 'amd64', 'ii ') + extra.join('')
          : extra.join(''),
      );
    fc.assert(
      fc.property(fc.array(lineOf, { maxLength: 12 }), fc.boolean(), (ls, newlineAtEnd) => {
        const text = ls.join('\n') + (newlineAtEnd ? '\n' : '');
        // \xff as a raw byte (not UTF-8), so undecodable input is covered too
        const bytes = Uint8Array.from(Buffer.from(text, 'utf8')).map((b, i, a) =>
          b === 0xc3 && a[i + 1] === 0xbf ? 0xff : b,
        );
        const expected = reference(bytes);
        const r = parseDpkgQuery(bytes);
        expect(r.packages).toEqual(expected.packages);
        expect(r.issues.map((i) => [i.line, i.message])).toEqual(expected.issues);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('DpkgQueryParser', () => {
  it('grows its table past a chunk of new lines and keeps every record', () => {
    const parser = new DpkgQueryParser(DpkgQueryParser.SMALL);
    const many = Array.from({ length: 40_000 }, (_, i) =>
      line(`p${i}`, `1.${i}`, `p${i}`, `1.${i}`, 'amd64', 'ii '),
    );
    const r = parser.parse(`${many.join('\n')}\n`);
    expect(r.packages).toHaveLength(40_000);
    expect(r.packages[39_999]!.name).toBe('p39999');
    expect(parser.parse(`${many[7]}\n`).packages[0]).toBe(r.packages[7]);
  });
});
