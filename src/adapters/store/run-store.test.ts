import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { boundOutput, OUTPUT_LIMIT, RunStore } from './run-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-run-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('counts attempts, keeps the tail of long output, and reads back what it wrote', async () => {
  const store = await openStore(dir);
  const runs = new RunStore(store.db);
  const spec = { rollout: {}, hosts: [], packagesGiven: true } as never;
  await runs.create(
    {
      id: 'R-1',
      createdAt: '2026-12-12T01:00:00Z',
      actor: 'a',
      kind: 'emergency',
      reason: 'r',
      spec,
      controllerPid: 1,
    },
    [{ host: 'h', position: 0, batch: 0 }],
  );
  expect(await runs.stepStarted('R-1', 'h', 'apply', '2026-12-12T01:00:01Z')).toBe(1);
  expect(await runs.stepStarted('R-1', 'h', 'apply', '2026-12-12T01:00:02Z')).toBe(2);
  const long = 'x'.repeat(OUTPUT_LIMIT) + 'END';
  await runs.stepEnded('R-1', 'h', 'apply', {
    status: 'ok',
    output: long,
    detail: {},
    at: '2026-12-12T01:00:03Z',
    actor: 'a',
  });
  const [s] = await runs.steps('R-1');
  expect(s).toMatchObject({ step: 'apply', status: 'ok', attempts: 2, endedAt: '2026-12-12T01:00:03Z' });
  expect(s!.output.endsWith('END')).toBe(true);
  expect(s!.output.length).toBeLessThan(OUTPUT_LIMIT + 100);
  expect(boundOutput('short')).toBe('short');
  expect(await runs.get('R-1')).toMatchObject({ state: 'running', kind: 'emergency', reason: 'r' });
  await store.close();
});
