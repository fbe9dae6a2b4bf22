import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import {
  buildGoldenFleet,
  diffRecords,
  GOLDEN_EXPECTED,
  goldenResults,
  normalizeResults,
  readGolden,
  type GoldenFleet,
  type GoldenRecord,
} from './helpers/golden-fleet.js';

const REGENERATE =
  'If the change in results is intended, regenerate with `npx tsx scripts/golden-fleet.ts` and say why in the commit.';

describe('the golden fleet (test/fixtures/golden)', () => {
  let fleet: GoldenFleet;
  let expected: GoldenRecord;
  let actual: GoldenRecord;
  beforeAll(async () => {
    fleet = await buildGoldenFleet(tempDir('patchwise-golden-'));
    expected = readGolden(GOLDEN_EXPECTED);
    // Through JSON, as the fixture was: absent and undefined fields must compare the same way.
    actual = JSON.parse(JSON.stringify(normalizeResults(await goldenResults(fleet)))) as GoldenRecord;
  });
  afterAll(async () => {
    await fleet?.store.close();
  });

  it('gives the findings, decisions and host rollups recorded in expected.json.gz', () => {
    const diffs = diffRecords(expected, actual);
    expect(diffs, `${REGENERATE}\nFirst differences (expected vs now):`).toEqual([]);
    // diffRecords compares by identity; this catches anything it could miss, without a 10 MB dump.
    expect(isDeepStrictEqual(actual, expected), REGENERATE).toBe(true);
  });

  it('covers the policy branches it is meant to', () => {
    const states = new Set(actual.decisions.map((d) => `${d.action}/${d.state}`));
    for (const s of ['emergency/due', 'emergency/deferred', 'compensate/overdue', 'staged/due', 'weekly/due'])
      expect(states).toContain(s);
    expect(actual.hosts.find((h) => h.host === 'stray-1')?.assumed).toEqual(['tier', 'exposure', 'owner']);
    expect(new Set(actual.decisions.flatMap((d) => (d.deferral ? [d.deferral.id] : [])))).toEqual(
      new Set(['D-1', 'D-2']),
    );
  });

  it('reports a difference as a few readable lines', () => {
    const changed = structuredClone(expected);
    changed.decisions[5]!.action = 'weekly';
    changed.findings.splice(3, 1);
    const lines = diffRecords(expected, changed);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      `findings: 0 of ${expected.findings.length} entries differ, 1 missing, 0 unexpected`,
    );
    expect(lines[1]).toBe(
      `decisions: 1 of ${expected.decisions.length} entries differ, 0 missing, 0 unexpected`,
    );
    expect(lines[2]).toMatch(/^\.findings: 1 missing, e\.g\. \S+\|\S+\|\S+$/);
    expect(lines[3]).toMatch(/^\.decisions\[\S+\]\.action: expected "[a-z-]+", got "weekly"$/);
  });
});
