import { classifyFinding } from '../policy/classify-package.js';
import type { HostRollup } from '../policy/rollup-host.js';

/** What patching a host in a window disturbs, most disruptive first. */
export const EXPECTED_IMPACTS = ['reboot', 'database-restart', 'services-restart', 'none'] as const;
export type ExpectedImpact = (typeof EXPECTED_IMPACTS)[number];

/**
 * The expected impact of a host's plan, from its rollup: a reboot when a change needs one, a database
 * restart when a database package changes, services restarting when any will (and no reboot restarts
 * them anyway); `none` when nothing of these. In the order of {@link EXPECTED_IMPACTS}.
 */
export function expectedImpact(
  r: Pick<HostRollup, 'rebootExpected' | 'restartServices' | 'packages'>,
): ExpectedImpact[] {
  const out: ExpectedImpact[] = [];
  if (r.rebootExpected) out.push('reboot');
  if (r.packages.some((p) => classifyFinding(p.package, p.binaries).classes.includes('database')))
    out.push('database-restart');
  if (!r.rebootExpected && r.restartServices.length > 0) out.push('services-restart');
  return out.length ? out : ['none'];
}

/** The impacts of several hosts together, in the order of {@link EXPECTED_IMPACTS} (`none` only alone). */
export function combinedImpact(lists: readonly (readonly ExpectedImpact[])[]): ExpectedImpact[] {
  const seen = new Set(lists.flat());
  const out = EXPECTED_IMPACTS.filter((i) => i !== 'none' && seen.has(i));
  return out.length ? out : ['none'];
}
