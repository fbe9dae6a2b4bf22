import { byRollupUrgency, type FleetDecisions, type HostPlan } from '../../src/app/decide.js';
import { loadInventory, type InventoryInputs } from '../../src/app/inventory.js';
import { loadAffected } from '../../src/adapters/store/advisory-store.js';
import { DeferralStore } from '../../src/adapters/store/deferral-store.js';
import { loadEol, loadEpss, loadKev } from '../../src/adapters/store/intel-store.js';
import { readHostState, streamLatestOkScans } from '../../src/adapters/store/scan-store.js';
import { cveIds } from '../../src/core/advisories/advisory.js';
import { buildAdvisoryIndex } from '../../src/core/advisories/advisory-index.js';
import { matchHost } from '../../src/core/advisories/match-host.js';
import type { Finding } from '../../src/core/findings/finding.js';
import { rankFindings } from '../../src/core/findings/rank-findings.js';
import { decidePrepared } from '../../src/core/policy/decide-finding.js';
import { defaultPolicy } from '../../src/core/policy/policy-schema.js';
import { prepareHost } from '../../src/core/policy/prepare-host.js';
import { byUrgency, rollupHost } from '../../src/core/policy/rollup-host.js';
import { ecosystemForOs } from '../../src/core/versions/ecosystem.js';
import type { FleetResults } from './golden-fleet.js';

/**
 * The fleet's results the slow, obvious way, as patchwise computed them before the fleet pipeline: every
 * finding of every host materialized (`matchHost`), ranked, each decided alone (`decidePrepared`, deadlines
 * from `now`: a store deciding for the first time), each host rolled up from its decisions. The oracle
 * the pipeline is checked against on a fleet whose findings are all first seen at `now`.
 */
export async function referenceResults(inputs: InventoryInputs, now: Date): Promise<FleetResults> {
  const inventory = await loadInventory(inputs);
  const policy = inventory.config.config.policy ?? defaultPolicy();
  const store = await inputs.openStore();
  const states = [];
  for await (const s of streamLatestOkScans(store.db)) states.push(readHostState(s));
  const ecosystems = [...new Set(states.map((s) => ecosystemForOs(s.os).osv))];
  const records = await loadAffected(store.db, ecosystems);
  const index = buildAdvisoryIndex(records, ecosystems);
  const cves = [...new Set(records.flatMap((r) => cveIds(r)))];
  const intel = {
    kev: await loadKev(store.db, cves),
    epss: await loadEpss(store.db, cves),
    eolReleases: await loadEol(store.db),
  };
  const findings = rankFindings(states.flatMap((s) => matchHost(s, index, intel, now)));
  const deferrals = await new DeferralStore(store.db).list();
  const byHost = new Map<string, Finding[]>();
  for (const f of findings) byHost.set(f.host, [...(byHost.get(f.host) ?? []), f]);
  const hosts: HostPlan[] = [];
  for (const [name, fs] of byHost) {
    const host = inventory.hosts.find((h) => h.name === name) ?? { name, services: [], tags: {} };
    const p = prepareHost(host, { policy, now, timeZone: policy.timeZone, deferrals });
    const decisions = fs.map((f) => decidePrepared(p, f, now.getTime())).sort(byUrgency);
    hosts.push({ ...rollupHost(host, decisions), decisions });
  }
  hosts.sort(byRollupUrgency);
  const fleet: FleetDecisions & { notes: string[] } = {
    now: now.toISOString(),
    timeZone: policy.timeZone,
    hosts,
    decisions: hosts.flatMap((h) => h.decisions).sort(byUrgency),
    notes: [...inventory.warnings],
  };
  return { findings, fleet };
}
