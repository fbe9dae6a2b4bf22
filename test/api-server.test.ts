import path from 'node:path';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ApiDeps } from '../src/api/server.js';
import { openStore, type Store } from '../src/adapters/store/open-store.js';
import { TokenStore } from '../src/adapters/store/token-store.js';
import type { Role } from '../src/core/access/roles.js';
import { decideFleetDir } from './decide-setup.js';

let dir: string;
let store: Promise<Store>;
let app: FastifyInstance;
let inputs: ApiDeps['inputs'];
const tok: Record<string, string> = {};

beforeAll(async () => {
  ({ dir } = decideFleetDir());
  const dataDir = path.join(dir, '.patchwise');
  store = openStore(dataDir);
  inputs = {
    configPath: path.join(dir, 'patchwise.yaml'),
    configExplicit: true,
    openStore: () => store,
    cwd: dir,
    env: {},
    dataDir,
  };
  app = await buildServer({ inputs });
  const tokens = new TokenStore((await store).db);
  const now = new Date();
  for (const role of ['viewer', 'operator', 'approver', 'admin'] as Role[])
    tok[role] = (await tokens.create({ name: role, role }, 'test', now)).token;
  tok.approver2 = (await tokens.create({ name: 'approver2', role: 'approver' }, 'test', now)).token;
  tok.expired = (
    await tokens.create(
      { name: 'old', role: 'admin', expiresAt: new Date(now.getTime() - 1000).toISOString() },
      'test',
      now,
    )
  ).token;
  const revoked = await tokens.create({ name: 'gone', role: 'admin' }, 'test', now);
  await tokens.revoke(revoked.record.id, now);
  tok.revoked = revoked.token;
});

afterAll(async () => {
  await app?.close();
  await (await store)?.close();
});

type Method = 'GET' | 'POST';
const call = (
  method: Method,
  url: string,
  token?: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** Every route: who may call it, a request that succeeds, and one that fails validation. */
const ROUTES: {
  method: Method;
  url: string;
  role: Role;
  ok: number;
  body?: unknown;
  bad: { url?: string; body?: unknown };
}[] = [
  { method: 'GET', url: '/api/summary', role: 'viewer', ok: 200, bad: {} },
  { method: 'GET', url: '/api/hosts?tier=1', role: 'viewer', ok: 200, bad: { url: '/api/hosts?tier=9' } },
  {
    method: 'GET',
    url: '/api/hosts/web-1',
    role: 'viewer',
    ok: 200,
    bad: { url: `/api/hosts/${'x'.repeat(300)}` },
  },
  {
    method: 'POST',
    url: '/api/hosts',
    role: 'admin',
    ok: 201,
    body: { name: 'db-9', tier: 2, exposure: 'internal', owner: 'dba' },
    bad: { body: { name: 'db-8', tier: 7 } },
  },
  {
    method: 'GET',
    url: '/api/scans?host=web-1',
    role: 'viewer',
    ok: 200,
    bad: { url: '/api/scans?limit=0' },
  },
  {
    method: 'GET',
    url: '/api/findings?limit=5',
    role: 'viewer',
    ok: 200,
    bad: { url: '/api/findings?action=soon' },
  },
  { method: 'GET', url: '/api/plan', role: 'viewer', ok: 200, bad: { url: '/api/plan?format=xml' } },
  {
    method: 'GET',
    url: '/api/explain/web-1/CVE-2023-44487',
    role: 'viewer',
    ok: 200,
    bad: { url: `/api/explain/web-1/${'y'.repeat(300)}` },
  },
  { method: 'GET', url: '/api/runs', role: 'viewer', ok: 200, bad: { url: '/api/runs?cursor=%21%21' } },
  {
    method: 'POST',
    url: '/api/runs',
    role: 'operator',
    ok: 202,
    body: { emergency: true, reason: 'KEV on the edge', hosts: ['web-1'] },
    bad: { body: { emergency: true } },
  },
  { method: 'GET', url: '/api/openapi.json', role: 'viewer', ok: 200, bad: {} },
  { method: 'GET', url: '/api/docs', role: 'viewer', ok: 200, bad: {} },
  {
    method: 'GET',
    url: '/api/reports/monthly?month=2026-11',
    role: 'viewer',
    ok: 200,
    bad: { url: '/api/reports/monthly?month=November' },
  },
  {
    method: 'GET',
    url: '/api/reports/monthly.html?month=2026-11',
    role: 'viewer',
    ok: 200,
    bad: { url: '/api/reports/monthly.html?month=11-2026' },
  },
  { method: 'GET', url: '/metrics', role: 'viewer', ok: 200, bad: {} },
  {
    method: 'POST',
    url: '/api/deferrals',
    role: 'operator',
    ok: 201,
    body: {
      findings: ['CVE-2023-44487'],
      hosts: ['web-1'],
      reason: 'HTTP/2 push breaks the app',
      control: 'HTTP/2 off at the load balancer',
      owner: 'alice',
      review: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
      until: 'fix-available',
    },
    bad: { body: { findings: [], hosts: ['web-1'] } },
  },
  { method: 'GET', url: '/api/deferrals', role: 'viewer', ok: 200, bad: {} },
  {
    method: 'POST',
    url: '/api/deferrals/D-1/end',
    role: 'operator',
    ok: 200,
    body: { reason: 'the vendor fixed it' },
    bad: { url: '/api/deferrals/abc/end' },
  },
  { method: 'GET', url: '/api/windows', role: 'viewer', ok: 200, bad: {} },
  { method: 'GET', url: '/api/feeds', role: 'viewer', ok: 200, bad: {} },
  { method: 'GET', url: '/api/audit?limit=5', role: 'viewer', ok: 200, bad: { url: '/api/audit?limit=0' } },
  { method: 'GET', url: '/api/audit/verify', role: 'viewer', ok: 200, bad: {} },
  {
    method: 'GET',
    url: '/api/notifications',
    role: 'viewer',
    ok: 200,
    bad: { url: '/api/notifications?failed=maybe' },
  },
];
const BELOW: Record<Role, Role | undefined> = {
  viewer: undefined,
  operator: 'viewer',
  approver: 'operator',
  admin: 'approver',
};

describe('the API (app.inject, real SQLite)', () => {
  it.each(ROUTES)(
    '$method $url: success, 401 without/expired/revoked token, 403 below its role',
    async (r) => {
      const ok = await call(r.method, r.url, tok[r.role], r.body);
      expect(ok.statusCode, ok.body).toBe(r.ok);
      for (const t of [undefined, tok.expired, tok.revoked]) {
        const res = await call(r.method, r.url, t, r.body);
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('unauthorized');
      }
      const below = BELOW[r.role];
      if (below) {
        const res = await call(r.method, r.url, tok[below], r.body);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ error: { code: 'forbidden', hint: expect.any(String) } });
      }
    },
  );

  it.each(ROUTES.filter((r) => r.bad.url || r.bad.body))(
    '$method $url: a bad request is 400 in the one error shape',
    async (r) => {
      const res = await call(r.method, r.bad.url ?? r.url, tok.admin, r.bad.body ?? r.body);
      expect(res.statusCode, res.body).toBe(400);
      const e = res.json().error;
      expect(['invalid-request', 'bad-cursor']).toContain(e.code);
      expect(e.message.length).toBeGreaterThan(10);
    },
  );

  it('health answers without a token; unknown routes are 404 (after the token check)', async () => {
    expect((await call('GET', '/api/health')).json()).toEqual({ ok: true });
    expect((await call('GET', '/api/nope')).statusCode).toBe(401);
    expect((await call('GET', '/api/nope', tok.viewer)).json().error.code).toBe('route-unknown');
  });

  it('an approver cannot approve their own emergency request; another approver can', async () => {
    const asked = await call('POST', '/api/runs', tok.approver, {
      emergency: true,
      reason: 'exploited',
      hosts: ['web-1'],
    });
    expect(asked.statusCode).toBe(202);
    const id = asked.json().request.id as string;
    expect(asked.json().state).toBe('pending-approval');
    const own = await call('POST', `/api/runs/${id}/approve`, tok.approver);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('own-request');
    expect((await call('POST', `/api/runs/${id}/approve`, tok.operator)).statusCode).toBe(403);
    const other = await call('POST', `/api/runs/${id}/approve`, tok.approver2);
    // The test fleet has no connections: the run is refused when planned, or starts and skips its hosts.
    expect([202, 400, 409, 503]).toContain(other.statusCode);
    const after = (await call('GET', `/api/runs/${id}`, tok.viewer)).json().request;
    expect(after.state).not.toBe('pending-approval');
    expect(after.decidedBy).toBe('token:approver2');
    expect((await call('POST', `/api/runs/${id}/approve`, tok.admin)).statusCode).toBe(409);
    expect((await call('POST', '/api/runs/Q-000/approve', tok.admin)).statusCode).toBe(404);
  });

  it('resume and rollback of an unknown run are 404; operators only', async () => {
    for (const a of ['resume', 'rollback']) {
      expect((await call('POST', `/api/runs/R-nope/${a}`, tok.operator, {})).statusCode).toBe(404);
      expect((await call('POST', `/api/runs/R-nope/${a}`, tok.viewer, {})).statusCode).toBe(403);
    }
  });

  it('pages findings with a cursor, most pressing first, and filters by KEV', async () => {
    const first = (await call('GET', '/api/findings?limit=3', tok.viewer)).json();
    expect(first.items).toHaveLength(3);
    expect(first.items[0].kev).toBeTruthy();
    const second = (
      await call('GET', `/api/findings?limit=3&cursor=${first.page.nextCursor}`, tok.viewer)
    ).json();
    expect(second.items[0]).not.toEqual(first.items[0]);
    const kev = (await call('GET', '/api/findings?kev=true&limit=500', tok.viewer)).json();
    expect(kev.items.every((f: { kev?: unknown }) => f.kev)).toBe(true);
    expect(kev.page.total).toBe(kev.items.length);
  });

  it('streams findings and the plan as NDJSON (Accept or ?format)', async () => {
    const res = await call('GET', '/api/findings', tok.viewer, undefined, { accept: 'application/x-ndjson' });
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'patchwise.findings', version: 2 });
    expect(lines.length).toBeGreaterThan(10);
    const plan = (await call('GET', '/api/plan?format=ndjson', tok.viewer)).body.trim().split('\n');
    expect(JSON.parse(plan[0]!)).toMatchObject({ format: 'patchwise.plan' });
    expect(JSON.parse(plan[1]!)).toHaveProperty('packages');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const a = await call('GET', '/api/summary', tok.viewer);
    expect(a.headers.etag).toMatch(/^W\//);
    const b = await call('GET', '/api/summary', tok.viewer, undefined, {
      'if-none-match': String(a.headers.etag),
    });
    expect(b.statusCode).toBe(304);
    expect(b.body).toBe('');
  });

  it('the summary counts findings, KEV exposure and overdue', async () => {
    const s = (await call('GET', '/api/summary', tok.viewer)).json();
    expect(s.hosts.scanned).toBe(2);
    expect(s.kev.hosts).toBeGreaterThan(0);
    expect(s.findings.total).toBe(
      Object.values(s.findings.byAction as Record<string, number>).reduce((a, b) => a + b, 0) +
        s.findings.deferred,
    );
  });

  it('serves the monthly review, metrics, the audit chain and deliveries, as the CLI makes them', async () => {
    const json = (await call('GET', '/api/reports/monthly?month=2026-11', tok.viewer)).json();
    expect(json.month).toBe('2026-11');
    const html = await call('GET', '/api/reports/monthly.html?month=2026-11', tok.viewer);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toMatch(/<svg/);
    expect(html.body).not.toMatch(/<script/i);
    const metrics = await call('GET', '/metrics', tok.viewer);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^patchwise_findings\{/m);
    // Token changes are on the chain, and the chain holds.
    const audit = (await call('GET', '/api/audit?limit=100', tok.viewer)).json();
    expect(audit.entries.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining(['token-created', 'token-revoked']),
    );
    expect(JSON.stringify(audit)).not.toContain(tok.admin!);
    expect((await call('GET', '/api/audit/verify', tok.viewer)).json()).toMatchObject({ ok: true });
    expect((await call('GET', '/api/notifications', tok.viewer)).json()).toEqual({ deliveries: [] });
  });

  it('a deferral past the cap is approved only by an approver token, recorded as its approver', async () => {
    const body = {
      findings: ['CVE-2023-44487'],
      hosts: ['web-1'],
      reason: 'r',
      control: 'c',
      owner: 'alice',
      review: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
      until: 'fix-available',
    };
    const capped = await call('POST', '/api/deferrals', tok.operator, body);
    expect(capped.statusCode, capped.body).toBe(400);
    expect(capped.json().error.code).toBe('deferral-invalid');
    expect((await call('POST', '/api/deferrals', tok.operator, { ...body, approved: true })).statusCode).toBe(
      403,
    );
    const ok = await call('POST', '/api/deferrals', tok.approver, { ...body, approved: true });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().deferral).toMatchObject({ approver: 'token:approver', createdBy: 'token:approver' });
  });

  it('windows ack: operators only, a window the configuration names, a body with who acknowledges', async () => {
    expect((await call('POST', '/api/windows/nightly/ack', tok.viewer, { by: 'alice' })).statusCode).toBe(
      403,
    );
    const unknown = await call('POST', '/api/windows/nightly/ack', tok.operator, { by: 'alice' });
    expect(unknown.statusCode, unknown.body).toBe(404);
    expect(unknown.json().error.code).toBe('window-unknown');
    expect((await call('POST', '/api/windows/nightly/ack', tok.operator, {})).statusCode).toBe(400);
    const feeds = (await call('GET', '/api/feeds', tok.viewer)).json().feeds as { source: string }[];
    expect(feeds.map((f) => f.source)).toContain('kev');
  });

  it('refuses a body over 1 MiB', async () => {
    const res = await call('POST', '/api/hosts', tok.admin, { name: 'big', owner: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('body-too-large');
  });
});

describe('the OpenAPI document', () => {
  it("is 3.1, every path has responses, and each route's actual response validates against it", async () => {
    const doc = (await call('GET', '/api/openapi.json', tok.viewer)).json();
    expect(doc.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const paths = doc.paths as Record<
      string,
      Record<string, { responses?: Record<string, { content?: Record<string, { schema: object }> }> }>
    >;
    for (const [p, ops] of Object.entries(paths))
      for (const [m, op] of Object.entries(ops))
        expect(Object.keys(op.responses ?? {}), `${m} ${p}`).not.toHaveLength(0);
    const checks: [Method, string, string, string?, unknown?][] = [
      ['GET', '/api/summary', '/api/summary'],
      ['GET', '/api/hosts', '/api/hosts'],
      ['GET', '/api/hosts/{name}', '/api/hosts/web-1'],
      ['GET', '/api/scans', '/api/scans'],
      ['GET', '/api/findings', '/api/findings?limit=20'],
      ['GET', '/api/plan', '/api/plan'],
      ['GET', '/api/explain/{host}/{finding}', '/api/explain/web-1/CVE-2023-44487'],
      ['GET', '/api/runs', '/api/runs'],
      ['GET', '/api/health', '/api/health'],
      ['GET', '/api/openapi.json', '/api/openapi.json'],
      ['GET', '/api/hosts/{name}', '/api/hosts/nope-9', 'admin'],
      ['POST', '/api/runs', '/api/runs', 'operator', { emergency: true, reason: 'r' }],
      ['POST', '/api/hosts', '/api/hosts', 'admin', { name: 'db-10', tier: 3 }],
      ['POST', '/api/hosts', '/api/hosts', 'admin', { name: 7 }],
      ['GET', '/api/summary', '/api/summary', 'none'],
    ];
    for (const [method, p, url, who, body] of checks) {
      const res = await call(method, url, who === 'none' ? undefined : tok[who ?? 'viewer'], body);
      const declared = paths[p]?.[method.toLowerCase()]?.responses?.[String(res.statusCode)];
      expect(declared, `${method} ${url} answered ${res.statusCode}, not declared`).toBeDefined();
      const schema = declared!.content?.['application/json']?.schema;
      expect(schema, `${method} ${url} ${res.statusCode}`).toBeDefined();
      const validate = ajv.compile(schema!);
      expect(validate(res.json()), `${method} ${url}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('the docs page lists every route with its method, in HTML without scripts', async () => {
    const html = (await call('GET', '/api/docs', tok.viewer)).body;
    for (const r of [
      'GET /api/findings',
      'POST /api/runs',
      'POST /api/runs/{id}/approve',
      'GET /api/hosts/{name}',
    ])
      expect(html).toContain(r);
    expect(html).not.toMatch(/<script/i);
  });
});

describe('limits and logs', () => {
  it('rate-limits per token, and never logs a token', async () => {
    let log = '';
    const sink = new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) });
    const limited = await buildServer({
      inputs,
      rateLimit: { max: 2, timeWindowSeconds: 60 },
      logger: { level: 'info', stream: sink },
    });
    const get = (t: string) =>
      limited.inject({ url: '/api/hosts', headers: { authorization: `Bearer ${t}` } });
    expect((await get(tok.viewer!)).statusCode).toBe(200);
    expect((await get(tok.viewer!)).statusCode).toBe(200);
    const third = await get(tok.viewer!);
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('rate-limited');
    expect((await get(tok.operator!)).statusCode).toBe(200);
    await limited.close();
    expect(log).toContain('/api/hosts');
    for (const t of Object.values(tok)) expect(log).not.toContain(t);
  });
});
