import type { Kysely } from 'kysely';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { postWebhook, type WebhookAttempt } from '../adapters/notify/webhook.js';
import { DeferralStore } from '../adapters/store/deferral-store.js';
import {
  NotificationStore,
  type DeliveryRecord,
  type NewDelivery,
} from '../adapters/store/notification-store.js';
import type { Database } from '../adapters/store/schema.js';
import type { NotifyEvent, WebhookConfig } from '../core/config/notification-schema.js';
import { UserError } from '../core/errors.js';
import { evaluateDeferral } from '../core/policy/deferral.js';
import { defaultPolicy } from '../core/policy/policy-schema.js';
import { FleetRun } from './fleet-pipeline.js';
import { loadInventory, type InventoryInputs } from './inventory.js';
import type { RunNotifier } from './rollout/run-deps.js';

/** One thing to tell webhooks about. `dedupeKey` makes it once per webhook. */
export interface NotifyMessage {
  event: NotifyEvent | 'test';
  subject: string;
  summary: string;
  detail: Record<string, unknown>;
  dedupeKey: string;
  /** only webhooks this accepts (besides subscribing to the event) */
  only?: (w: WebhookConfig) => boolean;
}

/** How patient delivery is. */
export interface DeliveryOptions {
  env: Record<string, string | undefined>;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** attempts per delivery before it is given up as failed (default 5) */
  maxAttempts: number;
  /** wait after the first failed attempt; doubles each time (default 1000 ms) */
  backoffMs: number;
  /** limit of one attempt (default 10 s) */
  timeoutMs: number;
  /** longest Retry-After waited in-process; a longer one is left to a later pass (default 60 s) */
  maxWaitMs: number;
}

export const DEFAULT_DELIVERY: Omit<DeliveryOptions, 'env' | 'clock'> = {
  sleep: (ms) => sleepFor(ms),
  maxAttempts: 5,
  backoffMs: 1000,
  timeoutMs: 10_000,
  maxWaitMs: 60_000,
};

/**
 * Webhook notifications through a durable outbox: {@link enqueue} writes a row per subscribed webhook
 * (once per dedupe key), {@link deliver} posts them, recording every attempt, retrying with exponential
 * backoff (Retry-After on 429). A process killed between the two leaves pending rows the next
 * {@link deliver} sends.
 */
export class Notifier {
  readonly store: NotificationStore;
  private readonly o: DeliveryOptions;

  constructor(
    db: Kysely<Database>,
    readonly webhooks: readonly WebhookConfig[],
    o: Partial<DeliveryOptions> & Pick<DeliveryOptions, 'env'>,
  ) {
    this.store = new NotificationStore(db);
    this.o = { ...DEFAULT_DELIVERY, clock: () => new Date(), ...o };
  }

  /** True when some webhook takes `event`. */
  wants(event: NotifyEvent): boolean {
    return this.webhooks.some((w) => w.events.includes(event));
  }

  /** Records the messages for every webhook that takes them; returns the ids of new deliveries. */
  async enqueue(messages: readonly NotifyMessage[]): Promise<number[]> {
    const at = this.o.clock().toISOString();
    const rows: NewDelivery[] = [];
    for (const m of messages)
      for (const w of this.webhooks) {
        if (m.event !== 'test' && !w.events.includes(m.event)) continue;
        if (m.only && !m.only(w)) continue;
        rows.push({
          webhook: w.name,
          event: m.event,
          subject: m.subject,
          dedupeKey: m.dedupeKey,
          payload: { event: m.event, at, subject: m.subject, summary: m.summary, detail: m.detail },
        });
      }
    return rows.length ? this.store.enqueue(rows, at) : [];
  }

  /** Delivers the pending deliveries due now (or the named ones), one after another; returns their records. */
  async deliver(ids?: readonly number[]): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    for (const d of await this.store.due(this.o.clock().toISOString(), ids)) {
      await this.deliverOne(d);
      const after = (await this.store.list({ limit: 1, id: d.id }))[0];
      if (after) out.push(after);
    }
    return out;
  }

  private async deliverOne(d: DeliveryRecord & { payload: string }): Promise<void> {
    const w = this.webhooks.find((x) => x.name === d.webhook);
    let attempts = d.attempts;
    for (;;) {
      const now = this.o.clock();
      const r: WebhookAttempt = w
        ? await this.post(w, d.payload, now)
        : { ok: false, error: `no webhook named ${d.webhook} in the configuration` };
      attempts++;
      const wait = r.retryAfterMs ?? this.o.backoffMs * 2 ** (attempts - 1);
      const giveUp = r.ok || attempts >= this.o.maxAttempts;
      await this.store.attempt(d.id, {
        at: now.toISOString(),
        delivered: r.ok,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.error ? { error: r.error } : {}),
        ...(giveUp ? {} : { nextAttemptAt: new Date(now.getTime() + wait).toISOString() }),
      });
      // A long Retry-After is honoured by leaving the row to a later pass, not by holding this one.
      if (giveUp || wait > this.o.maxWaitMs) return;
      await this.o.sleep(wait);
    }
  }

  private async post(w: WebhookConfig, payload: string, now: Date): Promise<WebhookAttempt> {
    const secret = w.secretEnv ? this.o.env[w.secretEnv] : undefined;
    if (w.secretEnv && !secret)
      return { ok: false, error: `the environment variable ${w.secretEnv} (the signing key) is not set` };
    const body = formatBody(w.format, JSON.parse(payload) as Payload);
    return postWebhook({ name: w.name, url: w.url, ...(secret ? { secret } : {}) }, body, {
      timeoutMs: this.o.timeoutMs,
      now,
    });
  }
}

type Payload = { event: string; at: string; subject: string; summary: string; detail: unknown };

/** The request body for a webhook's format: the generic record, or Slack's `{ text }`. */
export function formatBody(format: WebhookConfig['format'], p: Payload): string {
  if (format === 'json') return JSON.stringify(p);
  const loud = p.event === 'rollback-failed' || p.event === 'emergency' ? ':rotating_light: ' : '';
  return JSON.stringify({ text: `${loud}*patchwise ${p.event}*: ${p.summary}` });
}

/** The notifier of the configuration (undefined when it names no webhook). */
export async function notifierFor(
  inputs: InventoryInputs,
  o: Partial<DeliveryOptions> = {},
): Promise<Notifier | undefined> {
  const webhooks = (await loadInventory(inputs)).config.config.notifications;
  if (webhooks.length === 0) return undefined;
  const db = (await inputs.openStore()).db;
  return new Notifier(db, webhooks, { env: inputs.env ?? process.env, ...o });
}

/** What a notify pass did. */
export interface NotifyPassResult {
  enqueued: number;
  delivered: number;
  failed: number;
  notes: string[];
}

/**
 * One notification pass at `now` (the scheduler calls it each pass): new emergencies and findings that
 * became overdue (once per host and finding), deferrals ending within a webhook's `deferralExpiringDays`
 * (once per deferral and review date), all through the fleet pipeline host by host; then every pending
 * delivery due (including those a killed process left) is sent.
 */
export async function notifyPass(
  inputs: InventoryInputs,
  now: Date,
  o: Partial<DeliveryOptions> = {},
): Promise<NotifyPassResult> {
  const inv = await loadInventory(inputs);
  const webhooks = inv.config.config.notifications;
  const result: NotifyPassResult = { enqueued: 0, delivered: 0, failed: 0, notes: [] };
  if (webhooks.length === 0) return result;
  const db = (await inputs.openStore()).db;
  const n = new Notifier(db, webhooks, { env: inputs.env ?? process.env, clock: () => now, ...o });
  if (n.wants('emergency') || n.wants('overdue')) {
    try {
      const run = await FleetRun.open(inputs, { inventory: inv, now, record: false });
      for await (const h of run.hosts())
        result.enqueued += (await n.enqueue(findingMessages(h.decided?.decisions() ?? []))).length;
      result.notes.push(...run.notes);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      result.notes.push(e.message); // nothing scanned or no advisories yet: nothing to tell
    }
  }
  if (n.wants('deferral-expiring')) {
    const policy = inv.config.config.policy ?? defaultPolicy();
    result.enqueued += (await n.enqueue(await expiringDeferrals(db, policy, now))).length;
  }
  for (const d of await n.deliver()) {
    if (d.state === 'delivered') result.delivered++;
    if (d.state === 'failed') result.failed++;
  }
  return result;
}

type DecisionLike = {
  host: string;
  package: string;
  vulnId: string;
  action: string;
  state: string;
  dueAt: string;
  kev: boolean;
  installedVersion: string;
  fixedVersion: string | null;
};

/** Messages for a host's emergencies and overdue findings (deferred ones are not news). */
export function findingMessages(decisions: readonly DecisionLike[]): NotifyMessage[] {
  const out: NotifyMessage[] = [];
  for (const d of decisions) {
    if (d.state === 'deferred') continue;
    const key = `${d.host}|${d.package}|${d.vulnId}`;
    const detail = {
      host: d.host,
      package: d.package,
      vulnId: d.vulnId,
      action: d.action,
      state: d.state,
      dueAt: d.dueAt,
      kev: d.kev,
      installedVersion: d.installedVersion,
      fixedVersion: d.fixedVersion,
    };
    const subject = `${d.host} ${d.package} ${d.vulnId}`;
    if (d.action === 'emergency')
      out.push({
        event: 'emergency',
        subject,
        summary: `Emergency on ${d.host}: ${d.package} ${d.installedVersion} has ${d.vulnId}${d.kev ? ' (known exploited)' : ''}; due ${d.dueAt}.`,
        detail,
        dedupeKey: `emergency:${key}`,
      });
    if (d.state === 'overdue')
      out.push({
        event: 'overdue',
        subject,
        summary: `Overdue on ${d.host}: ${d.package} ${d.vulnId} (${d.action}) was due ${d.dueAt}.`,
        detail,
        dedupeKey: `overdue:${key}`,
      });
  }
  return out;
}

const DAY_MS = 86_400_000;

async function expiringDeferrals(
  db: Kysely<Database>,
  policy: ReturnType<typeof defaultPolicy>,
  now: Date,
): Promise<NotifyMessage[]> {
  const out: NotifyMessage[] = [];
  for (const d of await new DeferralStore(db).list()) {
    const s = evaluateDeferral(d, { now, timeZone: policy.timeZone, policy });
    if (s.state === 'ended' || !s.endsAt) continue;
    const left = Date.parse(s.endsAt) - now.getTime();
    out.push({
      event: 'deferral-expiring',
      subject: d.id,
      summary: `Deferral ${d.id} (${d.findings.join(', ')}; owner ${d.owner}) ends ${s.endsAt}: review it or let it end.`,
      detail: {
        id: d.id,
        findings: d.findings,
        hosts: d.hosts,
        owner: d.owner,
        review: d.review,
        endsAt: s.endsAt,
      },
      dedupeKey: `deferral-expiring:${d.id}:${d.review}`,
      only: (w) => left <= (w.deferralExpiringDays ?? 7) * DAY_MS,
    });
  }
  return out;
}

/**
 * `notifications test NAME`: sends a test event to one webhook now (with the usual retries) and returns
 * its delivery record. @throws UserError when no webhook has the name.
 */
export async function sendTestNotification(
  inputs: InventoryInputs,
  name: string,
  now: Date,
  o: Partial<DeliveryOptions> = {},
): Promise<DeliveryRecord> {
  const webhooks = (await loadInventory(inputs)).config.config.notifications;
  const w = webhooks.find((x) => x.name === name);
  if (!w)
    throw new UserError(
      'webhook-unknown',
      `No webhook named ${name} under notifications: in the configuration.`,
      webhooks.length
        ? `Webhooks: ${webhooks.map((x) => x.name).join(', ')}.`
        : 'Add one; see docs/operations.md.',
    );
  const db = (await inputs.openStore()).db;
  const n = new Notifier(db, [w], { env: inputs.env ?? process.env, clock: () => now, ...o });
  const ids = await n.enqueue([
    {
      event: 'test',
      subject: name,
      // The origin only: a Slack-style URL carries its token in the path, a query string often does too.
      summary: `Test notification from patchwise to ${name} (${new URL(w.url).origin}).`,
      detail: {},
      dedupeKey: `test:${now.toISOString()}`,
    },
  ]);
  const [d] = await n.deliver(ids);
  return d!;
}

/** Recorded deliveries, newest first; only failed ones with `failed`. */
export async function listDeliveries(
  inputs: Pick<InventoryInputs, 'openStore'>,
  o: { failed?: boolean; limit?: number } = {},
): Promise<DeliveryRecord[]> {
  return new NotificationStore((await inputs.openStore()).db).list(o);
}

/**
 * The run controller's notifier: a host rolled back or whose rollback failed is enqueued and sent as it
 * happens (in the background; the run goes on), the run's end when it ends, which waits for them all.
 */
export function runNotifier(n: Notifier): RunNotifier {
  const sending: Promise<unknown>[] = [];
  const send = (m: NotifyMessage) =>
    sending.push(
      n
        .enqueue([m])
        .then((ids) => n.deliver(ids))
        .catch(() => undefined), // left pending in the outbox: the scheduler's next pass sends it
    );
  return {
    event(e) {
      if (e.type !== 'host' || (e.state !== 'rolled-back' && e.state !== 'rollback-failed')) return;
      const failed = e.state === 'rollback-failed';
      send({
        event: failed ? 'rollback-failed' : 'rollback',
        subject: `${e.run}/${e.host}`,
        summary: failed
          ? `ROLLBACK FAILED on ${e.host} in run ${e.run}: ${e.reason}. The host needs hands now.`
          : `${e.host} was rolled back in run ${e.run}: ${e.reason}.`,
        detail: { run: e.run, host: e.host, state: e.state, reason: e.reason, at: e.at },
        dedupeKey: `${e.state}:${e.run}:${e.host}:${e.at}`,
      });
    },
    async finished(s) {
      if (s) {
        const counts = Object.entries(s.hosts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ');
        send({
          event: 'run-finished',
          subject: s.run,
          summary: `Run ${s.run} ${s.state}: ${counts || 'no hosts'}${s.stopReason ? ` (${s.stopReason})` : ''}.`,
          detail: { ...s },
          dedupeKey: `run-finished:${s.run}:${s.state}:${counts}`,
        });
      }
      await Promise.allSettled(sending.splice(0));
    },
  };
}
