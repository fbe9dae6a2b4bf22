import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowEvent } from '../../core/windows/scheduler.js';
import { openStore, type Store } from './open-store.js';
import { WindowEventStore } from './window-event-store.js';

const opened: WindowEvent = {
  window: 'nightly',
  occurrence: '2026-06-10T02:00:00Z',
  event: 'opened',
  at: '2026-06-10T02:00:00Z',
  reason: 'its start has come',
  detail: { end: '2026-06-10T05:00:00Z' },
};

describe('window event store (SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-window-events-'));
    store = await openStore(dir);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps one event of a kind per occurrence and reports only what it added', async () => {
    const events = new WindowEventStore(store.db);
    const t = new Date('2026-06-10T02:00:00Z');
    expect(await events.record([opened], new Map([['nightly', t]]))).toEqual([opened]);
    const again = { ...opened, at: '2026-06-10T02:00:30Z', reason: 'a second scheduler' };
    expect(await events.record([again], new Map([['nightly', t]]))).toEqual([]);
    expect(await events.list()).toEqual([opened]);
  });

  it('never moves a watch mark back, and finds an open occurrence however old', async () => {
    const events = new WindowEventStore(store.db);
    await events.record([], new Map([['nightly', new Date('2026-06-09T00:00:00Z')]]));
    expect((await events.watched()).get('nightly')).toEqual(new Date('2026-06-10T02:00:00Z'));
    expect(await events.relevant('2026-07-01T00:00:00Z')).toEqual([opened]);
    await events.record([{ ...opened, event: 'closed', reason: 'its end has come' }], new Map());
    expect(await events.relevant('2026-07-01T00:00:00Z')).toEqual([]);
  });
});
