import fs from 'node:fs';
import { Gauge, Histogram, Registry } from 'prom-client';
import { NotificationStore } from '../adapters/store/notification-store.js';
import type { Store } from '../adapters/store/open-store.js';
import type { RunTables } from '../adapters/store/run-store.js';
import { latestScanSummaries } from '../adapters/store/scan-store.js';
import { UserError } from '../core/errors.js';
import { FleetRun } from './fleet-pipeline.js';
import type { InventoryInputs } from './inventory.js';

/** The Prometheus text exposition and its content type, for `/metrics`. */
export interface MetricsText {
  contentType: string;
  body: string;
}

/** Hosts whose latest successful scan is older than this many days count as stale. */
export const STALE_DAYS = 7;

const SCAN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800];
const STEP_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** Fleet gauges judge overdue states at the scrape's clock: recomputed at least this often. */
const FLEET_TTL_MS = 5 * 60_000;
const STREAM_CHUNK = 1000;

/**
 * Prometheus metrics of the store, computed at scrape time. The fleet-derived part (findings through the
 * fleet pipeline, scan and step durations) is kept in a registry cached per store change (latest scan,
 * run steps, deferrals, feeds, the configuration file) and per five minutes, so a scrape every 15 s costs
 * a few small queries; the cheap part (stale hosts, run outcomes, notifications) is read every scrape.
 * Every metric lives in the collector's own registries, never prom-client's global one. One collector per
 * server; it holds one cached registry.
 */
export class MetricsCollector {
  private cached?: { key: string; registry: Registry };

  constructor(private readonly inputs: InventoryInputs) {}

  /** The exposition text at `now`. */
  async collect(now: Date = new Date()): Promise<MetricsText> {
    const store = await this.inputs.openStore();
    const key = await this.changeKey(store, now);
    if (this.cached?.key !== key) this.cached = { key, registry: await this.fleetRegistry(store, now) };
    const registry = Registry.merge([this.cached.registry, await cheapRegistry(store, now)]);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  private async changeKey(store: Store, now: Date): Promise<string> {
    const db = store.db.withTables<RunTables & { deferral: { id: number; ended_at: string | null } }>();
    const scan = await db
      .selectFrom('scan')
      .select((eb) => eb.fn.max('id').as('v'))
      .executeTakeFirst();
    const steps = await db
      .selectFrom('run_step')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('ended_at').as('ended')])
      .executeTakeFirst();
    const defs = await db
      .selectFrom('deferral')
      .select((eb) => [eb.fn.max('id').as('v'), eb.fn.count('ended_at').as('ended')])
      .executeTakeFirst();
    const feeds = await db
      .selectFrom('feed')
      .select((eb) => eb.fn.max('imported_at').as('v'))
      .executeTakeFirst();
    let config = 0;
    try {
      config = fs.statSync(this.inputs.configPath).mtimeMs;
    } catch {
      // no configuration file: an empty configuration
    }
    return JSON.stringify([
      scan?.v,
      steps?.n,
      steps?.ended,
      defs?.v,
      defs?.ended,
      feeds?.v,
      config,
      Math.floor(now.getTime() / FLEET_TTL_MS),
    ]);
  }

  private async fleetRegistry(store: Store, now: Date): Promise<Registry> {
    const registry = new Registry();
    await fleetGauges(this.inputs, now, registry);
    await scanDurations(store, registry);
    await stepDurations(store, registry);
    return registry;
  }
}

/** The metrics once, without a cache (a test, a one-off `curl`): see {@link MetricsCollector}. */
export async function collectMetrics(inputs: InventoryInputs, now: Date = new Date()): Promise<MetricsText> {
  return new MetricsCollector(inputs).collect(now);
}

/** Findings by action and state, overdue and known-exploited exposure: the fleet pipeline, host by host. */
async function fleetGauges(inputs: InventoryInputs, now: Date, registry: Registry): Promise<void> {
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const findings = g(
    'patchwise_findings',
    'Findings by decided action and state (due, overdue, deferred, awaiting-fix).',
    ['action', 'state'],
  );
  const overdue = g('patchwise_findings_overdue', 'Findings past their deadline (not deferred).');
  const kevFindings = g('patchwise_kev_findings', 'Findings of known-exploited vulnerabilities (CISA KEV).');
  const kevHosts = g('patchwise_kev_hosts', 'Hosts with at least one known-exploited finding.');
  const assessed = g(
    'patchwise_hosts_assessed',
    'Hosts whose latest successful scan was matched and decided.',
  );
  const ok = g(
    'patchwise_fleet_assessed',
    '1 when the fleet could be assessed (feeds imported, hosts scanned).',
  );
  overdue.set(0);
  kevFindings.set(0);
  kevHosts.set(0);
  assessed.set(0);
  let run: FleetRun;
  try {
    run = await FleetRun.open(inputs, { now, record: false });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    ok.set(0);
    return;
  }
  ok.set(1);
  const counts = new Map<string, number>();
  for await (const h of run.hosts()) {
    assessed.inc();
    let kev = 0;
    for (const d of h.decided?.decisions() ?? []) {
      const k = `${d.action}\t${d.state}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (d.state === 'overdue') overdue.inc();
      if (d.kev) kev++;
    }
    kevFindings.inc(kev);
    if (kev > 0) kevHosts.inc();
  }
  for (const [k, n] of counts) {
    const [action, state] = k.split('\t') as [string, string];
    findings.set({ action, state }, n);
  }
}

const seconds = (from: string, to: string | null): number | undefined => {
  if (!to) return undefined;
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) && s >= 0 ? s : undefined;
};

/** Durations of every stored successful scan, streamed. */
async function scanDurations(store: Store, registry: Registry): Promise<void> {
  const h = new Histogram({
    name: 'patchwise_scan_duration_seconds',
    help: 'How long stored successful scans took (started to finished).',
    buckets: SCAN_BUCKETS,
    registers: [registry],
  });
  const rows = store.db
    .selectFrom('scan')
    .select(['started_at', 'finished_at'])
    .where('status', '=', 'ok')
    .stream(STREAM_CHUNK);
  for await (const r of rows) {
    const s = seconds(r.started_at, r.finished_at);
    if (s !== undefined) h.observe(s);
  }
}

/** Durations of every ended run step, by step, streamed. */
async function stepDurations(store: Store, registry: Registry): Promise<void> {
  const h = new Histogram({
    name: 'patchwise_run_step_duration_seconds',
    help: 'How long ended run steps took, by step.',
    labelNames: ['step'],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const rows = store.db
    .withTables<RunTables>()
    .selectFrom('run_step')
    .select(['step', 'started_at', 'ended_at'])
    .where('ended_at', 'is not', null)
    .stream(STREAM_CHUNK);
  for await (const r of rows) {
    const s = seconds(r.started_at, r.ended_at);
    if (s !== undefined) h.observe({ step: r.step }, s);
  }
}

/** Stale hosts, run outcomes and notification deliveries: small grouped queries, read every scrape. */
async function cheapRegistry(store: Store, now: Date): Promise<Registry> {
  const registry = new Registry();
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const stale = g(
    'patchwise_hosts_stale',
    'Scanned hosts whose latest successful scan is older than `days` (or that never scanned successfully).',
    ['days'],
  );
  const scanned = g('patchwise_hosts_scanned', 'Hosts with at least one stored scan.');
  const cutoff = now.getTime() - STALE_DAYS * 86_400_000;
  let n = 0;
  let old = 0;
  for (const s of await latestScanSummaries(store.db)) {
    n++;
    if (!s.lastOk || Date.parse(s.lastOk.startedAt) < cutoff) old++;
  }
  scanned.set(n);
  stale.set({ days: String(STALE_DAYS) }, old);

  const runHosts = g('patchwise_run_hosts_total', 'Hosts of all recorded runs by their state.', ['state']);
  const rows = await store.db
    .withTables<RunTables>()
    .selectFrom('run_host')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute();
  for (const r of rows) runHosts.set({ state: r.state }, Number(r.n));

  const deliveries = g(
    'patchwise_notifications',
    'Webhook deliveries by webhook, event and state (pending, delivered, failed).',
    ['webhook', 'event', 'state'],
  );
  const attempts = g('patchwise_notification_attempts_total', 'Delivery attempts made, by webhook.', [
    'webhook',
  ]);
  const failures = g(
    'patchwise_notification_failures',
    'Deliveries given up after their last attempt, by webhook.',
    ['webhook'],
  );
  const perHook = new Map<string, { attempts: number; failed: number }>();
  for (const c of await new NotificationStore(store.db).counts()) {
    deliveries.set({ webhook: c.webhook, event: c.event, state: c.state }, c.n);
    const x = perHook.get(c.webhook) ?? { attempts: 0, failed: 0 };
    x.attempts += c.attempts;
    if (c.state === 'failed') x.failed += c.n;
    perHook.set(c.webhook, x);
  }
  for (const [webhook, x] of perHook) {
    attempts.set({ webhook }, x.attempts);
    failures.set({ webhook }, x.failed);
  }
  return registry;
}
