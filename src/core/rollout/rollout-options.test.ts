import { describe, expect, it } from 'vitest';
import { resolveRollout, restorePointFor } from './rollout-options.js';

describe('resolveRollout', () => {
  it('fills in the defaults', () => {
    expect(resolveRollout()).toEqual({
      canary: 1,
      batchSize: 5,
      maxConcurrency: 5,
      maxErrors: 1,
      staged: true,
      reboot: 'if-needed',
      rebootTimeoutSeconds: 300,
      downgradeRollback: false,
      settleSeconds: 10,
      lockTimeoutSeconds: 120,
      minFreeMiB: 200,
      cutoffBehavior: 'continue',
      hooks: {},
    });
  });
  it('lets the window win over the configuration key by key', () => {
    const r = resolveRollout(
      { maxConcurrency: 2, reboot: 'never', hooks: { pre: ['a'] } },
      { reboot: 'always', hooks: { post: ['b'] } },
    );
    expect(r).toMatchObject({ maxConcurrency: 2, batchSize: 2, reboot: 'always' });
    expect(r.hooks).toEqual({ pre: ['a'], post: ['b'] });
  });
});

describe('restorePointFor', () => {
  it.each([
    [1, [], 'required'],
    [2, [], 'required'],
    [undefined, [], 'required'],
    [3, [], 'if-available'],
    [4, ['snapshot-first'], 'required'],
  ] as const)('tier %s rollback %j -> %s', (tier, rollback, want) => {
    expect(restorePointFor({}, tier, rollback)).toBe(want);
  });
  it('keeps a configured mode', () => {
    expect(restorePointFor({ restorePoint: 'never' }, 1)).toBe('never');
  });
});
