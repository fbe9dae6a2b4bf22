import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { parseApkInstalled } from './parse-apk-installed.js';

const db = readFixture('collect', 'apk-installed.txt');

describe('parseApkInstalled', () => {
  it('reads name, version, arch and origin', () => {
    const r = parseApkInstalled(db);
    expect(r.issues).toEqual([]);
    expect(r.packages).toEqual([
      { name: 'musl', version: '1.2.2-r7', source: 'musl', arch: 'x86_64' },
      { name: 'busybox', version: '1.34.1-r3', source: 'busybox', arch: 'x86_64' },
      { name: 'libcrypto1.1', version: '1.1.1l-r0', source: 'openssl', arch: 'x86_64' },
      { name: 'ssl_client', version: '1.34.1-r3', source: 'busybox', arch: 'x86_64' },
      { name: 'alpine-baselayout-data', version: '3.4.3-r2', source: 'alpine-baselayout', arch: 'x86_64' },
    ]);
  });

  it.each([
    ['shell metacharacters', 'P:$(reboot)\nV:1.0-r0\n'],
    ['a bad version', 'P:foo\nV:1.0 ; id\n'],
    ['binary garbage', 'P:foo\x00\x01\nV:1-r0\n'],
  ])('records %s as an issue, keeping the other stanzas', (_what, bad) => {
    const r = parseApkInstalled(`${bad}\nP:zlib\nV:1.3.1-r0\nA:x86_64\n`);
    expect(r.packages.map((p) => p.name)).toEqual(['zlib']);
    expect(r.issues).toHaveLength(1);
  });

  it('flags an empty database', () => {
    expect(parseApkInstalled('').issues[0]!.message).toMatch(/empty/);
  });
});
