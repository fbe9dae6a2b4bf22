import { describe, expect, it } from 'vitest';
import { parseOsRelease } from './parse-os-release.js';

describe('parseOsRelease', () => {
  it.each([
    ['debian 12', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n', 'debian:12'],
    ['ubuntu', "ID=ubuntu\nVERSION_ID='22.04'\nID_LIKE=debian\n", 'ubuntu:22.04'],
    ['sid without VERSION_ID', 'ID=debian\nVERSION_CODENAME=trixie\n', 'debian:trixie'],
    ['comments and blanks', '# comment\n\nID=alpine\r\nVERSION_ID=3.20.3\r\n', 'alpine:3.20.3'],
    ['escaped quotes', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="A \\"quoted\\" name"\n', 'debian:12'],
  ])('%s', (_n, text, os) => {
    const r = parseOsRelease(text);
    expect(r.os).toBe(os);
    expect(r.issues).toEqual([]);
  });

  it.each([
    ['empty', '', /OS unknown/],
    ['shell in the id', 'ID="debian;reboot"\nVERSION_ID=12\n', /unusable OS id/],
    ['unclosed quote', 'ID=debian\nVERSION_ID="12\n', /not a KEY=value/],
    ['binary', 'ID=deb\x00ian\nVERSION_ID=12\n', /control or binary/],
  ])('records %s as an issue', (_n, text, re) => {
    const r = parseOsRelease(text);
    expect(r.os).toBeUndefined();
    expect(r.issues.map((i) => i.message).join('\n')).toMatch(re);
  });

  it('keeps the pretty name', () => {
    expect(
      parseOsRelease('ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"').prettyName,
    ).toBe('Debian GNU/Linux 12 (bookworm)');
  });
});
