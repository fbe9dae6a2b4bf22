import { z } from 'zod';
import { ERROR_RESPONSES } from '../errors.js';
import type { RouteModule } from './common.js';

const Summary = z.object({
  generatedAt: z.string(),
  hosts: z.object({
    inventory: z.number().int(),
    scanned: z.number().int(),
    withFindings: z.number().int(),
    notScannedRecently: z.number().int(),
  }),
  findings: z.object({
    total: z.number().int(),
    byAction: z.record(z.string(), z.number().int()),
    overdue: z.number().int(),
    deferred: z.number().int(),
    awaitingFix: z.number().int(),
  }),
  hostsByState: z.record(z.string(), z.number().int()).describe('hosts by their most pressing state'),
  kev: z.object({ findings: z.number().int(), hosts: z.number().int() }),
  notScannedRecently: z
    .array(z.object({ host: z.string(), lastOkAt: z.string().nullable() }))
    .describe('inventory hosts without a successful scan in 7 days (the first 50)'),
  notes: z.array(z.string()),
});

/** `/api/summary`: the posture in numbers, streamed through the fleet pipeline and cached per store change. */
export const summaryRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/summary',
    {
      schema: {
        summary: 'Posture summary: findings by action and state, overdue, KEV exposure, stale scans',
        description:
          'Computed by streaming the fleet; cached until the store or configuration changes (at most a minute).',
        tags: ['summary'],
        response: { 200: Summary, ...ERROR_RESPONSES },
      },
    },
    async () => ctx.views.summary(),
  );
};
