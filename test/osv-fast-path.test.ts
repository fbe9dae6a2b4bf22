import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainOsvRecord, OsvRecordSchema, parseOsvRecord } from '../src/core/advisories/parse-osv.js';
import { SNAPSHOT } from './helpers/cli.js';

const records = Object.values(unzipSync(fs.readFileSync(path.join(SNAPSHOT, 'debian-12-osv.zip')))).map(
  (b) => JSON.parse(strFromU8(b)) as Record<string, unknown>,
);

describe('the OSV fast path (records zod would accept unchanged skip zod)', () => {
  it('takes every real Debian 12 record and yields what the schema-validated copy yields', () => {
    for (const json of records) {
      expect(isPlainOsvRecord(json)).toBe(true);
      const viaSchema = OsvRecordSchema.parse(json);
      expect(parseOsvRecord(json, 'x')).toEqual(parseOsvRecord(viaSchema, 'x'));
    }
  });

  it('never takes a record the schema refuses, whatever one field is changed to', () => {
    const values = [
      null,
      0,
      '',
      'x',
      [],
      [null],
      [''],
      [{}],
      {},
      { introduced: 1 },
      [{ type: 'ECOSYSTEM', events: [] }],
    ];
    const sample = records.slice(0, 50);
    fc.assert(
      fc.property(
        fc.constantFrom(...sample),
        fc.constantFrom(
          'id',
          'aliases',
          'severity',
          'affected',
          'withdrawn',
          'summary',
          'database_specific',
          'affected.0.package',
          'affected.0.ranges',
          'affected.0.ranges.0.events',
          'affected.0.ranges.0.events.0',
          'affected.0.versions',
          'affected.0.severity',
          'affected.0.ecosystem_specific',
        ),
        fc.constantFrom(...values),
        (rec, where, value) => {
          const copy = structuredClone(rec) as Record<string, unknown>;
          const keys = where.split('.');
          let at: Record<string, unknown> | undefined = copy;
          for (const k of keys.slice(0, -1)) at = at?.[k] as Record<string, unknown> | undefined;
          if (!at || typeof at !== 'object') return;
          at[keys.at(-1)!] = structuredClone(value);
          if (isPlainOsvRecord(copy)) expect(OsvRecordSchema.safeParse(copy).success).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
