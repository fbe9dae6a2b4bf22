import { describe, expect, it } from 'vitest';
import { parseDnfTransaction, parseRepoquery } from './parse-dnf-output.js';

// Written from dnf 4's documented output formats: there is no RHEL-like machine to capture them on yet.
describe('dnf output', () => {
  it('takes the newest version over architectures and drops epoch 0', () => {
    const text = [
      'openssl-libs\t1:3.0.7-27.el9',
      'openssl-libs\t1:3.0.7-25.el9',
      '',
      'tzdata\t0:2024a-1.el9',
      'bogus line',
    ].join('\n');
    expect(parseRepoquery(text, ['openssl-libs', 'tzdata', 'absent'])).toEqual({
      'openssl-libs': '1:3.0.7-27.el9',
      tzdata: '2024a-1.el9',
      absent: undefined,
    });
  });

  it('reads the transaction table of dnf --assumeno', () => {
    const text = [
      'Dependencies resolved.',
      '================================================================================',
      ' Package            Arch       Version               Repository          Size',
      '================================================================================',
      'Upgrading:',
      ' openssl           x86_64     1:3.0.7-27.el9        baseos             1.2 M',
      ' openssl-libs      x86_64     1:3.0.7-27.el9        baseos             2.1 M',
      'Installing dependencies:',
      ' crypto-policies   noarch     20240202-1.git.el9    baseos              86 k',
      'Removing:',
      ' old-thing         x86_64     1.0-1.el9             @baseos             10 k',
      '',
      'Transaction Summary',
      '================================================================================',
      'Upgrade  2 Packages',
      'Operation aborted.',
    ].join('\n');
    expect(parseDnfTransaction(text)).toEqual({
      changes: [
        { name: 'openssl', to: '1:3.0.7-27.el9' },
        { name: 'openssl-libs', to: '1:3.0.7-27.el9' },
        { name: 'crypto-policies', to: '20240202-1.git.el9' },
      ],
      removed: ['old-thing'],
    });
  });
});
