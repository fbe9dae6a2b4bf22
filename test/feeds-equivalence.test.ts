import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cveIds, type AffectedPackage } from '../src/core/advisories/advisory.js';
import { parseDebianTracker } from '../src/core/advisories/parse-debian-tracker.js';
import { parseOsvRecord } from '../src/core/advisories/parse-osv.js';
import { loadAffected } from '../src/adapters/store/advisory-store.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { FIXTURES, runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

const OSV_ZIP = path.join(SNAPSHOT, 'debian-12-osv.zip');
const TRACKER_JSON = path.join(FIXTURES, 'advisories/debian-tracker-bookworm.json');

/**
 * Changelog urgencies the tracker's vocabulary lacks: the tracker writes "not yet assigned" where the
 * changelog (and so the OSV record) says "critical" or "emergency" (6 rsync CVEs in this data).
 */
const TRACKER_URGENCY: Record<string, string> = {
  critical: 'not yet assigned',
  emergency: 'not yet assigned',
};

/** (CVE, package, fixed version, urgency) tuples, the facts both feeds carry. */
function facts(records: AffectedPackage[], urgency = (u: string) => u): string[] {
  const out = new Set<string>();
  for (const r of records) {
    const fixed = r.ranges.flat().find((e) => 'fixed' in e);
    const fix = fixed && 'fixed' in fixed ? fixed.fixed : '';
    for (const cve of cveIds(r)) out.add([cve, r.package, fix, urgency(r.urgency ?? '')].join('\t'));
  }
  return [...out].sort();
}

describe('OSV zip and Debian tracker JSON of bookworm', () => {
  it('give the same (CVE, package, fixed version, urgency) set', () => {
    const zip = unzipSync(fs.readFileSync(OSV_ZIP));
    const osv = Object.entries(zip).flatMap(
      ([name, bytes]) => parseOsvRecord(JSON.parse(strFromU8(bytes)), name).records,
    );
    const json = JSON.parse(fs.readFileSync(TRACKER_JSON, 'utf8'));
    const tracker = parseDebianTracker(json, 'bookworm', 'Debian:12', 'tracker').records;
    expect(osv).toHaveLength(9760);
    expect(tracker).toHaveLength(9760);
    expect(facts(tracker)).toEqual(facts(osv, (u) => TRACKER_URGENCY[u] ?? u));
    expect(osv.filter((r) => r.urgency && TRACKER_URGENCY[r.urgency])).toHaveLength(6);
  });

  it('give the same set once imported into the store through the CLI', async () => {
    const stored = async (file: string) => {
      const dataDir = tempDir();
      const r = runCli(['-d', dataDir, 'feeds', 'import', file]);
      expect(r.code, r.stderr).toBe(0);
      const store = await openStore(dataDir);
      try {
        return await loadAffected(store.db, ['Debian:12']);
      } finally {
        await store.close();
      }
    };
    const osv = await stored(OSV_ZIP);
    const tracker = await stored(TRACKER_JSON);
    expect(new Set(osv.map((r) => r.source))).toEqual(new Set(['osv:Debian:12']));
    expect(new Set(tracker.map((r) => r.source))).toEqual(new Set(['debian-tracker:bookworm']));
    expect(facts(tracker)).toEqual(facts(osv, (u) => TRACKER_URGENCY[u] ?? u));
  });
});
