import { z } from 'zod';
import { FleetRun } from '../../app/fleet-pipeline.js';
import { ACTIONS } from '../../core/policy/actions.js';
import { ERROR_RESPONSES } from '../errors.js';
import {
  decodeCursor,
  encodeCursor,
  FormatQuery,
  PageInfo,
  PageQuery,
  sendNdjson,
  wantsNdjson,
  checkedAtSend,
  type RouteModule,
} from './common.js';

const FindingItem = z.looseObject({
  host: z.string(),
  package: z.string(),
  vulnId: z.string(),
  cves: z.array(z.string()),
  installedVersion: z.string(),
  fixedVersion: z.string().nullable(),
  action: z.enum(ACTIONS),
  state: z.string(),
  dueAt: z.string(),
});

const Query = PageQuery.extend(FormatQuery.shape).extend({
  host: z.string().min(1).max(200).optional(),
  action: z.enum(ACTIONS).optional(),
  kev: z.enum(['true', 'false']).optional().describe('only findings in (true) or not in (false) CISA KEV'),
});

/** `/api/findings`: the fleet's findings, most pressing first; a JSON page or every finding as NDJSON. */
export const findingRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/findings',
    {
      schema: {
        summary: 'Findings, most pressing first (KEV, EPSS, CVSS, urgency)',
        description:
          'A JSON page (cursor paging), or with Accept: application/x-ndjson or ?format=ndjson every finding, ' +
          'host by host (each host most pressing first), streamed with flat memory: a header line ' +
          '{"format":"patchwise.findings","version":2,...} then one finding a line.',
        tags: ['findings'],
        querystring: Query,
        response: { 200: z.object({ items: z.array(FindingItem), page: PageInfo }), ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const filter = {
        ...(q.host ? { host: q.host } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.kev ? { kev: q.kev === 'true' } : {}),
      };
      if (wantsNdjson(req, q.format)) {
        const run = await FleetRun.open(ctx.inputs, {
          ...ctx.views.runOptions(),
          record: false,
          ...(q.host ? { hosts: [q.host] } : {}),
        });
        return sendNdjson(reply, async (w) => {
          await w.header('findings', 2, { now: run.now.toISOString() });
          for await (const h of run.hosts()) {
            for (const d of h.decided!.decisions()) {
              if (filter.action && d.action !== filter.action) continue;
              if (filter.kev !== undefined && d.kev !== filter.kev) continue;
              await w.write(d);
            }
            if (w.done) break;
          }
        });
      }
      const offset = decodeCursor(q.cursor);
      const { items, total } = await ctx.views.findings(filter, offset, q.limit);
      const more = total === null ? items.length === q.limit : offset + q.limit < total;
      return {
        items: checkedAtSend(items),
        page: { nextCursor: more ? encodeCursor(offset + q.limit) : null, limit: q.limit, total },
      };
    },
  );
};
