import { z } from 'zod';
import { byRollupUrgency, loadFleetDecisions } from '../../app/decide.js';
import { FleetRun } from '../../app/fleet-pipeline.js';
import { UserError } from '../../core/errors.js';
import type { HostRollup } from '../../core/policy/rollup-host.js';
import { matchesFinding } from '../../cli/commands/explain.js';
import { ERROR_RESPONSES } from '../errors.js';
import {
  FormatQuery,
  PageInfo,
  PageQuery,
  pageOf,
  sendNdjson,
  wantsNdjson,
  checkedAtSend,
  type RouteModule,
} from './common.js';

const PlanRow = z.looseObject({
  host: z.string(),
  action: z.string().nullable(),
  state: z.string(),
  dueAt: z.string().nullable(),
  findings: z.number().int(),
  overdue: z.number().int(),
  changes: z.number().int().describe('packages the plan changes'),
});

const Decision = z.looseObject({
  host: z.string(),
  vulnId: z.string(),
  package: z.string(),
  action: z.string(),
  state: z.string(),
  dueAt: z.string(),
  reasonCodes: z.array(z.string()),
  reasons: z.array(z.string()),
});

type Row = Omit<HostRollup, 'packages' | 'rebootPackages' | 'rollback' | 'controls'> & { changes: number };

function row(r: HostRollup): Row {
  const { packages, rebootPackages: _b, rollback: _r, controls: _c, ...rest } = r;
  return { ...rest, changes: packages.length };
}

/** `/api/plan` and `/api/explain`: what to patch by when, per host, and why for one finding. */
export const planRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/plan',
    {
      schema: {
        summary: 'The patch plan: one row per host with open findings, most urgent first',
        description:
          'A JSON page of host rows (without package lists), or with Accept: application/x-ndjson or ' +
          "?format=ndjson the same stream as `patchwise plan --json`: a header, then each host's full rollup.",
        tags: ['plan'],
        querystring: PageQuery.extend(FormatQuery.shape).extend({
          host: z.string().min(1).max(200).optional(),
        }),
        response: { 200: z.object({ items: z.array(PlanRow), page: PageInfo }), ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const run = await FleetRun.open(ctx.inputs, {
        ...ctx.views.runOptions(),
        ...(q.host ? { hosts: [q.host] } : {}),
      });
      if (wantsNdjson(req, q.format))
        return sendNdjson(reply, async (w) => {
          await w.header('plan', 2, { now: run.now.toISOString(), timeZone: run.timeZone, notes: run.notes });
          for await (const h of run.hosts()) {
            const d = h.decided!;
            if (d.findings === 0) continue;
            await w.write(h.window ? { ...d.rollup, nextWindow: h.window.window } : d.rollup);
            if (w.done) break;
          }
        });
      const rows: Row[] = [];
      for await (const h of run.hosts()) if (h.decided!.findings > 0) rows.push(row(h.decided!.rollup));
      rows.sort(byRollupUrgency);
      return pageOf(rows, q);
    },
  );

  app.get(
    '/api/explain/:host/:finding',
    {
      schema: {
        summary: 'Why a finding of a host got its action and due date',
        description:
          'finding: a CVE id, vulnerability id, package or binary name. As `patchwise explain HOST FINDING --json`.',
        tags: ['plan'],
        params: z.object({ host: z.string().min(1).max(200), finding: z.string().min(1).max(200) }),
        response: { 200: z.object({ decisions: z.array(Decision) }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const { host, finding } = req.params;
      const fleet = await loadFleetDecisions(ctx.inputs, { host, now: ctx.clock() });
      const plan = fleet.hosts.find((h) => h.host === host);
      const decisions = (plan?.decisions ?? []).filter((d) => matchesFinding(d, finding));
      if (decisions.length === 0)
        throw new UserError(
          'finding-unknown',
          `Host ${host} has no finding ${finding}.`,
          `List its findings with: GET /api/findings?host=${host}`,
        );
      return { decisions: checkedAtSend(decisions) };
    },
  );
};
