import { describe, expect, it } from 'vitest';
import type { Host } from '../inventory/host.js';
import { HostWindows } from './host-windows.js';
import type { FreezeConfig, WindowConfig } from './window-schema.js';

const host = (h: Partial<Host>): Host => ({ name: 'web-1', tags: {}, services: [], ...h }) as Host;

const weekly: WindowConfig = {
  name: 'web-weekly',
  schedule: 'FREQ=WEEKLY;BYDAY=SA',
  start: '02:00',
  duration: '3h',
  timeZone: 'Europe/Berlin',
  scope: { tags: { role: 'web' } },
} as WindowConfig;
const monthly: WindowConfig = {
  name: 'all-monthly',
  schedule: 'FREQ=MONTHLY;BYDAY=2TU',
  offsetDays: 4,
  start: '02:30',
  duration: '3h',
  timeZone: 'Europe/Berlin',
  scope: { tiers: [1, 2] },
} as WindowConfig;
// Sat 5 Dec 2026 is frozen: the weekly window's next open occurrence is Sat 12 Dec.
const freezes: FreezeConfig[] = [
  { name: 'fair', from: '2026-12-05', to: '2026-12-05', timeZone: 'Europe/Berlin' },
];
const now = new Date('2026-12-01T00:00:00Z');

describe('HostWindows', () => {
  const ws = new HostWindows([weekly, monthly], now, { freezes });

  it('expands each window once: the next occurrence, and the next one no freeze cancels', () => {
    const w = ws.byName('web-weekly')!;
    expect(w.next?.start.toString()).toBe('2026-12-05T01:00:00Z');
    expect(w.next?.frozen).toBe('fair');
    expect(w.nextOpen?.start.toString()).toBe('2026-12-12T01:00:00Z');
  });

  it.each([
    // web: weekly (12 Dec, after the frozen 5 Dec) beats monthly (second Tuesday + 4 = 12 Dec 02:30 +01:00)
    [{ tier: 1 as const, tags: { role: 'web' } }, 'web-weekly', '2026-12-12T01:00:00.000Z'],
    [{ tier: 2 as const, tags: { role: 'db' } }, 'all-monthly', '2026-12-12T01:30:00.000Z'],
    [{ tags: { role: 'web' } }, 'web-weekly', '2026-12-12T01:00:00.000Z'],
  ])('host %j: next window %s at %s', (h, window, at) => {
    const next = ws.nextFor(host(h));
    expect(next?.window).toBe(window);
    expect(next?.at.toISOString()).toBe(at);
  });

  it('a host no window covers has no next window', () => {
    expect(ws.nextFor(host({ tier: 3 }))).toBeUndefined();
    expect(ws.covers(host({ tier: 3 }))).toBe(false);
    expect(ws.covers(host({ tier: 2 }))).toBe(true);
  });
});
