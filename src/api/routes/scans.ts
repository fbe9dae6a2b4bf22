import { z } from 'zod';
import { scanFleet } from '../../app/fleet-scan.js';
import { loadInventory, requireHost } from '../../app/inventory.js';
import { listScannedHosts } from '../../adapters/store/scan-store.js';
import { transportFactory } from '../../adapters/transport/transport-for-host.js';
import { ERROR_RESPONSES } from '../errors.js';
import { pageOf, PageInfo, PageQuery, type RouteModule } from './common.js';

/** Hosts one `POST /api/scans` scans: it answers when they are done, so it stays bounded. */
export const SCAN_HOST_LIMIT = 20;

const ScanResult = z.object({
  host: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  os: z.string().optional(),
  packages: z.number().int(),
  issues: z.number().int(),
  rebootRequired: z.boolean().optional(),
  staleProcesses: z.number().int().optional(),
  durationMs: z.number(),
  scanId: z.number().int().optional(),
});

const ScannedHost = z.object({
  host: z.string(),
  lastStatus: z.string(),
  lastScanAt: z.string(),
  lastError: z.string().nullable(),
  lastOkAt: z.string().nullable(),
});

/** `/api/scans`: scan a few hosts now (synchronously), and where each host's scans stand. */
export const scanRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/api/scans',
    {
      config: { access: 'operator' },
      schema: {
        summary: `Scan up to ${SCAN_HOST_LIMIT} hosts now; answers with one result per host when all are done`,
        description:
          'Synchronous and bounded: each host is scanned over its connection (ssh or local) with a time limit ' +
          '(timeoutSeconds, default 120), at most 10 at once. For the whole fleet use `patchwise scan --all`.',
        tags: ['scans'],
        body: z
          .object({
            hosts: z.array(z.string().min(1).max(200)).min(1).max(SCAN_HOST_LIMIT),
            timeoutSeconds: z.number().int().min(1).max(600).default(120),
          })
          .strict(),
        response: { 200: z.object({ results: z.array(ScanResult) }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const inv = await loadInventory(ctx.inputs);
      const hosts = req.body.hosts.map((n) => requireHost(inv, n).host);
      const results = await scanFleet(hosts, {
        concurrency: 10,
        perHostTimeoutMs: req.body.timeoutSeconds * 1000,
        transportFor: transportFactory(ctx.inputs.dataDir, inv.config.config.ssh ?? {}),
        store: await ctx.inputs.openStore(),
      });
      return {
        results: results.map(({ issueSamples: _s, message, ...r }) => ({
          ...r,
          ...(message ? { message: message.slice(0, 500) } : {}),
        })),
      };
    },
  );

  app.get(
    '/api/scans',
    {
      schema: {
        summary: "Each scanned host's newest scan and latest successful one",
        tags: ['scans'],
        querystring: PageQuery.extend({ host: z.string().min(1).max(200).optional() }),
        response: { 200: z.object({ items: z.array(ScannedHost), page: PageInfo }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const all = await listScannedHosts((await ctx.inputs.openStore()).db);
      return pageOf(req.query.host ? all.filter((s) => s.host === req.query.host) : all, req.query);
    },
  );
};
