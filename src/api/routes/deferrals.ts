import { z } from 'zod';
import { addDeferral, endDeferral, listDeferrals } from '../../app/defer.js';
import { feedStatus } from '../../app/feeds.js';
import { acknowledgeWindow } from '../../app/rollout/run-app.js';
import { listWindows } from '../../app/windows.js';
import { roleAllows } from '../../core/access/roles.js';
import { actorOf, principal } from '../auth.js';
import { AccessError, ERROR_RESPONSES } from '../errors.js';
import type { RouteModule } from './common.js';

const DeferralSchema = z.object({
  id: z.string(),
  findings: z.array(z.string()),
  hosts: z.array(z.string()),
  selector: z.string().optional(),
  reason: z.string(),
  control: z.string(),
  owner: z.string(),
  approver: z.string().optional(),
  review: z.string(),
  until: z.string(),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  endedAt: z.string().optional(),
  endedReason: z.string().optional(),
});

const NewDeferral = z
  .object({
    findings: z.array(z.string().min(1)).min(1).describe('CVE ids, vulnerability ids or package names'),
    hosts: z.array(z.string().min(1)).default([]),
    selector: z.string().min(1).optional().describe('tag:K=V, tier:N, exposure:X, … (comma = and)'),
    reason: z.string().min(1),
    control: z.string().min(1).describe('the compensating control in place meanwhile'),
    owner: z.string().min(1),
    review: z.string().min(1).describe('next review date YYYY-MM-DD (policy time zone)'),
    until: z.string().min(1).describe('a date, fix-available, staging-passed or window:NAME'),
    approved: z
      .boolean()
      .optional()
      .describe('past the policy cap: the caller, an approver, approves it (recorded as the approver)'),
  })
  .strict()
  .refine((d) => d.hosts.length > 0 || d.selector !== undefined, {
    message: 'name the hosts or a selector',
  });

/**
 * Deferrals (list, create, end) and maintenance windows (list), as `patchwise defer` and `windows list`.
 * A deferral past the policy's cap needs an approver: an approver token that sets `approved`, recorded
 * as the approver.
 */
export const deferralRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/deferrals',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Every deferral with its state now (active, expiring, ended) and the findings it covers',
        tags: ['deferrals'],
        response: {
          200: z.object({
            deferrals: z.array(DeferralSchema.extend({ status: z.unknown(), covers: z.number().int() })),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({ deferrals: await listDeferrals(ctx.inputs, ctx.clock(), false) }),
  );
  app.post(
    '/api/deferrals',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Defers findings on hosts with a reason, a control, an owner, a review date and an end',
        description:
          'Validated against the policy as `defer add`; 400 `deferral-invalid` lists the problems.',
        tags: ['deferrals'],
        body: NewDeferral,
        response: {
          201: z.object({
            deferral: DeferralSchema,
            action: z.string(),
            covers: z.number().int(),
            notes: z.array(z.string()),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const who = principal(req);
      const { approved, ...d } = req.body;
      if (approved && !roleAllows(who.role, 'approver'))
        throw new AccessError(
          403,
          'forbidden',
          'Only an approver token may approve a deferral past the cap.',
        );
      const r = await addDeferral(
        { ...ctx.inputs, env: { ...ctx.inputs.env, PATCHWISE_ACTOR: actorOf(who) } },
        { ...d, ...(approved ? { approver: actorOf(who) } : {}) },
        ctx.clock(),
      );
      return reply.code(201).send(r);
    },
  );
  app.post(
    '/api/deferrals/:id/end',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Ends a deferral by hand (on the audit log); its findings are due again',
        tags: ['deferrals'],
        params: z.object({
          id: z.string().regex(/^(D-)?\d{1,12}$/, { message: 'expected a deferral id D-N' }),
        }),
        body: z.object({ reason: z.string().min(1) }).strict(),
        response: { 200: z.object({ ended: z.string() }), ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      await endDeferral(
        { ...ctx.inputs, env: { ...ctx.inputs.env, PATCHWISE_ACTOR: actorOf(principal(req)) } },
        req.params.id,
        req.body.reason,
        ctx.clock(),
      );
      return { ended: req.params.id };
    },
  );
  app.get(
    '/api/windows',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Maintenance windows: next occurrence (freezes applied), scope, the five parts',
        tags: ['windows'],
        response: {
          200: z.object({
            windows: z.array(z.record(z.string(), z.unknown())).describe('as `windows list --json`'),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({
      windows: (await listWindows(ctx.inputs, ctx.clock())) as unknown as Record<string, unknown>[],
    }),
  );
  app.post(
    '/api/windows/:name/ack',
    {
      config: { access: 'operator' },
      schema: {
        summary: "The window owner's acknowledgement of an occurrence (tier 1 hosts in its run need it)",
        description:
          'As `windows ack`: recorded as a window event and on the audit log, by the calling token.',
        tags: ['windows'],
        params: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/) }),
        body: z
          .object({
            occurrence: z.string().optional().describe('the occurrence start (default: open now, else next)'),
            by: z.string().min(1).describe("the window's owner acknowledging"),
          })
          .strict(),
        response: {
          200: z.object({ window: z.string(), occurrence: z.string(), added: z.boolean() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req) => {
      const r = await acknowledgeWindow(ctx.inputs, {
        window: req.params.name,
        ...(req.body.occurrence ? { occurrence: req.body.occurrence } : {}),
        by: req.body.by,
        actor: actorOf(principal(req)),
        now: ctx.clock(),
      });
      return { window: r.event.window, occurrence: r.event.occurrence, added: r.added };
    },
  );
  app.get(
    '/api/feeds',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Every feed source with its record count, data date and age (as `feeds status`)',
        tags: ['feeds'],
        response: {
          200: z.object({ feeds: z.array(z.record(z.string(), z.unknown())) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({
      feeds: (await feedStatus(await ctx.inputs.openStore(), ctx.clock())) as unknown as Record<
        string,
        unknown
      >[],
    }),
  );
};
