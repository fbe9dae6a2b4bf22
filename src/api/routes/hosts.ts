import { z } from 'zod';
import { addHost, listHosts, type HostRow } from '../../app/hosts.js';
import { FleetRun } from '../../app/fleet-pipeline.js';
import { requireHost, loadInventory } from '../../app/inventory.js';
import { latestScanSummaries } from '../../adapters/store/scan-store.js';
import { EXPOSURES } from '../../core/inventory/host.js';
import { ERROR_RESPONSES } from '../errors.js';
import { PageInfo, PageQuery, pageOf, type RouteModule } from './common.js';

const HostItem = z.object({
  name: z.string(),
  connection: z.string(),
  os: z.string().optional(),
  tier: z.number().int().optional(),
  exposure: z.string().optional(),
  owner: z.string().optional(),
  environment: z.string().optional(),
  source: z.string().describe('config, store, or the provider it was imported from'),
  flags: z.array(z.string()).describe('classification gaps: tier, exposure, owner'),
});

function item(r: HostRow): z.infer<typeof HostItem> {
  return {
    name: r.name,
    connection: r.connection,
    ...(r.os ? { os: r.os } : {}),
    ...(r.tier !== undefined ? { tier: r.tier } : {}),
    ...(r.exposure ? { exposure: r.exposure } : {}),
    ...(r.owner ? { owner: r.owner } : {}),
    ...(r.environment ? { environment: r.environment } : {}),
    source: r.source,
    flags: r.flags,
  };
}

const SORTS = { name: 'name', tier: 'tier', owner: 'owner' } as const;

const ListQuery = PageQuery.extend({
  tier: z.coerce.number().int().min(1).max(4).optional(),
  owner: z.string().max(200).optional(),
  flagged: z.enum(['true', 'false']).optional().describe('only hosts lacking tier, exposure or owner'),
  sort: z.enum(['name', 'tier', 'owner']).default('name'),
});

const AddBody = z
  .object({
    name: z.string().min(1).max(63),
    tier: z.number().int().min(1).max(4).optional(),
    exposure: z.enum(EXPOSURES).optional(),
    owner: z.string().min(1).max(200).optional(),
    env: z.string().min(1).max(100).optional(),
    ssh: z.string().min(1).max(300).optional().describe('USER@ADDRESS[:PORT]'),
    jump: z.string().min(1).max(300).optional(),
    local: z.boolean().optional(),
    tags: z.array(z.string().max(200)).max(50).optional().describe('k=v'),
    services: z.array(z.string().max(300)).max(50).optional().describe('name=check'),
  })
  .strict();

const Rollup = z.looseObject({ host: z.string(), action: z.string().nullable(), findings: z.number() });

const Detail = z.object({
  host: HostItem,
  scan: z
    .object({
      lastStatus: z.string(),
      lastScanAt: z.string(),
      lastError: z.string().nullable(),
      lastOkAt: z.string().nullable(),
    })
    .nullable(),
  rollup: Rollup.nullable().describe(
    'the decided posture of its latest successful scan; null if never scanned',
  ),
  nextWindow: z.string().nullable(),
  notes: z.array(z.string()),
});

/** `/api/hosts`: the inventory, and one host's classification, scan and decided posture. */
export const hostRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/hosts',
    {
      schema: {
        summary: 'List the inventory',
        description: 'Paged, filtered by tier, owner or flagged, sorted by name, tier or owner.',
        tags: ['hosts'],
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(HostItem), page: PageInfo }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const q = req.query;
      let rows = (await listHosts(ctx.inputs)).rows;
      if (q.tier !== undefined) rows = rows.filter((r) => r.tier === q.tier);
      if (q.owner !== undefined) rows = rows.filter((r) => r.owner === q.owner);
      if (q.flagged) rows = rows.filter((r) => r.flags.length > 0 === (q.flagged === 'true'));
      const key = SORTS[q.sort];
      const sorted = rows.map(item).sort((a, b) => cmp(a[key], b[key]) || a.name.localeCompare(b.name));
      return pageOf(sorted, q);
    },
  );

  app.post(
    '/api/hosts',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Add a host to the inventory (admin: it is configuration)',
        tags: ['hosts'],
        body: AddBody,
        response: { 201: z.object({ host: HostItem, gaps: z.array(z.string()) }), ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await addHost(
        ctx.inputs,
        { ...b, tier: b.tier === undefined ? undefined : String(b.tier) },
        ctx.clock().toISOString(),
      );
      const row = (await listHosts(ctx.inputs)).rows.find((x) => x.name === r.host.name)!;
      return reply.code(201).send({ host: item(row), gaps: r.gaps });
    },
  );

  app.get(
    '/api/hosts/:name',
    {
      schema: {
        summary: 'One host: classification, latest scan, decided posture',
        tags: ['hosts'],
        params: z.object({ name: z.string().min(1).max(200) }),
        response: { 200: Detail, ...ERROR_RESPONSES },
      },
    },
    async (req) => ctx.views.subject(`host:${req.params.name}`, () => hostDetail(req.params.name)),
  );

  async function hostDetail(name: string): Promise<z.infer<typeof Detail>> {
    const inv = await loadInventory(ctx.inputs);
    const { db } = await ctx.inputs.openStore();
    const [scan] = await latestScanSummaries(db, [name]);
    if (!scan) requireHost(inv, name);
    const row = (await listHosts({ ...ctx.inputs })).rows.find((r) => r.name === name);
    const host = row
      ? item(row)
      : { name, connection: '', source: 'scan', flags: ['tier', 'exposure', 'owner'] };
    const out: z.infer<typeof Detail> = {
      host,
      scan: scan
        ? {
            lastStatus: scan.last.status,
            lastScanAt: scan.last.startedAt,
            lastError: scan.last.error ?? null,
            lastOkAt: scan.lastOk?.startedAt ?? null,
          }
        : null,
      rollup: null,
      nextWindow: null,
      notes: [],
    };
    if (!scan?.lastOk) return out;
    const run = await FleetRun.open(ctx.inputs, {
      ...ctx.views.runOptions(),
      hosts: [name],
      inventory: inv,
    });
    for await (const h of run.hosts()) {
      const { packages: _p, rollback: _r, controls: _c, ...rollup } = h.decided!.rollup;
      out.rollup = { ...rollup, changes: _p.length };
      out.nextWindow = h.window?.window ?? null;
    }
    out.notes = run.notes;
    return out;
  }
};

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}
