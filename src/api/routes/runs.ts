import { z } from 'zod';
import { heldByOther, listRuns, resumeRun, rollbackRun, showRun } from '../../app/rollout/run-app.js';
import { ApiRequestStore, type ApiRequestRecord } from '../../adapters/store/api-request-store.js';
import type { TokenRecord } from '../../adapters/store/token-store.js';
import { UserError } from '../../core/errors.js';
import { actorOf, principal } from '../auth.js';
import { AccessError, ERROR_RESPONSES } from '../errors.js';
import type { ApiContext } from '../server.js';
import { checkedAtSend, PageInfo, PageQuery, pageOf, type RouteModule } from './common.js';

const RunItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  actor: z.string(),
  kind: z.string(),
  window: z.string().optional(),
  reason: z.string().optional(),
  state: z.string(),
  hosts: z.number().int(),
  finishedAt: z.string().optional(),
});

const RequestItem = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  body: z.record(z.string(), z.unknown()),
  requestedBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
});

const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+:~_-]*$/;

const StartBody = z
  .object({
    window: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("run the window's plan inside its open occurrence"),
    emergency: z.boolean().optional().describe("outside any window: needs reason and an approver's approval"),
    reason: z.string().min(1).max(1000).optional(),
    hosts: z.array(z.string().min(1).max(200)).max(1000).optional(),
    packages: z
      .array(z.object({ name: z.string().regex(PACKAGE), version: z.string().regex(VERSION) }))
      .max(500)
      .optional(),
  })
  .strict()
  .refine((b) => Boolean(b.window) !== Boolean(b.emergency), {
    message: 'say which run this is: window (inside its open occurrence) or emergency: true with a reason',
  })
  .refine((b) => !b.emergency || Boolean(b.reason?.trim()), { message: 'an emergency run needs its reason' });
type StartBody = z.infer<typeof StartBody>;

const Started = z.object({
  state: z.enum(['started', 'pending-approval']),
  run: z.object({ id: z.string(), hosts: z.array(z.string()) }).optional(),
  request: RequestItem.optional(),
});

const Id = z.object({ id: z.string().min(1).max(100) });

function runRequestOf(b: StartBody) {
  return {
    ...(b.window ? { window: b.window } : {}),
    ...(b.emergency ? { emergency: true, reason: b.reason!.trim() } : {}),
    ...(b.hosts ? { hosts: b.hosts } : {}),
    ...(b.packages ? { packages: b.packages } : {}),
  };
}

async function requests(ctx: ApiContext): Promise<ApiRequestStore> {
  return new ApiRequestStore((await ctx.inputs.openStore()).db);
}

async function approve(ctx: ApiContext, id: string, who: TokenRecord) {
  const store = await requests(ctx);
  const r = await store.get(id);
  if (!r) throw new UserError('request-unknown', `No request ${id}.`, 'See: GET /api/runs');
  if (r.requestedBy.id === who.id || r.requestedBy.name === who.name)
    throw new AccessError(403, 'own-request', 'Nobody approves their own request.', 'Ask another approver.');
  if (r.state !== 'pending-approval' || !(await store.approve(id, actorOf(who), ctx.clock())))
    throw new UserError('request-not-pending', `Request ${id} is ${r.state}, not pending approval.`);
  try {
    const run = await ctx.runs.start(runRequestOf(r.body as StartBody), `token:${r.requestedBy.name}`);
    await store.settle(id, 'started', { runId: run.id, approvedBy: who.name });
    return { state: 'started' as const, run, request: (await store.get(id))! };
  } catch (e) {
    await store.settle(id, 'failed', { error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
}

/** `/api/runs`: start (windows; emergencies after another's approval), resume, roll back, list, show. */
export const runRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/runs',
    {
      schema: {
        summary: 'List runs, newest first',
        tags: ['runs'],
        querystring: PageQuery,
        response: { 200: z.object({ items: z.array(RunItem), page: PageInfo }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const runs = (await listRuns(ctx.inputs)).map((r) => ({
        id: r.id,
        createdAt: r.createdAt,
        actor: r.actor,
        kind: r.kind,
        ...(r.window ? { window: r.window } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        state: r.state,
        hosts: r.spec.hosts.length,
        ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      }));
      return pageOf(runs, req.query);
    },
  );

  app.get(
    '/api/runs/:id',
    {
      schema: {
        summary: 'A run with its hosts and their steps, or a run request (Q-…) and its approval',
        tags: ['runs'],
        params: Id,
        response: {
          200: z.object({
            run: z.looseObject({ id: z.string(), state: z.string() }).optional(),
            hosts: z.array(z.looseObject({ host: z.string(), state: z.string() })).optional(),
            request: RequestItem.optional(),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (id.startsWith('Q-')) {
        const r: ApiRequestRecord | undefined = await (await requests(ctx)).get(id);
        if (!r) throw new UserError('request-unknown', `No request ${id}.`);
        return { request: r };
      }
      const view = await showRun(ctx.inputs, id);
      const { controllerPid: _pid, ...run } = view.run;
      return { run: checkedAtSend(run), hosts: checkedAtSend(view.hosts) };
    },
  );

  app.post(
    '/api/runs',
    {
      config: { access: 'operator' },
      schema: {
        summary: "Start a run: a window's plan inside its occurrence, or request an emergency run",
        description:
          'A window run starts at once (operator): 202 with its id; follow it at GET /api/runs/{id}. An ' +
          'emergency run is recorded as a request pending approval (202, state pending-approval); an approver ' +
          'other than the requester starts it with POST /api/runs/{requestId}/approve.',
        tags: ['runs'],
        body: StartBody,
        response: { 202: Started, ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const who = principal(req);
      if (req.body.emergency) {
        const request = await (await requests(ctx)).create('run', runRequestOf(req.body), who, ctx.clock());
        return reply.code(202).send({ state: 'pending-approval', request });
      }
      const run = await ctx.runs.start(runRequestOf(req.body), actorOf(who));
      return reply.code(202).send({ state: 'started', run });
    },
  );

  app.post(
    '/api/runs/:id/approve',
    {
      config: { access: 'approver' },
      schema: {
        summary: "Approve a pending emergency run request (approver; never one's own) and start it",
        tags: ['runs'],
        params: Id,
        response: { 202: Started, ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => reply.code(202).send(await approve(ctx, req.params.id, principal(req))),
  );

  for (const action of ['resume', 'rollback'] as const)
    app.post(
      `/api/runs/:id/${action}`,
      {
        config: { access: 'operator' },
        schema: {
          summary:
            action === 'resume'
              ? 'Resume a run whose controller is gone (killed or stopped)'
              : "Roll a run's hosts back from their restore points (all, or body.host)",
          tags: ['runs'],
          params: Id,
          body: z
            .object({ host: z.string().min(1).max(200).optional() })
            .strict()
            .optional(),
          response: {
            202: z.object({ id: z.string(), state: z.literal(`${action}-started`) }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (req, reply) => {
        const id = req.params.id;
        const { run } = await showRun(ctx.inputs, id);
        if (heldByOther(run, new Date()) || (run.state === 'running' && ctx.runs.holds(id)))
          throw new UserError(
            'run-busy',
            `Run ${id} is held by a live controller.`,
            'Wait for it to end first.',
          );
        const cb = { actor: actorOf(principal(req)), onEvent: () => undefined };
        ctx.runs.background(id, () =>
          action === 'resume'
            ? resumeRun(ctx.inputs, id, cb)
            : rollbackRun(ctx.inputs, id, req.body?.host, cb),
        );
        return reply.code(202).send({ id, state: `${action}-started` as const });
      },
    );
};
