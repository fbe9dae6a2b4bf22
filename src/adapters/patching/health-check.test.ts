import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedTransport } from '../../../test/helpers/scripted-transport.js';
import { checkServices } from './health-check.js';
import { parseUnitsActive } from './host-ops-base.js';
import { hostOpsFor } from './host-ops-for.js';

let server: http.Server;
let base: string;
let closedPort: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.statusCode = req.url === '/down' ? 503 : 200;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(() => new Promise((r) => server.close(r)));

describe('health checks', () => {
  it('asks systemctl is-active for a unit: ok only when it prints active', async () => {
    const t = new ScriptedTransport([
      { argv: ['systemctl', 'is-active', '--', 'nginx.service'], result: { stdout: 'active\n' } },
      { argv: ['systemctl', 'is-active', '--', 'redis.service'], result: { code: 3, stdout: 'failed\n' } },
    ]);
    expect(
      await checkServices(
        t,
        [
          { name: 'web', unit: 'nginx.service' },
          { name: 'cache', unit: 'redis.service' },
        ],
        'systemd',
      ),
    ).toEqual([
      { service: 'web', ok: true, detail: 'unit nginx.service active' },
      { service: 'cache', ok: false, detail: 'unit redis.service failed' },
    ]);
  });

  it('asks rc-service NAME status on OpenRC', async () => {
    const t = new ScriptedTransport([{ argv: ['rc-service', 'nginx', 'status'], result: { code: 3 } }]);
    expect(await checkServices(t, [{ name: 'web', unit: 'nginx' }], 'openrc')).toEqual([
      { service: 'web', ok: false, detail: 'unit nginx status exit 3' },
    ]);
  });

  it('fetches HTTP from this machine: 2xx is ok, anything else is not', async () => {
    const t = new ScriptedTransport([]);
    const r = await checkServices(
      t,
      [
        { name: 'up', http: `${base}/` },
        { name: 'down', http: `${base}/down` },
        { name: 'gone', http: `http://127.0.0.1:${closedPort}/` },
      ],
      'systemd',
    );
    expect(r).toEqual([
      { service: 'up', ok: true, detail: `http 200 from ${base}/` },
      { service: 'down', ok: false, detail: `http 503 from ${base}/down` },
      { service: 'gone', ok: false, detail: `http ECONNREFUSED from http://127.0.0.1:${closedPort}/` },
    ]);
    expect(t.calls).toEqual([]);
  });

  it('connects TCP from this machine', async () => {
    const port = (server.address() as AddressInfo).port;
    const r = await checkServices(
      new ScriptedTransport([]),
      [
        { name: 'open', tcp: `127.0.0.1:${port}` },
        { name: 'closed', tcp: `127.0.0.1:${closedPort}` },
        { name: 'bad', tcp: '127.0.0.1:70000' },
      ],
      'systemd',
    );
    expect(r.map((x) => [x.ok, x.detail])).toEqual([
      [true, `tcp 127.0.0.1:${port} connected`],
      [false, `tcp 127.0.0.1:${closedPort} refused`],
      [false, 'tcp 127.0.0.1:70000 is not a valid port'],
    ]);
  });

  it('runs a command on the host (exit 0 = healthy); a service is ok only when all its checks pass', async () => {
    const t = new ScriptedTransport([
      { argv: ['systemctl', 'is-active', '--', 'postgresql.service'], result: { stdout: 'active\n' } },
      { argv: ['pg_isready', '-q'], result: { code: 2 } },
    ]);
    const [r] = await checkServices(
      t,
      [{ name: 'db', unit: 'postgresql.service', http: `${base}/`, command: ['pg_isready', '-q'] }],
      'systemd',
    );
    expect(r).toEqual({
      service: 'db',
      ok: false,
      detail: `unit postgresql.service active; http 200 from ${base}/; command pg_isready exit 2`,
    });
  });

  it('refuses a unit name that could be read as an option, before checking anything', async () => {
    const t = new ScriptedTransport([]);
    await expect(checkServices(t, [{ name: 'x', unit: '--all' }], 'systemd')).rejects.toMatchObject({
      name: 'UserError',
      code: 'bad-unit-name',
    });
    expect(t.calls).toEqual([]);
  });

  it('is what every family answers health with', async () => {
    for (const family of ['debian', 'rhel', 'alpine'] as const) {
      const ops = hostOpsFor(family, new ScriptedTransport([]));
      expect(ops.family).toBe(family);
      expect(await ops.health([{ name: 'web', http: `${base}/` }])).toEqual([
        { service: 'web', ok: true, detail: `http 200 from ${base}/` },
      ]);
    }
  });
});

describe('parseUnitsActive (how long systemd shows each unit active)', () => {
  it('reads the host clock and each block in the order asked; inactive or unreadable units are undefined', () => {
    const out = [
      '1764921600',
      'ActiveState=active',
      'ActiveEnterTimestamp=@1764921000',
      '',
      'ActiveState=failed',
      'ActiveEnterTimestamp=@1764920000',
      '',
      'ActiveState=active',
      'ActiveEnterTimestamp=',
      '',
    ].join('\n');
    expect(
      parseUnitsActive(out, ['lab-web.service', 'bad.service', 'odd.service', 'missing.service']),
    ).toEqual({
      'lab-web.service': 600,
      'bad.service': undefined,
      'odd.service': undefined,
      'missing.service': undefined,
    });
  });
});
