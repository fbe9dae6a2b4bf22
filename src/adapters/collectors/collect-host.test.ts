import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import type { Transport } from '../transport/transport.js';
import { collectHost, SCAN_SCRIPT } from './collect-host.js';

/** A host that answers the scan script with these sections (as the real script would print them). */
function fakeHost(sections: Record<string, string>): Transport {
  return {
    name: 'fake',
    readFile: () => Promise.reject(new Error('not used')),
    run: (argv) => {
      const marker = argv.at(-1)!;
      const stdout = Object.entries(sections)
        .map(([name, body]) => `\n${marker} ${name}\n${body}`)
        .join('');
      return Promise.resolve({ code: 0, stdout: `${stdout}\n${marker} end\n`, stderr: '' });
    },
  };
}

describe('collectHost picks the collector from os-release', () => {
  it('runs one probe per family, in table order, in one script', () => {
    const probes = ['command -v dpkg-query', 'elif command -v rpm', 'elif [ -r /lib/apk/db/installed ]'];
    const at = probes.map((p) => SCAN_SCRIPT.indexOf(p));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it.each([
    [
      'debian',
      'ID=debian\nVERSION_ID="12"',
      { dpkg: 'bash\t5.2-1\tbash\t5.2-1\tamd64\tii ', dpkgexit: '0' },
      'debian:12',
      1,
    ],
    [
      'rhel',
      'ID="rocky"\nVERSION_ID="9.4"\nID_LIKE="rhel centos fedora"',
      { rpm: readFixture('collect', 'rpm-qa-qf.txt'), rpmexit: '0', needsrestarting: '  * kernel\nexit 1' },
      'rocky:9.4',
      5,
    ],
    [
      'alpine',
      'ID=alpine\nVERSION_ID=3.20.3',
      { apk: readFixture('collect', 'apk-installed.txt') },
      'alpine:3.20.3',
      4,
    ],
  ])('%s', async (_f, osrelease, sections, os, atLeast) => {
    const state = await collectHost(fakeHost({ osrelease, ...sections }), 'h1', new Date(0));
    expect(state.os).toBe(os);
    expect(state.packages.length).toBeGreaterThanOrEqual(atLeast);
    if (_f === 'rhel') expect(state.reboot).toEqual({ required: true, packages: ['kernel'] });
  });

  it('says when the package database is missing', async () => {
    const state = await collectHost(fakeHost({ osrelease: 'ID=debian\nVERSION_ID=12' }), 'h1');
    expect(state.packages).toEqual([]);
    expect(state.issues.map((i) => i.message)).toContain('no debian package database found on the host');
  });

  it('refuses an OS with no collector', async () => {
    await expect(collectHost(fakeHost({ osrelease: 'ID=arch' }), 'h1')).rejects.toMatchObject({
      code: 'unsupported-os',
    });
  });
});
