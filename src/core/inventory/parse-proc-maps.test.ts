import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { isIgnoredMapping, parseDeletedMappings, parseMapsLine } from './parse-proc-maps.js';

const fixture = (name: string) => readFixture('collect', name);

describe('parseDeletedMappings', () => {
  it('finds the deleted library and binary, ignoring memfd and /dev/shm (captured)', () => {
    const r = parseDeletedMappings(fixture('grep-deleted-all.txt'));
    expect(r.issues).toEqual([]);
    expect(r.byPid.get(16708)).toEqual(['/usr/local/lib/pwfix/libz.so.1']);
    expect(r.byPid.get(16713)).toEqual(['/usr/local/bin/pw-sleep']);
    expect(r.byPid.get(16158)).toEqual(['/var/cache/patchwise-lab/try/rootfs/usr/bin/dpkg']);
    // node's sealed memfd code pages are not stale code
    expect(r.byPid.has(1079)).toBe(false);
  });

  it('reads whole maps files the same way (captured)', () => {
    const lines = fixture('maps-python-deleted-lib.txt').split('\n');
    const deleted = lines.map(parseMapsLine).filter((m) => m?.deleted && !isIgnoredMapping(m.path));
    expect(new Set(deleted.map((m) => m!.path))).toEqual(new Set(['/usr/local/lib/pwfix/libz.so.1']));
    expect(fixture('maps-sleep-deleted-exe.txt').split('\n').map(parseMapsLine)[0]).toMatchObject({
      path: '/usr/local/bin/pw-sleep',
      deleted: true,
    });
  });

  it.each([
    ['/dev/shm/x', true],
    ['/memfd:pw (deleted)', true],
    ['/SYSV00000000', true],
    ['/tmp/jna-123', true],
    ['/run/user/0/x', true],
    ['/usr/lib/x86_64-linux-gnu/libssl.so.3', false],
    ['/usr/sbin/nginx', false],
  ])('ignores %s: %s', (path, ignored) => {
    expect(isIgnoredMapping(path)).toBe(ignored);
  });

  it('records garbage and hostile lines as issues and keeps going', () => {
    const good = '/proc/7/maps:7f00-7f01 r-xp 00000000 08:01 42 /usr/lib/libfoo.so.1 (deleted)';
    const r = parseDeletedMappings(
      [
        '$(reboot)',
        '\x7fELF\x00\x01',
        'x'.repeat(70_000),
        good,
        '/proc/8/maps:7f00-7f01 r-xp 0 08:01 43 /usr/lib/a b;$(x) (deleted)',
      ].join('\n'),
    );
    expect(r.byPid.get(7)).toEqual(['/usr/lib/libfoo.so.1']);
    expect(r.byPid.get(8)).toEqual(['/usr/lib/a b;$(x)']);
    expect(r.issues).toHaveLength(3);
  });
});
