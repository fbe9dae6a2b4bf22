import { OS_FAMILIES, type OsFamily } from '../../core/inventory/os-families.js';
import { alpineCollector } from './alpine-collector.js';
import type { Collector } from './collector.js';
import { debianCollector } from './debian-collector.js';
import { rhelCollector } from './rhel-collector.js';

/** The collector of each OS family (the family comes from the one OS table, `core/inventory/os-families.ts`). */
export const COLLECTORS: Readonly<Record<OsFamily, Collector>> = {
  debian: debianCollector,
  rhel: rhelCollector,
  alpine: alpineCollector,
};

/**
 * The inventory part of a whole-host scan: os-release, then the package database of the first family
 * whose probe holds (in {@link OS_FAMILIES} order), each collector's own fixed shell. Prepended to the
 * extras probe by `collectHost`, so a scan is one round trip.
 */
export function inventoryScript(): string {
  const branches = OS_FAMILIES.map((f, i) => {
    const c = COLLECTORS[f];
    const body = c.script
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    return `${i === 0 ? 'if' : 'elif'} ${c.probe}; then\n${body}`;
  });
  return [
    's osrelease; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
    ...branches,
    'fi',
    '',
  ].join('\n');
}
