import type { Host } from '../inventory/host.js';
import type { WindowScope } from './window-schema.js';

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * True when a window's scope covers the host: it matches every criterion the scope lists (tiers, tags,
 * names with * and ?, environments). A window without a scope covers no host.
 */
export function hostInScope(scope: WindowScope | undefined, host: Host): boolean {
  if (!scope) return false;
  if (scope.tiers && (host.tier === undefined || !scope.tiers.includes(host.tier))) return false;
  if (scope.environments && (!host.environment || !scope.environments.includes(host.environment)))
    return false;
  if (scope.names && !scope.names.some((n) => globToRegExp(n).test(host.name))) return false;
  for (const [k, v] of Object.entries(scope.tags ?? {})) if (host.tags[k] !== v) return false;
  return true;
}

/** A scope in words: `tiers 1; tags role=web`, `every host`, or `none (covers no host)`. */
export function describeScope(s: WindowScope | undefined): string {
  if (!s) return 'none (covers no host)';
  const parts = [
    s.tiers ? `tiers ${s.tiers.join(',')}` : '',
    s.tags
      ? `tags ${Object.entries(s.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`
      : '',
    s.names ? `names ${s.names.join(',')}` : '',
    s.environments ? `environments ${s.environments.join(',')}` : '',
  ];
  return parts.filter(Boolean).join('; ') || 'every host';
}
