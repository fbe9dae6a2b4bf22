import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES, MAX_LINE, parseDpkgStatus } from './parse-dpkg-status.js';

const stanza = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

const BASH = stanza({
  Package: 'bash',
  Status: 'install ok installed',
  Architecture: 'amd64',
  Source: 'bash (5.2.15-2)',
  Version: '5.2.15-2+b7',
});
const LIBC = stanza({
  Package: 'libc6',
  Status: 'hold ok installed',
  Architecture: 'amd64',
  Source: 'glibc',
  Version: '2.36-9+deb12u10',
});
const GONE = stanza({ Package: 'old', Status: 'deinstall ok config-files', Version: '1.0-1' });

describe('parseDpkgStatus', () => {
  it('reads installed packages with source names and versions', () => {
    const r = parseDpkgStatus([BASH, '', LIBC, '', GONE, ''].join('\n'));
    expect(r.issues).toEqual([]);
    expect(r.packages).toEqual([
      { name: 'bash', version: '5.2.15-2+b7', source: 'bash', sourceVersion: '5.2.15-2', arch: 'amd64' },
      { name: 'libc6', version: '2.36-9+deb12u10', source: 'glibc', arch: 'amd64' },
    ]);
  });

  it('skips multi-line field continuations and handles CRLF', () => {
    const text = `${BASH}\nDescription: the shell\n more text; rm -rf /\n .\n\n`.replace(/\n/g, '\r\n');
    expect(parseDpkgStatus(text).packages).toHaveLength(1);
  });

  const garbage: [string, string, RegExp][] = [
    [
      'shell metacharacters in a name',
      stanza({ Package: 'x;rm -rf /', Status: 'install ok installed', Version: '1' }),
      /invalid package name/,
    ],
    [
      'command substitution in a version',
      stanza({ Package: 'bad', Status: 'install ok installed', Version: '1.0$(reboot)' }),
      /invalid version/,
    ],
    [
      'backticks in a source name',
      stanza({ Package: 'bad', Status: 'install ok installed', Version: '1', Source: '`id`' }),
      /invalid source name/,
    ],
    [
      'bad source version',
      stanza({ Package: 'bad', Status: 'install ok installed', Version: '1', Source: 'xy (1|2)' }),
      /invalid source version/,
    ],
    [
      'unreadable Source field',
      stanza({ Package: 'bad', Status: 'install ok installed', Version: '1', Source: 'a b c' }),
      /unreadable Source/,
    ],
    [
      'absurdly long line',
      stanza({ Package: 'a'.repeat(MAX_LINE + 1), Status: 'install ok installed', Version: '1' }),
      /limit/,
    ],
    ['binary bytes', `Package: ab\x00\x01c\nStatus: install ok installed\nVersion: 1`, /control or binary/],
    [
      'undecodable bytes',
      `Package: ab\ufffdc\nStatus: install ok installed\nVersion: 1`,
      /control or binary/,
    ],
    ['installed without Version', stanza({ Package: 'nover', Status: 'install ok installed' }), /no Version/],
    ['stanza without Package', stanza({ Status: 'install ok installed', Version: '1' }), /without a Package/],
    ['not a field line', 'this is not a status file', /not a "Field: value"/],
  ];
  it.each(garbage)('records %s as an issue and keeps going', (_name, bad, re) => {
    const r = parseDpkgStatus(`${bad}\n\n${BASH}\n`, 'status');
    expect(r.packages.map((p) => p.name)).toEqual(['bash']);
    expect(r.issues.map((i) => i.message).join('\n')).toMatch(re);
  });

  it('says so when the input is empty', () => {
    expect(parseDpkgStatus('').issues[0]?.message).toMatch(/empty/);
  });

  it('caps the issues it records', () => {
    const text = Array.from({ length: 500 }, () => 'garbage line').join('\n');
    const r = parseDpkgStatus(text);
    expect(r.issues).toHaveLength(MAX_ISSUES + 1);
    expect(r.issues.at(-1)?.message).toBe('400 more issues not recorded');
  });

  it.each([
    ['a clean file', ''],
    ['a file with a control byte elsewhere', '\nX-Note: \x01\n'],
  ])('reports a field given twice in a stanza, with its line, and skips the stanza (%s)', (_, extra) => {
    const twice = `${BASH}\nVersion: 9.9-9`;
    const hidden = `Package: openssl\nStatus: install ok installed\nVersion: 3.0.1-1\nStatus: deinstall ok config-files`;
    const r = parseDpkgStatus([twice, '', LIBC, '', hidden, extra].join('\n'));
    expect(r.packages.map((p) => p.name)).toEqual(['libc6']);
    // The control byte's own issue (in the second case) comes after these.
    expect(r.issues.slice(0, 2)).toEqual([
      {
        source: 'dpkg-status',
        line: 6,
        message: 'package "bash": field "Version" given twice in the stanza of line 1; skipped',
      },
      {
        source: 'dpkg-status',
        line: 17,
        message: 'package "openssl": field "Status" given twice in the stanza of line 14; skipped',
      },
    ]);
  });

  it('reports a package listed twice, with its line, and keeps the first', () => {
    const again = BASH.replace('5.2.15-2+b7', '5.2.15-2+b8');
    const i386 = LIBC.replace('amd64', 'i386');
    const r = parseDpkgStatus([BASH, '', LIBC, '', again, '', i386, ''].join('\n'));
    expect(r.packages.map((p) => `${p.name}:${p.arch} ${p.version}`)).toEqual([
      'bash:amd64 5.2.15-2+b7',
      'libc6:amd64 2.36-9+deb12u10',
      'libc6:i386 2.36-9+deb12u10',
    ]);
    expect(r.issues).toEqual([
      {
        source: 'dpkg-status',
        line: 13,
        message: 'package "bash:amd64" is listed again (first at line 1); skipped',
      },
    ]);
  });

  it('never echoes raw garbage unbounded', () => {
    const r = parseDpkgStatus(`Package: ${'$'.repeat(5000)}\nStatus: install ok installed\nVersion: 1\n`);
    expect(r.issues[0]!.message.length).toBeLessThan(200);
  });
});

describe('parseDpkgStatus: the clean-file fast path reads like the general path', () => {
  const field = fc.constantFrom(
    'Package',
    'package',
    'Status',
    'Version',
    'Source',
    'Architecture',
    'Depends',
    'X',
  );
  const value = fc.constantFrom(
    'bash',
    'install ok installed',
    'deinstall ok config-files',
    '5.2.15-2+b13',
    'glibc (2.36-9)',
    'amd64',
    'libc6 (>= 2.36)',
    'bad name!',
    '',
  );
  const line = fc.oneof(
    fc.tuple(field, value).map(([f, v]) => `${f}: ${v}`),
    value.map((v) => ` ${v}`),
    fc.constantFrom('', ' ', 'no colon here', ':starts with colon', '\t'),
  );
  it('gives the same packages and issues whether or not the file holds a control byte elsewhere', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join('\n');
        const fast = parseDpkgStatus(text, 's');
        // A control byte in a stanza of its own sends every line of the file down the general path.
        const unclean = `${text}\n\nX: \x01`;
        const slow = parseDpkgStatus(unclean, 's');
        expect(slow.packages).toEqual(fast.packages);
        const last = unclean.split('\n').length;
        const extra = slow.issues.filter((i) => i.line !== last);
        expect(extra).toEqual(fast.issues.filter((i) => i.message !== 'input is empty: no packages'));
      }),
      { numRuns: 500 },
    );
  });
});
