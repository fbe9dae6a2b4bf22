import { describe, expect, it } from 'vitest';
import { defaultPolicy, PolicySchema } from './policy-schema.js';

describe('PolicySchema', () => {
  it('an empty policy is the full default policy', () => {
    const p = defaultPolicy();
    expect(p.deadlines).toEqual({
      emergencyHours: 48,
      kevDays: 14,
      criticalDays: 15,
      highDays: 30,
      urgentWindowDays: 15,
    });
    expect(p.emergency.epssThreshold).toBe(0.1);
    expect(p.tiers['1'].emergency).toBe('owner-present');
    expect(p.tiers['4']).toMatchObject({ rhythm: 'review', emergency: 'isolate-if-unmaintained' });
    expect(p.deferral.maxDays.emergency).toBe(3);
  });
  it('a partial tier keeps that tier’s own defaults', () => {
    const p = PolicySchema.parse({ tiers: { '1': { windowDays: 14 } } });
    expect(p.tiers['1']).toMatchObject({ windowDays: 14, rhythm: 'monthly', emergency: 'owner-present' });
  });
  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ deadlines: { emergencyHours: -1 } }, 'deadlines.emergencyHours'],
    [{ emergency: { epssThreshold: 2 } }, 'emergency.epssThreshold'],
    [{ tiers: { '5': {} } }, 'tiers'],
    [{ deadline: {} }, ''],
  ])('rejects %j at %s', (input, path) => {
    const r = PolicySchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.')).toBe(path);
  });
});
