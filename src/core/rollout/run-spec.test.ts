import { expect, it } from 'vitest';
import { runId } from './run-spec.js';

it('makes run ids from the UTC time and four hex digits', () => {
  expect(runId(new Date('2026-12-12T01:02:03.456Z'), 0.5)).toBe('R-20261212T0102038000');
  expect(runId(new Date('2026-12-12T01:02:03Z'), 0)).toMatch(/^R-20261212T010203[0-9a-f]{4}$/);
});
