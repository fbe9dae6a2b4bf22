import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { parseRpmQuery } from './parse-rpm-query.js';

const captured = readFixture('collect', 'rpm-qa-qf.txt');

describe('parseRpmQuery', () => {
  it('reads captured rpm -qa output with EVR and source RPM', () => {
    const r = parseRpmQuery(captured);
    expect(r.issues).toEqual([]);
    expect(r.packages).toEqual(
      expect.arrayContaining([
        { name: 'openssl-libs', version: '1:3.0.7-27.el9', source: 'openssl', arch: 'x86_64' },
        { name: 'bash', version: '5.1.8-9.el9', source: 'bash', arch: 'x86_64' },
        { name: 'libstdc++', version: '11.4.1-3.el9', source: 'libstdc++', arch: 'x86_64' },
        { name: 'tzdata', version: '2024a-1.el9', source: 'tzdata', arch: 'noarch' },
      ]),
    );
    expect(r.packages.some((p) => p.name === 'gpg-pubkey')).toBe(false);
    expect(r.packages).toHaveLength(6);
  });

  it('keeps a source version that differs from the binary one', () => {
    const r = parseRpmQuery('python3-libs\t(none)\t3.9.18\t3.el9\tx86_64\tpython3.9-3.9.18-3.el9.src.rpm\n');
    expect(r.packages[0]).toMatchObject({ source: 'python3.9', version: '3.9.18-3.el9' });
    const s = parseRpmQuery('foo\t(none)\t1.0\t1.el9\tx86_64\tbar-2.0-1.el9.src.rpm\n');
    expect(s.packages[0]).toMatchObject({ source: 'bar', sourceVersion: '2.0-1.el9' });
  });

  it.each([
    ['shell metacharacters in a name', 'x$(reboot)\t(none)\t1\t1\tx86_64\tx-1-1.src.rpm'],
    ['a version with spaces', 'x\t(none)\t1 2\t1\tx86_64\tx-1-1.src.rpm'],
    ['too few fields', 'x\t1'],
    ['binary garbage', '\x00\x01\x02\x03'],
    ['an absurdly long line', 'x'.repeat(70_000)],
  ])('records %s as an issue', (_what, line) => {
    const r = parseRpmQuery(`${line}\nbash\t(none)\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\n`);
    expect(r.packages.map((p) => p.name)).toEqual(['bash']);
    expect(r.issues).toHaveLength(1);
  });

  it('flags empty input', () => {
    expect(parseRpmQuery('').issues[0]!.message).toMatch(/empty/);
  });
});
