import { describe, expect, it } from 'vitest';
import { parseDpkgQuery } from './parse-dpkg-query.js';

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
});
