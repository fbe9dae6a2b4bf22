import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { redactUrl, webhookUrlProblem } from '../src/adapters/notify/webhook.js';
import { DeferralStore } from '../src/adapters/store/deferral-store.js';
import { NotificationStore, type NotificationTables } from '../src/adapters/store/notification-store.js';
import type { Store } from '../src/adapters/store/open-store.js';
import {
  listDeliveries,
  Notifier,
  notifyPass,
  runNotifier,
  sendTestNotification,
  type NotifyMessage,
} from '../src/app/notify.js';
import { runController } from '../src/app/rollout/run-controller.js';
import { tempDir } from './helpers/cli.js';
import { fakeDeps, setUpFakeRun } from './helpers/fake-run.js';
import { FLEET_YAML, fillFleet, notifyDir } from './helpers/notify-setup.js';
import { webhookReceiver, type Answer } from './helpers/webhook-receiver.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

const SECRET = 'k3y-for-tests';

async function setUp(opts: { script?: Answer[]; format?: string; events?: string; fleet?: string } = {}) {
  const rx = await webhookReceiver(opts.script);
  const yaml = `${opts.fleet ?? ''}
notifications:
  - name: ops
    url: ${rx.url}?token=hidden
    format: ${opts.format ?? 'json'}
    events: [${opts.events ?? 'emergency, overdue, run-finished, rollback, rollback-failed, deferral-expiring'}]
    secretEnv: HOOK_KEY
`;
  const d = await notifyDir(yaml, { HOOK_KEY: SECRET });
  cleanup.push(rx.close, () => d.store.close());
  const waits: number[] = [];
  const delivery = {
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
  return { ...d, rx, waits, delivery };
}

const now = new Date('2026-12-01T09:00:00Z');
const message = (key = 'k1'): NotifyMessage => ({
  event: 'run-finished',
  subject: 'R-1',
  summary: 'Run R-1 finished: 1 verified.',
  detail: { run: 'R-1' },
  dedupeKey: key,
});

function notifier(s: { store: Store; delivery: { sleep: (ms: number) => Promise<void> } }, hooks: string) {
  return new Notifier(s.store.db, [webhookOf(hooks)], {
    env: { HOOK_KEY: SECRET },
    clock: () => now,
    ...s.delivery,
  });
}
const webhookOf = (url: string) => ({
  name: 'ops',
  url,
  format: 'json' as const,
  events: ['run-finished' as const, 'rollback-failed' as const],
  secretEnv: 'HOOK_KEY',
});

describe('webhook notifications', () => {
  it('signs the raw body with HMAC-SHA256 and sends the generic record', async () => {
    const s = await setUp();
    const d = await sendTestNotification(s.inputs, 'ops', now, s.delivery);
    expect(d).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, event: 'test' });
    const [req] = s.rx.got;
    expect(req!.headers['content-type']).toBe('application/json');
    const expected = createHmac('sha256', SECRET).update(req!.body).digest('hex');
    expect(req!.headers['x-patchwise-signature']).toBe(`sha256=${expected}`);
    expect(req!.headers['x-patchwise-timestamp']).toBe(String(now.getTime() / 1000));
    expect(req!.url).toBe('/hook?token=hidden');
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['at', 'detail', 'event', 'subject', 'summary']);
    // The summary names the webhook's address without its query (tokens live there).
    expect(JSON.stringify(body)).not.toContain('hidden');
  });

  it('sends Slack-compatible { text } when format is slack', async () => {
    const s = await setUp({ format: 'slack' });
    await sendTestNotification(s.inputs, 'ops', now, s.delivery);
    const body = JSON.parse(s.rx.got[0]!.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toMatch(/^\*patchwise test\*: Test notification/);
  });

  it('retries a 500 with doubling backoff, then delivers', async () => {
    const s = await setUp({ script: [{ status: 500 }, { status: 503 }] });
    const d = await sendTestNotification(s.inputs, 'ops', now, s.delivery);
    expect(d).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
    expect(s.waits).toEqual([1000, 2000]);
    expect(s.rx.got).toHaveLength(3);
  });

  it('waits as long as a 429 Retry-After says', async () => {
    const s = await setUp({ script: [{ status: 429, headers: { 'retry-after': '7' } }] });
    const d = await sendTestNotification(s.inputs, 'ops', now, s.delivery);
    expect(d).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(s.waits).toEqual([7000]);
  });

  it('gives up after five attempts and records the failure where list --failed shows it', async () => {
    const s = await setUp({ script: Array.from({ length: 9 }, () => ({ status: 500 })) });
    const d = await sendTestNotification(s.inputs, 'ops', now, s.delivery);
    expect(d).toMatchObject({ state: 'failed', attempts: 5, lastStatus: 500, lastError: 'HTTP 500' });
    expect(d.nextAttemptAt).toBeUndefined();
    expect(s.waits).toEqual([1000, 2000, 4000, 8000]);
    expect((await listDeliveries(s.inputs, { failed: true })).map((x) => x.id)).toEqual([d.id]);
  });

  it('keeps an enqueued notification through a crash: a later pass delivers it, once', async () => {
    const s = await setUp();
    const first = notifier(s, `${s.rx.url}`);
    const ids = await first.enqueue([message()]);
    expect(ids).toHaveLength(1);
    // "Killed" before delivering: nothing sent, the row waits.
    expect(s.rx.got).toHaveLength(0);
    expect(await first.enqueue([message()])).toEqual([]); // dedupe: the same key is not added again
    const later = notifier(s, `${s.rx.url}`);
    const sent = await later.deliver();
    expect(sent.map((d) => [d.id, d.state])).toEqual([[ids[0], 'delivered']]);
    expect(await later.deliver()).toEqual([]);
    expect(s.rx.got).toHaveLength(1);
  });

  it('refuses plain http to a non-loopback host and never stores the query or the secret', async () => {
    expect(webhookUrlProblem('http://example.com/x')).toMatch(/https/);
    expect(webhookUrlProblem('http://127.0.0.1:9/x')).toBeUndefined();
    expect(redactUrl('https://h.example/p?token=abc')).toBe('https://h.example/p?…');
    const s = await setUp();
    const n = new Notifier(s.store.db, [{ ...webhookOf('http://example.com/x?token=abc') }], {
      env: { HOOK_KEY: SECRET },
      clock: () => now,
      ...s.delivery,
      maxAttempts: 1,
    });
    const [d] = await n.deliver(await n.enqueue([message()]));
    expect(d).toMatchObject({ state: 'failed', attempts: 1 });
    const rows = await s.store.db
      .withTables<NotificationTables>()
      .selectFrom('notification_delivery')
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toMatch(/token=abc|k3y-for-tests/);
  });

  it('tells of a failed rollback at once and of the run when it ends', async () => {
    const s = await setUp();
    const rn = runNotifier(notifier(s, s.rx.url));
    rn.event({
      type: 'host',
      run: 'R-1',
      host: 'web-1',
      state: 'rollback-failed',
      reason: 'boom',
      at: now.toISOString(),
    });
    rn.event({
      type: 'host',
      run: 'R-1',
      host: 'web-2',
      state: 'verified',
      reason: 'ok',
      at: now.toISOString(),
    });
    await rn.finished({
      run: 'R-1',
      state: 'finished',
      hosts: { 'rollback-failed': 1, verified: 1 },
      exitCode: 3,
    });
    const events = s.rx.got.map((r) => (JSON.parse(r.body) as { event: string }).event).sort();
    expect(events).toEqual(['rollback-failed', 'run-finished']);
    const failed = JSON.parse(s.rx.got.find((r) => r.body.includes('rollback-failed'))!.body) as {
      summary: string;
    };
    expect(failed.summary).toMatch(/^ROLLBACK FAILED on web-1/);
  });
});

describe('notify pass over the fleet', () => {
  it('tells of each emergency once per host and finding, across passes', async () => {
    const s = await setUp({ fleet: FLEET_YAML, events: 'emergency' });
    await fillFleet(s.store, now);
    const first = await notifyPass(s.inputs, now, s.delivery);
    expect(first.enqueued).toBeGreaterThan(0);
    expect(first.delivered).toBe(first.enqueued);
    const bodies = s.rx.got.map((r) => JSON.parse(r.body) as { event: string; detail: { host: string } });
    expect(new Set(bodies.map((b) => b.event))).toEqual(new Set(['emergency']));
    expect(bodies.some((b) => b.detail.host === 'web-1')).toBe(true);
    const again = await notifyPass(s.inputs, new Date(now.getTime() + 60_000), s.delivery);
    expect(again).toMatchObject({ enqueued: 0, delivered: 0 });
    expect(s.rx.got).toHaveLength(first.enqueued);
    const stored = await new NotificationStore(s.store.db).list();
    expect(stored.every((d) => d.state === 'delivered' && d.attempts === 1)).toBe(true);
  }, 120_000);
});

describe('notifications from the run controller', () => {
  it('a run that rolls a host back tells of the rollback and of its end', async () => {
    const s = await setUp();
    const set = await setUpFakeRun(tempDir(), tempDir(), [
      { name: 'web1', state: { breaks: { openssl: '3.0.2-1' } } },
    ]);
    cleanup.push(() => set.store.close());
    const n = new Notifier(set.store.db, [webhookOf(s.rx.url)], {
      env: { HOOK_KEY: SECRET },
      ...s.delivery,
    });
    const deps = { ...fakeDeps(set.store, set.fleet, set.spec), notifier: runNotifier(n) };
    const summary = await runController(set.id, deps);
    expect(summary.hosts).toEqual({ 'rolled-back': 1 });
    const sent = s.rx.got.map((r) => JSON.parse(r.body) as { event: string; subject: string });
    // The webhook takes run-finished and rollback-failed, not rollback: only the run's end is sent.
    expect(sent).toEqual([expect.objectContaining({ event: 'run-finished', subject: set.id })]);
  }, 60_000);
});

describe('deferral-expiring', () => {
  it('tells once per deferral and review date, only within the webhook’s days', async () => {
    const s = await setUp({ events: 'deferral-expiring' });
    await new DeferralStore(s.store.db).add(
      {
        findings: ['CVE-2024-1234'],
        hosts: ['db-1'],
        reason: 'vendor regression',
        control: 'port closed',
        owner: 'alice',
        review: '2026-12-10T09:00:00Z',
        until: 'fix-available',
        createdAt: now.toISOString(),
      },
      'test',
    );
    // Nine days before the review: outside the default seven.
    expect((await notifyPass(s.inputs, now, s.delivery)).enqueued).toBe(0);
    const soon = new Date('2026-12-05T09:00:00Z');
    expect(await notifyPass(s.inputs, soon, s.delivery)).toMatchObject({ enqueued: 1, delivered: 1 });
    expect((await notifyPass(s.inputs, new Date(soon.getTime() + 3_600_000), s.delivery)).enqueued).toBe(0);
    const body = JSON.parse(s.rx.got[0]!.body) as { event: string; subject: string };
    expect(body).toMatchObject({ event: 'deferral-expiring', subject: 'D-1' });
  });
});
