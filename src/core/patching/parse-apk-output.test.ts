import { describe, expect, it } from 'vitest';
import { parseApkPolicy, parseApkSteps } from './parse-apk-output.js';

// Written from apk-tools 2's output formats: there is no Alpine machine to capture them on yet.
describe('apk output', () => {
  it('takes the newest version a repository offers as the candidate', () => {
    const text = [
      'busybox policy:',
      '  1.36.1-r15:',
      '    lib/apk/db/installed',
      '    https://dl-cdn.alpinelinux.org/alpine/v3.19/main',
      '  1.36.1-r20:',
      '    https://dl-cdn.alpinelinux.org/alpine/v3.19/main',
      'local-only policy:',
      '  2.0-r0:',
      '    lib/apk/db/installed',
    ].join('\n');
    expect(parseApkPolicy(text, ['busybox', 'local-only', 'absent'])).toEqual({
      busybox: '1.36.1-r20',
      'local-only': undefined,
      absent: undefined,
    });
  });

  it('reads the steps apk prints', () => {
    const text = [
      'fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz',
      '(1/3) Upgrading busybox (1.36.1-r15 -> 1.36.1-r20)',
      '(2/3) Installing libfoo (1.0-r0)',
      '(3/3) Purging oldthing (2.0-r1)',
      'OK: 10 MiB in 20 packages',
    ].join('\n');
    expect(parseApkSteps(text)).toEqual({
      changes: [
        { name: 'busybox', from: '1.36.1-r15', to: '1.36.1-r20' },
        { name: 'libfoo', to: '1.0-r0' },
      ],
      removed: ['oldthing'],
    });
  });
});
