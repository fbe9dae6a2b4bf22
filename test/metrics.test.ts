import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FleetRun } from '../src/app/fleet-pipeline.js';
import { collectMetrics, MetricsCollector } from '../src/app/metrics.js';
import { Notifier } from '../src/app/notify.js';
import { runController } from '../src/app/rollout/run-controller.js';
import { tempDir } from './helpers/cli.js';
import { fakeDeps, setUpFakeRun } from './helpers/fake-run.js';
import { FLEET_YAML, fillFleet, notifyDir } from './helpers/notify-setup.js';
import { webhookReceiver } from './helpers/webhook-receiver.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
  vi.restoreAllMocks();
});

/** Parses Prometheus text exposition: every sample line under a TYPE, into `name{labels}` → value. */
function parseExposition(text: string): Map<string, number> {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(
      line,
    );
    if (!m) throw new Error(`not exposition format: ${line}`);
    const base = m[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(m[1]!) && types.get(base) !== 'histogram') throw new Error(`no TYPE for ${m[1]}`);
    const value = Number(m[3] === '+Inf' ? Infinity : m[3]);
    if (Number.isNaN(value)) throw new Error(`bad value in ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, value);
  }
  return samples;
}

const sum = (s: Map<string, number>, prefix: string) =>
  [...s].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);

describe('metrics', () => {
  it('exposes the fleet, runs and notifications of a store built through the real paths', async () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const d = await notifyDir(FLEET_YAML);
    cleanup.push(() => d.store.close());
    await fillFleet(d.store, now);
    // A run recorded and run by the controller (fake hosts) on the same data directory.
    const set = await setUpFakeRun(tempDir(), path.join(d.dir, '.patchwise'), [{ name: 'web1' }]);
    cleanup.push(() => set.store.close());
    await runController(set.id, fakeDeps(set.store, set.fleet, set.spec));
    // One delivery that failed for good, one delivered.
    const rx = await webhookReceiver([{ status: 500 }]);
    cleanup.push(rx.close);
    const hook = { name: 'ops', url: rx.url, format: 'json' as const, events: ['run-finished' as const] };
    const n = new Notifier(d.store.db, [hook], { env: {}, clock: () => now, maxAttempts: 1 });
    const msg = { event: 'run-finished' as const, subject: 'R', summary: 's', detail: {} };
    await n.deliver(await n.enqueue([{ ...msg, dedupeKey: 'a' }]));
    await n.deliver(await n.enqueue([{ ...msg, dedupeKey: 'b' }]));

    // What the fleet pipeline says, counted another way (the hosts' own counters).
    let findings = 0;
    let kev = 0;
    let kevHosts = 0;
    const run = await FleetRun.open(d.inputs, { now, record: false });
    for await (const h of run.hosts()) {
      findings += h.decided!.findings;
      kev += h.decided!.knownExploited;
      if (h.decided!.knownExploited > 0) kevHosts++;
    }
    expect(kevHosts).toBeGreaterThan(0);

    const out = await collectMetrics(d.inputs, now);
    expect(out.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parseExposition(out.body);
    expect(sum(s, 'patchwise_findings{')).toBe(findings);
    expect(s.get('patchwise_kev_findings')).toBe(kev);
    expect(s.get('patchwise_kev_hosts')).toBe(kevHosts);
    expect(s.get('patchwise_hosts_assessed')).toBe(2);
    expect(s.get('patchwise_fleet_assessed')).toBe(1);
    expect(s.get('patchwise_findings_overdue')).toBe(countState(s, 'overdue'));
    expect(s.get('patchwise_hosts_stale{days="7"}')).toBe(0);
    expect(s.get('patchwise_hosts_scanned')).toBe(2);
    expect(s.get('patchwise_scan_duration_seconds_count')).toBe(2);
    expect(s.get('patchwise_run_hosts_total{state="verified"}')).toBe(1);
    const steps = await set.runs.steps(set.id, 'web1');
    expect(s.get('patchwise_run_step_duration_seconds_count{step="apply"}')).toBe(
      steps.filter((x) => x.step === 'apply').length,
    );
    expect(s.get('patchwise_notifications{webhook="ops",event="run-finished",state="failed"}')).toBe(1);
    expect(s.get('patchwise_notifications{webhook="ops",event="run-finished",state="delivered"}')).toBe(1);
    expect(s.get('patchwise_notification_failures{webhook="ops"}')).toBe(1);
    expect(s.get('patchwise_notification_attempts_total{webhook="ops"}')).toBe(2);

    // Eight days on, both hosts are stale.
    const later = parseExposition(
      (await collectMetrics(d.inputs, new Date(now.getTime() + 8 * 86_400_000))).body,
    );
    expect(later.get('patchwise_hosts_stale{days="7"}')).toBe(2);
  }, 120_000);

  it('computes the fleet part once per store change, not per scrape', async () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const d = await notifyDir(FLEET_YAML);
    cleanup.push(() => d.store.close());
    await fillFleet(d.store, now);
    const open = vi.spyOn(FleetRun, 'open');
    const c = new MetricsCollector(d.inputs);
    const a = await c.collect(now);
    const b = await c.collect(new Date(now.getTime() + 15_000));
    expect(open).toHaveBeenCalledTimes(1);
    expect(b.body).toBe(a.body);
    await fillFleet(d.store, new Date(now.getTime() + 30_000)); // new scans: the fleet changed
    await c.collect(new Date(now.getTime() + 45_000));
    expect(open).toHaveBeenCalledTimes(2);
  }, 120_000);

  it('reports an empty store as not assessed, without failing', async () => {
    const d = await notifyDir('');
    cleanup.push(() => d.store.close());
    const s = parseExposition((await collectMetrics(d.inputs)).body);
    expect(s.get('patchwise_fleet_assessed')).toBe(0);
    expect(s.get('patchwise_hosts_scanned')).toBe(0);
  });
});

function countState(s: Map<string, number>, state: string): number {
  return [...s]
    .filter(([k]) => k.startsWith('patchwise_findings{') && k.includes(`state="${state}"`))
    .reduce((a, [, v]) => a + v, 0);
}
