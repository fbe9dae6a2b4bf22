import { describe, expect, it } from 'vitest';
import type { Host } from '../inventory/host.js';
import { hostInScope } from './window-scope.js';

const host = (h: Partial<Host>): Host => ({ name: 'web-1', tags: {}, services: [], ...h }) as Host;

describe('hostInScope', () => {
  it.each([
    [{ tiers: [1 as const] }, { tier: 1 as const }, true],
    [{ tiers: [1 as const] }, { tier: 2 as const }, false],
    [{ tiers: [1 as const] }, {}, false],
    [{ tags: { role: 'web' } }, { tags: { role: 'web' } }, true],
    [{ tags: { role: 'web' } }, { tags: { role: 'db' } }, false],
    [{ names: ['web-*'] }, {}, true],
    [{ names: ['db-?'] }, {}, false],
    [{ environments: ['production'] }, { environment: 'production' }, true],
    [
      { tiers: [1 as const], environments: ['production'] },
      { tier: 1 as const, environment: 'staging' },
      false,
    ],
    [{}, {}, true],
  ])('scope %j, host %j -> %s', (scope, h, expected) => {
    expect(hostInScope(scope, host(h))).toBe(expected);
  });

  it('a window without a scope covers no host', () => {
    expect(hostInScope(undefined, host({ tier: 1 }))).toBe(false);
  });
});
