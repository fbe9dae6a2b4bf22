import { z } from 'zod';
import { streamAudit } from '../../adapters/store/audit-log.js';
import { auditRecord, verifyAuditLog } from '../../app/audit.js';
import { MetricsCollector } from '../../app/metrics.js';
import { listDeliveries } from '../../app/notify.js';
import { monthlyReport } from '../../app/report-monthly.js';
import { MonthlyReportSchema } from '../../core/report/monthly-report.js';
import { renderHtml } from '../../core/report/render-html.js';
import { renderMarkdown } from '../../core/report/render-markdown.js';
import { ERROR_RESPONSES } from '../errors.js';
import type { RouteModule } from './common.js';

const MonthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/, { message: 'expected a month YYYY-MM' })
    .optional()
    .describe('a month in the policy time zone (default: the previous full month)'),
});

const AuditRecordSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  event: z.string(),
  subject: z.string(),
  detail: z.unknown(),
  detailText: z.string().optional(),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});

const AuditVerdictSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  lastId: z.number().int().nullable(),
  lastHash: z.string(),
  problem: z
    .object({
      id: z.number().int(),
      kind: z.enum(['edited', 'removed', 'reordered', 'unchained']),
      message: z.string(),
    })
    .optional(),
});

const DeliverySchema = z.object({
  id: z.number().int(),
  webhook: z.string(),
  event: z.string(),
  subject: z.string(),
  state: z.string(),
  createdAt: z.string(),
  attempts: z.number().int(),
  lastStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  deliveredAt: z.string().optional(),
  nextAttemptAt: z.string().optional(),
});

/**
 * The operations side of the API: the monthly review (JSON, Markdown, HTML), Prometheus metrics, the
 * audit log (entries and the chain's verdict) and webhook deliveries. Each is the same function the CLI
 * calls (`report monthly`, `audit verify|export`, `notifications list`).
 */
export const operationsRoutes: RouteModule = (app, ctx) => {
  const report = (month: string | undefined) =>
    monthlyReport(ctx.inputs, { ...(month ? { month } : {}), now: ctx.clock(), record: false });

  app.get(
    '/api/reports/monthly',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          "The month's review: unpatched systems, overdue by tier, KEV exposure, runs, time to remediate",
        description: 'As `patchwise report monthly --format json`. Read-only: records nothing.',
        tags: ['reports'],
        querystring: MonthQuery,
        response: { 200: MonthlyReportSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => report(req.query.month),
  );
  app.get(
    '/api/reports/monthly.html',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The monthly review as one self-contained HTML page with SVG charts (no script)',
        tags: ['reports'],
        querystring: MonthQuery,
        response: { 200: z.string(), ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const html = renderHtml(await report(req.query.month));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "script-src 'none'")
        .send(html);
    },
  );
  app.get(
    '/api/reports/monthly.md',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The monthly review as Markdown',
        tags: ['reports'],
        querystring: MonthQuery,
        response: { 200: z.string(), ...ERROR_RESPONSES },
      },
    },
    async (req, reply) =>
      reply.type('text/markdown; charset=utf-8').send(renderMarkdown(await report(req.query.month))),
  );

  const metrics = new MetricsCollector(ctx.inputs);
  app.get(
    '/metrics',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Prometheus metrics: findings by action and state, overdue, KEV exposure, scans, runs, steps',
        description: 'Scrape with a viewer token (Prometheus `authorization: { credentials_file: ... }`).',
        tags: ['operations'],
        response: { 200: z.string(), ...ERROR_RESPONSES },
      },
    },
    async (_req, reply) => {
      const m = await metrics.collect(ctx.clock());
      return reply.type(m.contentType).send(m.body);
    },
  );

  app.get(
    '/api/audit',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Audit log entries in order, with the hashes that chain them (as `audit export`)',
        tags: ['audit'],
        querystring: z.object({
          after: z.coerce.number().int().nonnegative().optional().describe('entries after this id'),
          since: z.string().optional().describe('entries at or after this ISO 8601 time'),
          subject: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({ entries: z.array(AuditRecordSchema), next: z.number().int().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req) => {
      const db = (await ctx.inputs.openStore()).db;
      const q = req.query;
      const entries = [];
      for await (const e of streamAudit(db, {
        ...(q.after !== undefined ? { afterId: q.after } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.subject ? { subject: q.subject } : {}),
        pageSize: q.limit + 1,
      })) {
        entries.push(auditRecord(e));
        if (entries.length > q.limit) break;
      }
      const more = entries.length > q.limit;
      if (more) entries.pop();
      return { entries, next: more ? entries[entries.length - 1]!.id : null };
    },
  );
  app.get(
    '/api/audit/verify',
    {
      config: { access: 'viewer' },
      schema: {
        summary: "Re-computes the audit log's hash chain; names the first edited, removed or reordered entry",
        tags: ['audit'],
        response: { 200: AuditVerdictSchema, ...ERROR_RESPONSES },
      },
    },
    async () => verifyAuditLog((await ctx.inputs.openStore()).db),
  );

  app.get(
    '/api/notifications',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Webhook deliveries, newest first; failed=true keeps those failing or given up',
        tags: ['operations'],
        querystring: z.object({
          failed: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ deliveries: z.array(DeliverySchema) }), ...ERROR_RESPONSES },
      },
    },
    async (req) => ({
      deliveries: await listDeliveries(ctx.inputs, {
        failed: req.query.failed === 'true',
        limit: req.query.limit,
      }),
    }),
  );
};
