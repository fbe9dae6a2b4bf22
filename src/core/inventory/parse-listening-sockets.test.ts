import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { decodeAddress, parseComms, parseListeningSockets, socketOwners } from './parse-listening-sockets.js';

const fixture = (name: string) => readFixture('collect', name);

describe('parseListeningSockets', () => {
  const probes = {
    tcp: fixture('proc-net-tcp.txt'),
    tcp6: fixture('proc-net-tcp6.txt'),
    udp: fixture('proc-net-udp.txt'),
    udp6: fixture('proc-net-udp6.txt'),
    fds: fixture('ls-fd-sockets.txt'),
    comms: new Map([[19221, 'python3']]),
  };

  it('reads captured /proc/net tables and names the owning process', () => {
    const r = parseListeningSockets(probes);
    expect(r.issues).toEqual([]);
    expect(r.sockets).toEqual(
      expect.arrayContaining([
        { protocol: 'tcp', address: '127.0.0.1', port: 18080, process: 'python3' },
        { protocol: 'tcp', address: '::1', port: 18443, process: 'python3' },
        { protocol: 'udp', address: '0.0.0.0', port: 18053, process: 'python3' },
        { protocol: 'udp', address: '::', port: 18054, process: 'python3' },
        { protocol: 'tcp', address: '0.0.0.0', port: 2024 },
      ]),
    );
  });

  it('drops sockets no visible process holds when asked (lab namespaces)', () => {
    const r = parseListeningSockets({ ...probes, ownedOnly: true });
    expect(r.sockets.map((s) => s.port).sort()).toEqual([18053, 18054, 18080, 18443]);
  });

  it('records garbage rows as issues', () => {
    const r = parseListeningSockets({ tcp: 'sl local\n  0: $(reboot)\n\x00\x01' });
    expect(r.sockets).toEqual([]);
    expect(r.issues).toHaveLength(2);
  });
});

describe('helpers', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['00000000000000000000000001000000', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['B80D0120000000000000000001000000', '2001:db8::1'],
  ])('decodes %s as %s', (hex, addr) => {
    expect(decodeAddress(hex)).toBe(addr);
  });

  it('maps socket inodes to pids and reads comms', () => {
    expect(socketOwners(fixture('ls-fd-sockets.txt')).get(39418)).toEqual([19221]);
    expect(parseComms('1\tsystemd\n2\twith space\nbad\n3\t\x01').get(2)).toBe('with space');
  });
});
