import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellQuoteArgv } from './shell-quote.js';

/** Runs `printf '%s\0' ARGS` through /bin/sh and splits the NUL-terminated words back out. */
function roundTrip(argv: string[]): string[] {
  const script = `printf '%s\\0' ${shellQuoteArgv(argv)}`;
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['', `''`],
    ['a b', `'a b'`],
    ["it's", `'it'\\''s'`],
    ['$(reboot)', `'$(reboot)'`],
    ['`id`', "'`id`'"],
    ['a;rm -rf /', `'a;rm -rf /'`],
    ['~root', `'~root'`],
    ['*', `'*'`],
    ['/usr/bin/dpkg-query', '/usr/bin/dpkg-query'],
    ['${Package}\\n', `'\${Package}\\n'`],
  ])('%j -> %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });

  it('refuses NUL', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('round-trips hostile strings through /bin/sh', () => {
    const hostile = [
      "'",
      "''",
      '"',
      '\\',
      '$HOME',
      '$(id)',
      '`id`',
      '\n',
      'a\nb',
      ';',
      '&&',
      '|',
      '>x',
      '!',
      '#',
      ' -x',
    ];
    expect(roundTrip(hostile)).toEqual(hostile);
  });

  const arg = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));

  it('round-trips arbitrary strings through /bin/sh (property)', () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(roundTrip(argv)).toEqual(argv);
      }),
      { numRuns: 40 },
    );
  });

  it('round-trips 2000 arbitrary strings in one shell', () => {
    const many = fc.sample(arg, { numRuns: 2000 });
    expect(roundTrip(many)).toEqual(many);
  });
});
