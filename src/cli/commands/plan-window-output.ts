import type { WindowPlan, WindowPlanHost } from '../../app/plan-window.js';
import { NdjsonWriter } from '../ndjson.js';
import { formatTable, type Column } from '../output.js';
import { safeText } from '../safe-text.js';

const COLUMNS: Column<WindowPlanHost>[] = [
  { header: 'HOST', get: (h) => h.host, max: 24 },
  { header: 'TIER', get: (h) => h.tier ?? '?' },
  { header: 'ACTION', get: (h) => h.action ?? '-' },
  { header: 'DUE', get: (h) => h.dueLocal ?? '' },
  { header: 'IMPACT', get: (h) => h.impact.join(',') },
  { header: 'RESTARTS', get: (h) => h.restartServices.join(','), max: 30 },
  {
    header: 'PACKAGES',
    get: (h) =>
      h.packages
        .filter((p) => p.fits)
        .map((p) => `${p.package} ${p.to}`)
        .join(', '),
    max: 60,
  },
];

/** `plan --window` as text: the occurrence, its parts, the hosts in order, and what does not fit. */
export function printWindowPlan(p: WindowPlan): void {
  const o = p.occurrence;
  const out: string[] = [`Window ${p.window}: ${o.startLocal} to ${o.endLocal} (${o.timeZone}), ${o.start}`];
  if (o.frozen)
    out.push(
      `  FROZEN: the freeze ${o.frozen} cancels this occurrence; nothing in it runs.` +
        (p.nextOpen ? ` Next open occurrence: ${p.nextOpen.startLocal} (${p.nextOpen.timeZone}).` : ''),
    );
  if (o.releases.length) out.push(`  release conflict: ${o.releases.join(', ')}`);
  out.push(
    `  owner: ${p.owner ?? '(none)'}; rollback: ${p.rollback ?? '(none)'}; impact: ${p.impact && p.impact !== 'auto' ? `${p.impact} (stated); expected ` : ''}${p.impactExpected.join(', ')}` +
      (p.cutoff ? `; cutoff: ${p.cutoff}` : ''),
  );
  process.stdout.write(out.map(safeText).join('\n') + '\n\n');
  process.stdout.write(formatTable(p.hosts, COLUMNS));
  if (p.doesNotFit.length === 0) return;
  const lines = ['', 'Due but not in this occurrence:'];
  for (const m of p.doesNotFit) {
    if (m.reason === 'deferred') lines.push(`  ${m.host}: ${m.findings} deferred findings`);
    else if (m.reason === 'frozen') lines.push(`  ${m.host} ${m.package}: frozen (${m.freeze})`);
    else
      lines.push(
        `  ${m.host} ${m.package}: due ${m.dueAt} before the window opens: an emergency run, or an extra window`,
      );
  }
  process.stdout.write(lines.map(safeText).join('\n') + '\n');
}

/**
 * `plan --window --json`: NDJSON, a header naming the window and occurrence, then one line per host in
 * plan order, then one line per thing that does not fit.
 */
export async function writeWindowPlan(p: WindowPlan): Promise<void> {
  const json = new NdjsonWriter();
  const { hosts, doesNotFit, ...head } = p;
  await json.header('window-plan', 1, head);
  for (const h of hosts) await json.write(h);
  for (const m of doesNotFit) await json.write(m);
  await json.flush();
}
