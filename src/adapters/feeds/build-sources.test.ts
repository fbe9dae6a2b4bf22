import { describe, expect, it } from 'vitest';
import type { AffectedPackage } from '../../core/advisories/advisory.js';
import { buildSources } from './build-sources.js';
import type { FeedFile } from './feed-file.js';

const rec = (ecosystem: string, modified?: string): AffectedPackage => ({
  source: `osv:${ecosystem}`,
  vulnId: 'X-1',
  aliases: [],
  ecosystem,
  package: 'p',
  ranges: [[{ introduced: '0' }]],
  versions: [],
  severity: [],
  ...(modified ? { modified } : {}),
});

describe('buildSources', () => {
  it('groups all OSV files of one import by ecosystem, with the newest modified as data date', () => {
    const files: FeedFile[] = [
      {
        kind: 'osv',
        origin: 'a.zip',
        records: [rec('Debian:12', '2025-01-01'), rec('Debian:11')],
        unusable: [],
        files: 2,
      },
      {
        kind: 'osv',
        origin: 'dir',
        records: [rec('Debian:12', '2025-03-01')],
        unusable: [
          {
            where: 'x',
            vulnId: 'G-1',
            ecosystem: 'npm',
            reason: 'ecosystem "npm" has no version ordering in patchwise',
          },
          { where: 'y', vulnId: 'W-1', reason: 'withdrawn' },
        ],
        files: 3,
      },
    ];
    const { sources } = buildSources(files, { eol: [] });
    const by = Object.fromEntries(sources.map((s) => [s.source, s]));
    expect(Object.keys(by).sort()).toEqual(['osv:Debian:11', 'osv:Debian:12', 'osv:npm']);
    expect(by['osv:Debian:12']).toMatchObject({
      origin: 'a.zip, dir',
      dataDate: '2025-03-01',
      meta: { osvRecords: 5, unusableReasons: { withdrawn: 1 } },
    });
    expect(by['osv:npm']?.unusable).toHaveLength(1);
    expect(by['osv:Debian:11']?.dataDate).toBeNull();
  });

  it('maps tracker releases to ecosystems, skipping unnumbered ones and filtering when asked', () => {
    const json = {
      nginx: {
        'CVE-1': {
          releases: { bookworm: { status: 'open' }, sid: { status: 'open' }, bullseye: { status: 'open' } },
        },
      },
    };
    const files: FeedFile[] = [{ kind: 'debian-tracker', origin: 't.json', json }];
    const all = buildSources(files, { eol: [] });
    expect(all.sources.map((s) => [s.source, s.meta.ecosystem])).toEqual([
      ['debian-tracker:bookworm', 'Debian:12'],
      ['debian-tracker:bullseye', 'Debian:11'],
    ]);
    expect(all.notes).toEqual(['t.json: release "sid" skipped (no Debian release number to match hosts on)']);
    const some = buildSources(files, { eol: [], trackerEcosystems: ['Debian:12'] });
    expect(some.sources.map((s) => s.source)).toEqual(['debian-tracker:bookworm']);
  });

  it('notes a source named twice and keeps the last', () => {
    const eol = (origin: string): FeedFile => ({ kind: 'eol', origin, distro: 'debian', releases: [] });
    const { sources, notes } = buildSources(
      [eol('a.csv'), eol('b.csv'), { kind: 'skipped', origin: 'R', note: 'R: skipped' }],
      { eol: [] },
    );
    expect(sources.map((s) => s.origin)).toEqual(['b.csv']);
    expect(notes).toEqual(['eol:debian: a.csv replaced by b.csv (both name the same source)', 'R: skipped']);
  });
});
